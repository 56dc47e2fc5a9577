//! Putting one worker to sleep, and waking exactly that worker.
//!
//! A worker with nothing to do sleeps in one of two places: in
//! `epoll_wait` if the reactor's driver was free (it then waits for I/O
//! and timers on behalf of every worker), or on its own condition variable
//! otherwise. [`Unparker::unpark`] knows which from the state word, and
//! wakes it with an eventfd write or a condvar signal. A wake-up that
//! arrives before the worker sleeps is kept (`NOTIFIED`), so the next park
//! returns at once: none is ever lost.
//!
//! A parking worker first looks for that wake-up a few times, yielding
//! its thread in between ([`PARK_YIELDS`]), while a thread that may be
//! about to hand it work is awake: another worker that is running or
//! searching, or the thread whose notification ended this worker's last
//! sleep (a worker, or a thread outside the runtime that feeds it tasks:
//! one that has just handed work over often does so again within a few
//! system calls). A notification that lands during the yields only flips
//! the state word. No eventfd write, no `epoll_wait` return, no wake-up of
//! a sleeping thread by the kernel, which costs two orders of magnitude
//! more than the hand-off itself. Otherwise (every other worker asleep or
//! none, and the last sleep ended by I/O or a timer, as a network
//! server's are) it blocks at once, as tokio's parker (1.54) always does,
//! instead of paying for the yields on every park of a lightly loaded
//! server.
//!
//! Before its first yield it watches the state word in user space, for
//! as long as the shortest yield it has made took ([`Unparker::watch`]).
//! A thread running on another CPU hands work over within a few cache-line
//! transfers, often sooner than one system call returns; watching that
//! long catches such a hand-off without the call, and a park that yields
//! anyway has lost at most one yield's time. That is two-phase waiting's
//! rule (wait actively for as long as the fallback costs, which is never
//! worse than twice the best choice made knowing when the wake-up comes;
//! Karlin, Li, Manasse and Owicki, SOSP 1991), so the watch has no
//! constant: its length is this host's own cost of a yield.

use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::io::reactor::Reactor;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// How many times a parking worker checks for a wake-up, yielding its
/// thread after each check, while a thread that may hand it work is awake
/// (see the module's documentation). A count of yields, not a time: it
/// means the same on any host, and a worker that shares its CPU lets the
/// other thread run meanwhile. Three is the count of tokio's older parker
/// (tokio issue 5010, of 2022, quotes its loop); the tokio benched here,
/// 1.54, has no loop.
pub(crate) const PARK_YIELDS: u32 = 3;

