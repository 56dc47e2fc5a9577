//! The reactor: one edge-triggered epoll instance, the fd registry, the
//! timers and an eventfd to interrupt it, turning kernel events into
//! `Waker::wake` calls.
//!
//! There is no reactor thread. Whichever worker runs out of tasks takes the
//! [`Driver`] (a `try_lock`) and blocks in `epoll_wait`; the wakers it calls
//! schedule tasks onto its own queue, so the common path has no cross-thread
//! hand-off. Busy workers also take the driver now and then for a
//! non-blocking poll, so I/O is noticed even when nobody is idle.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::io::registry::{Registry, NOTIFY_TOKEN};
use crate::io::source::Source;
use crate::sys::{Epoll, EventFd, Events};
use crate::time::timers::{DriverSleep, Timers};
use crate::trace::trace;

/// Events taken from the kernel per `epoll_wait`.
const EVENTS_PER_WAIT: usize = 1024;

pub(crate) struct Reactor {
    epoll: Epoll,
    notifier: EventFd,
    registry: Registry,
    timers: Mutex<Timers>,
    driver: Mutex<DriverState>,
    shutdown: AtomicBool,
    /// Counters reported by `Runtime::metrics`.
    pub(crate) stats: ReactorStats,
}

#[derive(Default)]
pub(crate) struct ReactorStats {
    pub(crate) polls: AtomicU64,
    pub(crate) events: AtomicU64,
    pub(crate) max_events: AtomicUsize,
}

/// Buffers owned by whoever holds the driver.
struct DriverState {
    events: Events,
    wake: Vec<Waker>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        let epoll = Epoll::new()?;
        let notifier = EventFd::new()?;
        epoll.add_notifier(notifier.as_raw_fd(), NOTIFY_TOKEN)?;
        Ok(Reactor {
            epoll,
            notifier,
            registry: Registry::new(),
            timers: Mutex::new(Timers::default()),
            driver: Mutex::new(DriverState {
                events: Events::with_capacity(EVENTS_PER_WAIT),
                wake: Vec::new(),
            }),
            shutdown: AtomicBool::new(false),
            stats: ReactorStats::default(),
        })
    }

    /// Registers `fd` once, for both directions, edge-triggered.
    pub(crate) fn register(&self, fd: RawFd) -> io::Result<(u64, std::sync::Arc<Source>)> {
        if self.is_shutdown() {
            return Err(shutdown_error());
        }
        let (token, source) = self.registry.insert();
        if let Err(e) = self.epoll.add(fd, token) {
            self.registry.remove(token);
            return Err(e);
        }
        trace!(fd, token, "registered");
        Ok((token, source))
    }

    /// Removes `fd` from epoll (before the caller closes it) and frees its
    /// slot; events still in flight for it are then ignored.
    pub(crate) fn deregister(&self, fd: RawFd, token: u64, source: &Source) {
        // ENOENT/EBADF only mean the fd is already gone from the set, which
        // is the state we want.
        let _ = self.epoll.delete(fd);
        self.registry.remove(token);
        trace!(fd, token, "deregistered");
        // Wakers are dropped here, after every lock is released.
        let mut stale = Vec::new();
        source.take_waiters(&mut stale);
    }

    pub(crate) fn registered_fds(&self) -> usize {
        self.registry.len()
    }

    pub(crate) fn pending_timers(&self) -> usize {
        self.lock_timers().len()
    }

    fn lock_timers(&self) -> MutexGuard<'_, Timers> {
        self.timers.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn insert_timer(&self, deadline: Instant, waker: Waker) -> u64 {
        let (id, interrupt) = self.lock_timers().insert(deadline, waker);
        if interrupt {
            self.notify();
        }
        id
    }

    pub(crate) fn update_timer(&self, deadline: Instant, id: u64, waker: &Waker) -> bool {
        self.lock_timers().update(deadline, id, waker)
    }

    pub(crate) fn remove_timer(&self, deadline: Instant, id: u64) {
        // Drop the waker after the lock is released: dropping a task's last
        // waker can run arbitrary code.
        let waker = self.lock_timers().remove(deadline, id);
        drop(waker);
    }

    /// Interrupts a blocked `epoll_wait`, from any thread.
    pub(crate) fn notify(&self) {
        self.notifier.notify();
    }

    /// Takes the driver unless another thread has it.
    pub(crate) fn try_driver(&self) -> Option<Driver<'_>> {
        match self.driver.try_lock() {
            Ok(state) => Some(Driver { reactor: self, state }),
            Err(TryLockError::Poisoned(e)) => Some(Driver {
                reactor: self,
                state: e.into_inner(),
            }),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    /// Marks the reactor shut down and returns every stored waker (I/O and
    /// timers), so the tasks behind them can be woken and find out.
    pub(crate) fn shutdown(&self) -> Vec<Waker> {
        self.shutdown.store(true, Ordering::Release);
        let mut wake = Vec::new();
        self.registry.take_all_waiters(&mut wake);
        self.lock_timers().take_all(&mut wake);
        self.notify();
        wake
    }
}

