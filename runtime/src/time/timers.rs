//! Pending timers, ordered by deadline.
//!
//! A `BTreeMap` keyed by `(deadline, id)`: insert and cancel are O(log n),
//! cancelling (dropping a `Sleep`) removes the entry at once so nothing
//! lingers, and the next deadline is the first key, which is what the
//! reactor needs to size its `epoll_wait` timeout.

use std::collections::BTreeMap;
use std::task::Waker;
use std::time::Instant;

#[derive(Default)]
pub(crate) struct Timers {
    pending: BTreeMap<(Instant, u64), Waker>,
    next_id: u64,
    /// When the driver, if blocked in `epoll_wait`, wakes up by itself.
    /// Kept under the same lock as the timers, so an insert either is seen
    /// by the driver computing its timeout or sees the driver's deadline.
    driver: DriverSleep,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum DriverSleep {
    #[default]
    Awake,
    Until(Instant),
    Forever,
}

impl Timers {
    /// Adds a timer; returns its id and whether the driver sleeps past the
    /// deadline and must be interrupted. Usually it need not be, which saves
    /// an eventfd write and a spurious wake-up per timer.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> (u64, bool) {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert((deadline, id), waker);
        let interrupt = match self.driver {
            DriverSleep::Awake => false,
            DriverSleep::Until(wakes_at) => deadline < wakes_at,
            DriverSleep::Forever => true,
        };
        (id, interrupt)
    }

    /// Records when the driver is going to wake by itself.
    pub(crate) fn set_driver_sleep(&mut self, sleep: DriverSleep) {
        self.driver = sleep;
    }

    /// Replaces the waker of a timer that is still pending. Returns `false`
    /// if it already fired.
    pub(crate) fn update(&mut self, deadline: Instant, id: u64, waker: &Waker) -> bool {
        match self.pending.get_mut(&(deadline, id)) {
            Some(stored) => {
                if !stored.will_wake(waker) {
                    *stored = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    pub(crate) fn remove(&mut self, deadline: Instant, id: u64) -> Option<Waker> {
        self.pending.remove(&(deadline, id))
    }

    /// Moves the wakers of every timer due at `now` into `wake`, and returns
    /// the next deadline still pending.
    pub(crate) fn fire_expired(&mut self, now: Instant, wake: &mut Vec<Waker>) -> Option<Instant> {
        while let Some(entry) = self.pending.first_entry() {
            if entry.key().0 > now {
                return Some(entry.key().0);
            }
            wake.push(entry.remove());
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Takes every waker, for shutdown.
    pub(crate) fn take_all(&mut self, wake: &mut Vec<Waker>) {
        wake.extend(std::mem::take(&mut self.pending).into_values());
    }
}
