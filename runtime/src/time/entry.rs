//! The state one timer shares between its owner (a `Sleep`) and the
//! driver.
//!
//! The owner changes it with atomics only: arming, moving the deadline
//! and cancelling never take a lock. When the wheel must learn of a change
//! (a new timer, an earlier deadline, a cancellation), the owner queues the
//! entry for the driver, which files it in, or removes it from, the wheel
//! the next time it runs. A later deadline needs no such message: the
//! driver finds out when the old one comes up and files the timer again.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use atomic_waker::AtomicWaker;

/// Not armed: never was, cancelled, or disarmed because its deadline had
/// passed when it was set. The owner decides by reading the clock.
pub(crate) const IDLE: u64 = u64::MAX;
/// The driver fired it: its deadline has passed.
pub(crate) const FIRED: u64 = u64::MAX - 1;
/// The latest deadline tick an armed timer can hold (some 584 million
/// years): later deadlines are clamped to it.
pub(crate) const MAX_TICK: u64 = u64::MAX - 2;

/// Marks [`TimerEntry::node`] as not filed in the wheel.
pub(crate) const NOT_FILED: u32 = u32::MAX;

pub(crate) struct TimerEntry {
    /// The deadline tick while armed (`<= MAX_TICK`), else [`IDLE`] or
    /// [`FIRED`].
    state: AtomicU64,
    /// The task to wake when it fires.
    pub(crate) waker: AtomicWaker,
    /// Whether the entry waits in the driver's queue, so that a burst of
    /// changes costs one queue slot.
    queued: AtomicBool,
    /// The wheel's key for it, or [`NOT_FILED`]. Only the driver, under
    /// the wheel's lock, reads or writes it; an atomic keeps that safe.
    node: AtomicU32,
}

impl TimerEntry {
    pub(crate) fn new() -> TimerEntry {
        TimerEntry {
            state: AtomicU64::new(IDLE),
            waker: AtomicWaker::new(),
            queued: AtomicBool::new(false),
            node: AtomicU32::new(NOT_FILED),
        }
    }

    pub(crate) fn state(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }

    pub(crate) fn compare_exchange(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.state
            .compare_exchange(current, new, Ordering::AcqRel, Ordering::Acquire)
    }

    pub(crate) fn swap(&self, new: u64) -> u64 {
        self.state.swap(new, Ordering::AcqRel)
    }

    /// Marks the entry queued; `false` if it already was.
    pub(crate) fn mark_queued(&self) -> bool {
        !self.queued.swap(true, Ordering::AcqRel)
    }

    /// Called by the driver as it takes the entry off the queue, before it
    /// reads the state, so any later change queues it again. A swap, not a
    /// store: reading the owner's last `mark_queued` (a release) is what
    /// makes the state it wrote before visible here, when that owner found
    /// the entry still queued and did not push it again.
    pub(crate) fn clear_queued(&self) {
        self.queued.swap(false, Ordering::AcqRel);
    }

    pub(crate) fn node(&self) -> u32 {
        self.node.load(Ordering::Relaxed)
    }

    pub(crate) fn set_node(&self, node: u32) {
        self.node.store(node, Ordering::Relaxed);
    }
}

/// The deadline tick of an armed state.
pub(crate) fn armed(state: u64) -> Option<u64> {
    (state <= MAX_TICK).then_some(state)
}
