//! The state one timer shares between its owner (a `Sleep`) and the
//! driver, and [`EntryRef`], the counted handle each of them holds.
//!
//! The owner changes the entry with atomics only: arming, moving the
//! deadline and cancelling never take a lock. When the wheel must learn of
//! a change (a new timer, an earlier deadline, a cancellation), the owner
//! queues the entry for the driver, which files it in, or removes it from,
//! the wheel the next time it runs. A later deadline needs no such
//! message: the driver finds out when the old one comes up and files the
//! timer again.
//!
//! The entry is also the wheel's node: the wheel links entries into its
//! slots' lists through [`TimerEntry`]'s `prev`/`next` fields, so filing a
//! timer allocates nothing and touches no memory but the entry and its
//! list neighbour. Those fields belong to whoever holds the wheel's lock.
//!
//! # Lifetime
//!
//! An entry lives as long as an [`EntryRef`] to it: the owner's, the
//! queue's (one while it is queued) and the wheel's (one while it is
//! filed). The owner may drop its `Sleep` while the driver still has the
//! entry queued or filed; the driver's handles keep it alive until the
//! driver lets go. `Arc` would do the same with a second (weak) counter
//! nobody uses; a pending timer is cheaper without it.

use std::ops::Deref;
use std::ptr::{self, NonNull};
use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering};

use atomic_waker::AtomicWaker;

/// Not armed: never was, cancelled, or disarmed because its deadline had
/// passed when it was set. The owner decides by reading the clock.
pub(crate) const IDLE: u64 = u64::MAX;
/// The driver fired it: its deadline has passed.
pub(crate) const FIRED: u64 = u64::MAX - 1;
/// The latest deadline tick an armed timer can hold (some 584 million
/// years): later deadlines are clamped to it.
pub(crate) const MAX_TICK: u64 = u64::MAX - 2;

/// [`TimerEntry::level`] of an entry that is in no list of the wheel.
pub(crate) const NOT_FILED: u8 = u8::MAX;

pub(crate) struct TimerEntry {
    /// The deadline tick while armed (`<= MAX_TICK`), else [`IDLE`] or
    /// [`FIRED`].
    state: AtomicU64,
    /// The task to wake when it fires.
    pub(crate) waker: AtomicWaker,
    /// The wheel's list links (null at either end). Only read and written
    /// under the wheel's lock; atomics (relaxed: plain moves) keep that
    /// safe without `unsafe`.
    prev: AtomicPtr<TimerEntry>,
    next: AtomicPtr<TimerEntry>,
    /// Live [`EntryRef`]s: at most three (owner, queue, wheel).
    refs: AtomicU32,
    /// Whether the entry waits in the driver's queue, so that a burst of
    /// changes costs one queue slot.
    queued: AtomicBool,
    /// The wheel's level and slot whose list holds the entry, or
    /// [`NOT_FILED`]. Under the wheel's lock, as `prev` and `next`.
    level: AtomicU8,
    slot: AtomicU8,
}

impl TimerEntry {
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

    // ---- The wheel's fields (under the wheel's lock). ----

    pub(crate) fn prev(&self) -> *mut TimerEntry {
        self.prev.load(Ordering::Relaxed)
    }

    pub(crate) fn next(&self) -> *mut TimerEntry {
        self.next.load(Ordering::Relaxed)
    }

    pub(crate) fn set_prev(&self, prev: *mut TimerEntry) {
        self.prev.store(prev, Ordering::Relaxed);
    }

    pub(crate) fn set_next(&self, next: *mut TimerEntry) {
        self.next.store(next, Ordering::Relaxed);
    }

    /// The level and slot whose list holds the entry; the level is
    /// [`NOT_FILED`] if none does.
    pub(crate) fn position(&self) -> (u8, u8) {
        (
            self.level.load(Ordering::Relaxed),
            self.slot.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn set_position(&self, level: u8, slot: u8) {
        self.level.store(level, Ordering::Relaxed);
        self.slot.store(slot, Ordering::Relaxed);
    }
}

/// A counted handle to a heap-allocated [`TimerEntry`], as an `Arc` with
/// one counter.
pub(crate) struct EntryRef(NonNull<TimerEntry>);

// SAFETY: an `EntryRef` only gives out `&TimerEntry`, whose fields are all
// atomics or thread-safe (`AtomicWaker`), and the entry is freed by
// whichever handle goes last, on any thread, as with `Arc`.
unsafe impl Send for EntryRef {}
// SAFETY: as above; `&EntryRef` only gives out `&TimerEntry`.
unsafe impl Sync for EntryRef {}

impl EntryRef {
    /// A new idle entry, in no queue and no list, with this one handle.
    pub(crate) fn new() -> EntryRef {
        let entry = Box::new(TimerEntry {
            state: AtomicU64::new(IDLE),
            waker: AtomicWaker::new(),
            prev: AtomicPtr::new(ptr::null_mut()),
            next: AtomicPtr::new(ptr::null_mut()),
            refs: AtomicU32::new(1),
            queued: AtomicBool::new(false),
            level: AtomicU8::new(NOT_FILED),
            slot: AtomicU8::new(0),
        });
        EntryRef(NonNull::from(Box::leak(entry)))
    }

    /// Gives up the handle without releasing it: the wheel keeps filed
    /// entries this way, as pointers in its lists.
    pub(crate) fn into_raw(self) -> *mut TimerEntry {
        let ptr = self.0.as_ptr();
        std::mem::forget(self);
        ptr
    }

    /// Takes back a handle given up by [`EntryRef::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` comes from `into_raw`, and each such handle is taken back once.
    pub(crate) unsafe fn from_raw(ptr: *mut TimerEntry) -> EntryRef {
        // SAFETY: `into_raw` had a live, non-null entry (the caller's
        // contract).
        EntryRef(unsafe { NonNull::new_unchecked(ptr) })
    }
}

impl Deref for EntryRef {
    type Target = TimerEntry;

    fn deref(&self) -> &TimerEntry {
        // SAFETY: this handle counts in `refs`, so the entry is not freed
        // while it lives.
        unsafe { self.0.as_ref() }
    }
}

impl Clone for EntryRef {
    fn clone(&self) -> EntryRef {
        // Relaxed, as `Arc`: the new handle comes from an existing one,
        // which keeps the entry alive meanwhile. At most three handles
        // exist at once, so the count cannot overflow.
        self.refs.fetch_add(1, Ordering::Relaxed);
        EntryRef(self.0)
    }
}

impl Drop for EntryRef {
    fn drop(&mut self) {
        // Release, then acquire in the last one, as `Arc`: every use of
        // the entry through other handles happens before it is freed.
        if self.refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: this was the last handle; the entry came from
        // `Box::leak` in `EntryRef::new`.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// The deadline tick of an armed state.
pub(crate) fn armed(state: u64) -> Option<u64> {
    (state <= MAX_TICK).then_some(state)
}
