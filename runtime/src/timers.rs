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
}

impl Timers {
    /// Adds a timer; returns its id and whether it is now the earliest, in
    /// which case a reactor sleeping until a later deadline must be woken.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> (u64, bool) {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert((deadline, id), waker);
        let earliest = self.pending.keys().next() == Some(&(deadline, id));
        (id, earliest)
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
