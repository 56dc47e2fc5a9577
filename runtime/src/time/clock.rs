//! The clock timers read: the system's monotonic clock, or a paused one
//! for tests ([`pause`](crate::time::pause), [`advance`](crate::time::advance),
//! [`resume`](crate::time::resume)).
//!
//! Each runtime has one clock, kept by its reactor. While it runs, it reads
//! `std::time::Instant::now()`. Paused, it stands still: only [`advance`](crate::time::advance)
//! and the driver's *auto-advance* move it. Auto-advance is what makes a
//! paused clock useful: when the scheduler has nothing to run and the
//! reactor has no I/O ready, the driver, instead of sleeping until the next
//! timer, moves the clock to that timer's deadline and fires it. A test of
//! a 30 s idle timeout therefore finishes in milliseconds, as with tokio.

use std::cell::RefCell;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How far ahead a deadline that cannot be represented is put: about 30
/// years, as tokio's `Instant::far_future`. Nothing waits that long, and
/// unlike `Duration::MAX` it can be added to any clock reading.
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86400 * 365 * 30);

/// Set once any clock of the process has been paused: until then
/// [`Instant::now`](crate::time::Instant::now) reads the system clock without looking up the runtime.
static ANY_CLOCK_ADJUSTED: AtomicBool = AtomicBool::new(false);

/// A runtime's clock. Cloning it is cheap (a reference count): the
/// runtime's context keeps a clone current on each of its threads, for
/// [`Instant::now`](crate::time::Instant::now).
#[derive(Clone)]
pub(crate) struct Clock {
    inner: Arc<ClockInner>,
}

pub(crate) struct ClockInner {
    /// Where the timer wheel's millisecond ticks count from.
    origin: std::time::Instant,
    /// Set once this clock has been paused; until then it reads the system
    /// clock without taking the lock.
    adjusted: AtomicBool,
    state: Mutex<State>,
    /// Reasons not to auto-advance while paused (e.g. a blocking-pool job
    /// running: the clock must not jump while real work is under way).
    inhibitors: AtomicUsize,
}

/// tokio's model: the clock reads `base`, plus the time since `unfrozen`
/// when running. Pausing freezes the reading; resuming continues from it,
/// so time spent paused is skipped rather than caught up.
struct State {
    base: std::time::Instant,
    unfrozen: Option<std::time::Instant>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        let now = std::time::Instant::now();
        Clock {
            inner: Arc::new(ClockInner {
                origin: now,
                adjusted: AtomicBool::new(false),
                state: Mutex::new(State {
                    base: now,
                    unfrozen: Some(now),
                }),
                inhibitors: AtomicUsize::new(0),
            }),
        }
    }
}

impl Deref for Clock {
    type Target = ClockInner;

    fn deref(&self) -> &ClockInner {
        &self.inner
    }
}