/// One worker's sleep state, shared so any thread can wake it.
pub(crate) struct Unparker {
    state: AtomicUsize,
    /// The shortest yield the worker has made, in nanoseconds; 0 before
    /// its first. Only the worker touches it (an atomic because the
    /// `Unparker` is shared).
    yield_nanos: AtomicU64,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl Default for Unparker {
    fn default() -> Unparker {
        Unparker {
            state: AtomicUsize::new(EMPTY),
            yield_nanos: AtomicU64::new(0),
            mutex: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }
}

impl Unparker {
    /// Wakes the worker if it sleeps, or makes its next park return at once.
    pub(crate) fn unpark(&self, reactor: &Reactor) {
        match self.state.swap(NOTIFIED, SeqCst) {
            PARKED_CONDVAR => {
                // Taking the lock orders this signal after the sleeper's
                // check of the state: it is waiting, or about to re-check.
                drop(self.mutex.lock().unwrap_or_else(|e| e.into_inner()));
                self.condvar.notify_one();
            }
            PARKED_DRIVER => reactor.notify(),
            _ => {}
        }
    }

    /// Consumes a pending wake-up, if any.
    fn take_notification(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, Ordering::Relaxed)
            .is_ok()
    }

    /// Watches the state word for a notification, without a system call,
    /// for as long as the shortest yield of this worker took (see the
    /// module's documentation); not at all before its first yield.
    fn watch(&self) -> bool {
        let length = Duration::from_nanos(self.yield_nanos.load(Ordering::Relaxed));
        let start = Instant::now();
        loop {
            // A load first: the compare-exchange takes the cache line
            // from the notifier, so it runs only once the value is there.
            if self.state.load(Ordering::Relaxed) == NOTIFIED && self.take_notification() {
                return true;
            }
            if start.elapsed() >= length {
                return false;
            }
            std::hint::spin_loop();
        }
    }

    /// Yields the thread, and keeps the shortest time a yield took.
    fn timed_yield(&self) {
        let start = Instant::now();
        std::thread::yield_now();
        let nanos = u64::try_from(start.elapsed().as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        let shortest = self.yield_nanos.load(Ordering::Relaxed);
        if shortest == 0 || nanos < shortest {
            self.yield_nanos.store(nanos, Ordering::Relaxed);
        }
    }

    /// Sleeps until [`Unparker::unpark`], or, holding the driver, until
    /// I/O or a timer wakes a task (whose waker the driver then calls on
    /// this thread); first, if `yields` is not 0, watches for a wake-up
    /// (see [`Unparker::watch`]) and then checks for one `yields` times,
    /// yielding the thread after each check (see [`PARK_YIELDS`]).
    ///
    /// Returns whether a notification ended (or spared) the sleep, that is
    /// whether another thread handed this worker work, rather than I/O or
    /// a timer alone.
    #[must_use]
    pub(crate) fn park(&self, reactor: &Reactor, yields: u32) -> bool {
        if yields > 0 && self.watch() {
            return true;
        }
        for _ in 0..yields {
            if self.take_notification() {
                return true;
            }
            self.timed_yield();
        }
        if self.take_notification() {
            return true;
        }
        if let Some(mut driver) = reactor.try_driver() {
            if self
                .state
                .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, Ordering::Relaxed)
                .is_err()
            {
                // Notified in between.
                self.state.store(EMPTY, SeqCst);
                return true;
            }
            let result = driver.wait(None);
            let notified = self.state.swap(EMPTY, SeqCst) == NOTIFIED;
            driver.wake();
            drop(driver);
            if result.is_err() {
                // epoll_wait fails only on programming errors (EBADF,
                // EFAULT, EINVAL); never turn that into a hot loop.
                std::thread::sleep(Duration::from_millis(1));
            }
            return notified;
        }
        let mut guard = self.mutex.lock().unwrap_or_else(|e| e.into_inner());
        if self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, Ordering::Relaxed)
            .is_err()
        {
            self.state.store(EMPTY, SeqCst);
            return true;
        }
        loop {
            guard = self.condvar.wait(guard).unwrap_or_else(|e| e.into_inner());
            if self.take_notification() {
                return true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixDatagram;
    use std::sync::atomic::Ordering;
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{Unparker, PARK_YIELDS};
    use crate::io::reactor::Reactor;

    /// Unparks from another thread after a moment; whether that lands
    /// before or during the sleep, the park must report it.
    fn unpark_soon<'scope>(
        scope: &'scope thread::Scope<'scope, '_>,
        unparker: &'scope Unparker,
        reactor: &'scope Reactor,
    ) {
        scope.spawn(move || {
            thread::sleep(Duration::from_millis(10));
            unparker.unpark(reactor);
        });
    }

    #[test]
    fn a_notification_kept_from_before_the_park_is_reported() {
        let reactor = Reactor::new().unwrap();
        let unparker = Unparker::default();
        for yields in [0, PARK_YIELDS] {
            unparker.unpark(&reactor);
            assert!(unparker.park(&reactor, yields));
        }
    }

    #[test]
    fn a_sleep_in_epoll_ended_by_a_notification_reports_it() {
        let reactor = Reactor::new().unwrap();
        let unparker = Unparker::default();
        thread::scope(|scope| {
            unpark_soon(scope, &unparker, &reactor);
            assert!(unparker.park(&reactor, 0));
        });
    }

    #[test]
    fn a_sleep_on_the_condvar_ended_by_a_notification_reports_it() {
        let reactor = Reactor::new().unwrap();
        let unparker = Unparker::default();
        // Another holder of the driver sends the parker to its condvar.
        let driver = reactor.try_driver().unwrap();
        thread::scope(|scope| {
            unpark_soon(scope, &unparker, &reactor);
            assert!(unparker.park(&reactor, 0));
        });
        drop(driver);
    }

    #[test]
    fn a_sleep_in_epoll_ended_by_io_reports_no_notification() {
        let reactor = Reactor::new().unwrap();
        let unparker = Unparker::default();
        let (a, b) = UnixDatagram::pair().unwrap();
        b.set_nonblocking(true).unwrap();
        a.send(b"ping").unwrap();
        // Readable when registered: the first `epoll_wait` reports it.
        let (token, source) = reactor.register(b.as_raw_fd()).unwrap();
        assert!(!unparker.park(&reactor, 0));
        // No yields: no watch either, and no cost of a yield learned.
        assert_eq!(unparker.yield_nanos.load(Ordering::Relaxed), 0);
        // A new edge: I/O again, after the watch and the yields, which
        // learn the cost.
        a.send(b"ping").unwrap();
        assert!(!unparker.park(&reactor, PARK_YIELDS));
        assert!(unparker.yield_nanos.load(Ordering::Relaxed) > 0);
        reactor.deregister(b.as_raw_fd(), token, &source);
    }

    #[test]
    fn the_watch_takes_a_notification_that_lands_while_it_lasts() {
        let reactor = Reactor::new().unwrap();
        let unparker = Unparker::default();
        // Long enough that only the notification can end it.
        unparker.yield_nanos.store(60_000_000_000, Ordering::Relaxed);
        thread::scope(|scope| {
            unpark_soon(scope, &unparker, &reactor);
            assert!(unparker.watch());
        });
        assert!(!unparker.take_notification(), "the watch consumed it");
    }

    #[test]
    fn a_watch_without_a_notification_ends_once_the_shortest_yield_is_over() {
        let unparker = Unparker::default();
        let start = Instant::now();
        assert!(!unparker.watch(), "no yield measured: no watch");
        unparker.yield_nanos.store(20_000_000, Ordering::Relaxed);
        assert!(!unparker.watch());
        assert!(start.elapsed() >= Duration::from_millis(20));
    }
}
