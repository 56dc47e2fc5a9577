//! Bookkeeping of sleeping workers, so new work wakes exactly one of them.
//!
//! A worker with nothing to do sleeps in one of two places: in
//! `epoll_wait` if it took the driver, or on a condition variable
//! otherwise. Waking the former costs an eventfd write, the latter a futex
//! wake. To notify, a producer first publishes its work and then reads the
//! sleeper count; a sleeper first raises the count and then re-checks the
//! queues. With both sides sequentially consistent, at least one of them sees
//! the other, so no wake-up is lost.

use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::reactor::Reactor;

#[derive(Default)]
pub(crate) struct Idle {
    /// Workers asleep or about to sleep, in either place.
    sleepers: AtomicUsize,
    state: Mutex<State>,
    condvar: Condvar,
}

#[derive(Default)]
struct State {
    /// Workers waiting on the condition variable.
    waiting: usize,
    /// Wake-ups issued to them and not yet consumed.
    notifications: usize,
    /// A worker is (about to be) blocked in `epoll_wait`.
    driver_parked: bool,
    /// The eventfd was already written for it.
    driver_notified: bool,
}

impl Idle {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes one sleeping worker, if any sleeps and none is already on its
    /// way up. Call after making work visible.
    pub(crate) fn notify_one(&self, reactor: &Reactor) {
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut state = self.lock();
        if state.notifications < state.waiting {
            state.notifications += 1;
            self.condvar.notify_one();
        } else if state.driver_parked && !state.driver_notified {
            state.driver_notified = true;
            reactor.notify();
        }
    }

    /// Wakes every worker, for shutdown.
    pub(crate) fn notify_all(&self, reactor: &Reactor) {
        let mut state = self.lock();
        state.notifications = state.waiting;
        self.condvar.notify_all();
        reactor.notify();
    }

    /// Sleeps on the condition variable until notified, unless `has_work`
    /// (checked after announcing the sleep) finds something to do.
    pub(crate) fn sleep(&self, has_work: impl Fn() -> bool) {
        let mut state = self.lock();
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        if !has_work() {
            state.waiting += 1;
            while state.notifications == 0 {
                state = self.condvar.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            state.notifications -= 1;
            state.waiting -= 1;
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Announces that the driver holder is about to block in `epoll_wait`.
    /// Returns `false`, announcing nothing, if `has_work` finds work first.
    pub(crate) fn park_driver(&self, has_work: impl Fn() -> bool) -> bool {
        let mut state = self.lock();
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        if has_work() {
            self.sleepers.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        state.driver_parked = true;
        state.driver_notified = false;
        true
    }

    /// The driver holder is back from `epoll_wait`.
    pub(crate) fn unpark_driver(&self) {
        let mut state = self.lock();
        state.driver_parked = false;
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether some worker sleeps on the condition variable, i.e. could be
    /// woken to take over the driver.
    pub(crate) fn has_waiting(&self) -> bool {
        self.sleepers.load(Ordering::SeqCst) > 0
    }
}
