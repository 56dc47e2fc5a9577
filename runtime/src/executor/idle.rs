//! Bookkeeping of sleeping workers, so new work wakes exactly one of them.
//!
//! A worker with nothing to do sleeps in one of two places: in
//! `epoll_wait` if it took the driver, or on a condition variable
//! otherwise. Waking the former costs an eventfd write, the latter a futex
//! wake. To notify, a producer first publishes its work and then reads the
//! sleeper count; a sleeper first raises the count and then re-checks the
//! queues. Both sides put a `SeqCst` fence between their store and their
//! load, so at least one of them sees the other and no wake-up is lost
//! (checked by the loom models in `runtime/tests/loom_idle.rs`).

use std::sync::atomic::Ordering;

use crate::io::reactor::Reactor;
use crate::loom::{fence, AtomicUsize, Condvar, Mutex, MutexGuard};

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
        self.notify_one_with(|| reactor.notify());
    }

    /// [`Idle::notify_one`] with the driver's wake-up (an eventfd write)
    /// passed in, so the loom models can run it without a reactor.
    fn notify_one_with(&self, notify_driver: impl FnOnce()) {
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
            notify_driver();
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
        // Pairs with the fence in `notify_one`: with a SeqCst fence on both
        // sides, the producer's queue push and this re-check cannot both
        // miss each other whatever orderings the queues use internally.
        fence(Ordering::SeqCst);
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
        // See `sleep`.
        fence(Ordering::SeqCst);
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

/// What the loom models (`runtime/tests/loom_idle.rs`) drive; see `lib.rs`'s
/// `__loom` module.
#[cfg(loom)]
pub mod loom_api {
    /// An [`super::Idle`] behind a public face.
    #[derive(Default)]
    pub struct Idle(super::Idle);

    impl Idle {
        pub fn new() -> Idle {
            Idle::default()
        }

        /// `notify_one`, with `notify_driver` standing for the eventfd write
        /// that interrupts a worker parked in `epoll_wait`.
        pub fn notify_one(&self, notify_driver: impl FnOnce()) {
            self.0.notify_one_with(notify_driver)
        }

        pub fn sleep(&self, has_work: impl Fn() -> bool) {
            self.0.sleep(has_work)
        }

        pub fn park_driver(&self, has_work: impl Fn() -> bool) -> bool {
            self.0.park_driver(has_work)
        }

        pub fn unpark_driver(&self) {
            self.0.unpark_driver()
        }

        pub fn has_waiting(&self) -> bool {
            self.0.has_waiting()
        }
    }
}
