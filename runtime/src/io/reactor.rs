//! The reactor: one edge-triggered epoll instance, the fd registry, the
//! timers (a timing wheel and the clock, see `time/driver.rs`) and an
//! eventfd to interrupt it, turning kernel events into `Waker::wake` calls.
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
use std::time::Duration;

use crate::io::registry::{Registry, NOTIFY_TOKEN};
use crate::io::shutdown_error::shutdown_error;
use crate::io::source::Source;
use crate::sys::{Epoll, EventFd, Events};
use crate::time::clock::Clock;
use crate::time::driver::Timers;
use crate::time::entry::EntryRef;
use crate::time::instant::Instant;
use crate::trace::trace;

/// Events taken from the kernel per `epoll_wait` (tokio's default,
/// `Builder::max_io_events_per_tick`): enough that a burst of ready sockets
/// costs a few calls, not one each, while the buffer (12 KiB) stays small;
/// events past it wait for the next call, which edge triggering keeps.
const EVENTS_PER_WAIT: usize = 1024;

pub(crate) struct Reactor {
    epoll: Epoll,
    notifier: EventFd,
    registry: Registry,
    timers: Timers,
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
            timers: Timers::new(),
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

    /// Timers armed and not yet fired or cancelled.
    pub(crate) fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    /// The runtime's clock (paused or not).
    pub(crate) fn clock(&self) -> &Clock {
        self.timers.clock()
    }

    /// Forbids a paused clock's auto-advance (counted) while work the
    /// scheduler does not see is under way, e.g. a blocking-pool job.
    #[cfg_attr(not(test), allow(dead_code))] // Wired by the blocking pool (lead).
    pub(crate) fn inhibit_auto_advance(&self) {
        self.clock().inhibit_auto_advance();
    }

    /// Undoes one [`Reactor::inhibit_auto_advance`]; after the last, wakes
    /// the driver, which may be sleeping in real time for a timer that
    /// auto-advance would now fire.
    #[cfg_attr(not(test), allow(dead_code))] // Wired by the blocking pool (lead).
    pub(crate) fn allow_auto_advance(&self) {
        if self.clock().allow_auto_advance() {
            self.notify();
        }
    }

    /// Arms `entry` for `deadline`, or moves its deadline; interrupts the
    /// driver if it sleeps past the deadline. Stores nothing once the
    /// reactor is shut down.
    pub(crate) fn set_timer(&self, entry: &EntryRef, deadline: Instant) {
        if self.timers.set(entry, deadline) {
            self.notify();
        }
    }

    /// Disarms `entry`; interrupts the driver if that filed a burst of
    /// timers it must look at (see `time/driver.rs`).
    pub(crate) fn cancel_timer(&self, entry: &EntryRef) {
        if self.timers.disarm(entry) {
            self.notify();
        }
    }

    /// Fires the timers due on the clock now (after `time::advance`), or,
    /// if another thread holds the driver, has it look.
    pub(crate) fn fire_due_timers(&self) {
        match self.try_driver() {
            Some(mut driver) => {
                if driver.wait(Some(Duration::ZERO)).is_ok() {
                    driver.wake();
                }
            }
            None => self.notify(),
        }
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
        self.timers.shutdown(&mut wake);
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
    ///
    /// With a paused clock that may auto-advance, a wait that would block
    /// (the scheduler is idle) first polls epoll without blocking and, if
    /// nothing arrived, moves the clock to the next timer and fires it.
    pub(crate) fn wait(&mut self, limit: Option<Duration>) -> io::Result<()> {
        let reactor = self.reactor;
        let timers = &reactor.timers;
        let DriverState { events, wake } = &mut *self.state;

        let now = timers.clock().now();
        let next_timer = timers.process(now, wake);
        let mut timeout = if !wake.is_empty() {
            Some(Duration::ZERO)
        } else {
            let until_timer = next_timer.map(|t| t.saturating_duration_since(now));
            match (limit, until_timer) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };

        let mut polled = false;
        if timeout != Some(Duration::ZERO) && timers.clock().can_auto_advance() {
            reactor.epoll.wait(events, Some(Duration::ZERO))?;
            polled = true;
            if events.len() > 0 || timers.auto_advance(wake) {
                // Something to do: no blocking wait.
                timeout = Some(Duration::ZERO);
            } else {
                // No timer to move to: only I/O can end this wait.
                polled = false;
            }
        }

        let result = if polled {
            Ok(())
        } else if timeout == Some(Duration::ZERO) {
            reactor.epoll.wait(events, timeout)
        } else {
            // Say when we wake by ourselves, so that a timer armed for
            // earlier interrupts us; then block, unless one was armed while
            // we were deciding.
            let until = timeout.map(|t| timers.clock().now().saturating_add(t));
            let block = timers.driver_sleeps(until);
            let result = reactor
                .epoll
                .wait(events, if block { timeout } else { Some(Duration::ZERO) });
            timers.driver_awake();
            // Fire what came due while we slept.
            timers.process(timers.clock().now(), wake);
            result
        };
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