impl ClockInner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current time on this clock, as a `std` instant (`now`, in
    /// `instant.rs`, wraps it).
    pub(crate) fn now_std(&self) -> std::time::Instant {
        if !self.adjusted.load(Ordering::Acquire) {
            return std::time::Instant::now();
        }
        let state = self.lock();
        match state.unfrozen {
            Some(unfrozen) => state.base + unfrozen.elapsed(),
            None => state.base,
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.adjusted.load(Ordering::Acquire) && self.lock().unfrozen.is_none()
    }

    /// Tick 0 of the timer wheel.
    pub(crate) fn origin(&self) -> std::time::Instant {
        self.origin
    }

    /// Stops the clock at its current reading, rounded up to a whole tick
    /// (less than a millisecond later). Then `Instant::now() + 300 ms`, a
    /// paused test's typical deadline, is a whole tick too, and
    /// `advance(300 ms)` fires it, as in tokio (whose paused clock starts
    /// on a tick).
    ///
    /// This is the hook for `Builder::start_paused`: it performs no check
    /// of the runtime's flavour, which the caller is responsible for.
    pub(crate) fn pause(&self) -> Result<(), &'static str> {
        let mut state = self.lock();
        let Some(unfrozen) = state.unfrozen else {
            return Err("time is already frozen");
        };
        let now = state.base + unfrozen.elapsed();
        let since_origin = now.saturating_duration_since(self.origin);
        let ms = u64::try_from(since_origin.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
        state.base = self.origin.checked_add(Duration::from_millis(ms)).unwrap_or(now);
        state.unfrozen = None;
        self.adjusted.store(true, Ordering::Release);
        ANY_CLOCK_ADJUSTED.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn resume(&self) -> Result<(), &'static str> {
        let mut state = self.lock();
        if state.unfrozen.is_some() {
            return Err("time is not frozen");
        }
        state.unfrozen = Some(std::time::Instant::now());
        Ok(())
    }

    /// Moves a paused clock forward by `duration`.
    pub(crate) fn advance(&self, duration: Duration) -> Result<(), &'static str> {
        let mut state = self.lock();
        if state.unfrozen.is_some() {
            return Err("time is not frozen");
        }
        // A jump past what `std::time::Instant` can represent stops at the
        // farthest reading that is still useful: far beyond any deadline.
        let base = state.base;
        state.base = base
            .checked_add(duration)
            .or_else(|| base.checked_add(FAR_FUTURE))
            .unwrap_or(base);
        Ok(())
    }

    /// `advance_to` (in `instant.rs`) on a `std` instant.
    pub(crate) fn advance_to_std(&self, target: std::time::Instant) -> bool {
        let mut state = self.lock();
        if state.unfrozen.is_none() && target > state.base {
            state.base = target;
            return true;
        }
        false
    }

    /// Whether the driver, finding nothing to do, may jump to the next
    /// timer instead of sleeping.
    pub(crate) fn can_auto_advance(&self) -> bool {
        self.is_paused() && self.inhibitors.load(Ordering::Acquire) == 0
    }

    /// Forbids auto-advance until the matching [`ClockInner::allow_auto_advance`].
    /// Counted: every call needs its own `allow`. Use the reactor's methods
    /// of the same names, which also wake the driver when allowed again.
    pub(crate) fn inhibit_auto_advance(&self) {
        self.inhibitors.fetch_add(1, Ordering::AcqRel);
    }

    /// Undoes one [`ClockInner::inhibit_auto_advance`]; returns whether that
    /// was the last.
    pub(crate) fn allow_auto_advance(&self) -> bool {
        let previous = self.inhibitors.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(previous > 0, "allow_auto_advance without inhibit_auto_advance");
        previous == 1
    }
}

thread_local! {
    /// The clock of the runtime the thread is in (see [`enter`]).
    static CURRENT: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

/// Makes `clock` the thread's current clock until the guard is dropped.
/// The runtime's context calls it whenever it makes a runtime current, so
/// that [`now`] finds the clock without looking up the runtime (the timer
/// driver, below the runtime, reads instants too).
pub(crate) fn enter(clock: Clock) -> EnterGuard {
    match CURRENT.try_with(|current| current.borrow_mut().replace(clock)) {
        Ok(previous) => EnterGuard {
            previous,
            entered: true,
        },
        // The thread's locals are being destroyed: nothing to make current.
        Err(_) => EnterGuard {
            previous: None,
            entered: false,
        },
    }
}

/// Returned by [`enter`]: restores the previous clock when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Clock>,
    entered: bool,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        if self.entered {
            let previous = self.previous.take();
            let _replaced =
                CURRENT.try_with(|current| std::mem::replace(&mut *current.borrow_mut(), previous));
        }
    }
}

/// [`Instant::now`](crate::time::Instant::now): the current runtime's clock, or the system clock
/// outside of a runtime (or while no clock was ever paused).
pub(crate) fn now() -> std::time::Instant {
    if ANY_CLOCK_ADJUSTED.load(Ordering::Acquire) {
        let current = CURRENT.try_with(|current| current.borrow().as_ref().map(|clock| clock.now_std()));
        if let Ok(Some(now)) = current {
            return now;
        }
    }
    std::time::Instant::now()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn pausing_rounds_the_clock_up_to_a_whole_tick() {
        let clock = crate::time::clock::Clock::new();
        clock.pause().unwrap();
        let since = clock.now().into_std() - clock.origin();
        assert_eq!(since.as_nanos() % 1_000_000, 0);
        assert_eq!(clock.pause(), Err("time is already frozen"));
        clock.resume().unwrap();
        assert_eq!(clock.advance(Duration::from_millis(1)), Err("time is not frozen"));
    }
}