/// Exclusive right to wait on the epoll instance.
pub(crate) struct Driver<'a> {
    reactor: &'a Reactor,
    state: MutexGuard<'a, DriverState>,
}

impl Driver<'_> {
    /// Waits for I/O events or the next timer, at most `limit` (`Some(ZERO)`
    /// polls without blocking), and collects the wakers of every task they
    /// concern; [`Driver::wake`] then calls them.
    pub(crate) fn wait(&mut self, limit: Option<Duration>) -> io::Result<()> {
        let reactor = self.reactor;
        let DriverState { events, wake } = &mut *self.state;

        let now = Instant::now();
        let timeout = {
            let mut timers = reactor.lock_timers();
            let next_timer = timers.fire_expired(now, wake);
            let timeout = if !wake.is_empty() {
                Some(Duration::ZERO)
            } else {
                let until_timer = next_timer.map(|t| t.saturating_duration_since(now));
                match (limit, until_timer) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            };
            timers.set_driver_sleep(match timeout {
                Some(Duration::ZERO) => DriverSleep::Awake,
                Some(t) => now
                    .checked_add(t)
                    .map_or(DriverSleep::Forever, DriverSleep::Until),
                None => DriverSleep::Forever,
            });
            timeout
        };

        let result = reactor.epoll.wait(events, timeout);
        // After a blocking wait: fire what came due while we slept, and stop
        // asking inserts to interrupt us. A non-blocking poll fired timers
        // just before and never announced a sleep, so it skips this lock.
        if timeout != Some(Duration::ZERO) {
            let mut timers = reactor.lock_timers();
            timers.set_driver_sleep(DriverSleep::Awake);
            timers.fire_expired(Instant::now(), wake);
        }
        result?;
        trace!(events = events.len(), ?timeout, "epoll_wait returned");
        let stats = &reactor.stats;
        stats.polls.fetch_add(1, Ordering::Relaxed);
        stats.events.fetch_add(events.len() as u64, Ordering::Relaxed);
        stats.max_events.fetch_max(events.len(), Ordering::Relaxed);

        if events.len() > 0 {
            // The notifier's events only interrupt the wait (see
            // `EventFd::notify`): nothing to read, nothing to dispatch.
            reactor
                .registry
                .dispatch(events.iter().filter(|e| e.token != NOTIFY_TOKEN), wake);
        }
        Ok(())
    }

    /// Calls the wakers collected by [`Driver::wait`]; returns how many.
    ///
    /// A waker is user code (any `Waker` can be stored by a future): one
    /// that panics must neither take the worker down nor cost the rest of
    /// the batch its wake-ups, which edge triggering would never repeat.
    pub(crate) fn wake(&mut self) -> usize {
        let wake = &mut self.state.wake;
        let woken = wake.len();
        for waker in wake.drain(..) {
            let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
        }
        woken
    }
}

pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("the edgeio runtime has shut down")
}
