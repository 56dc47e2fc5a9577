//! The clock timers read: the system's monotonic clock, or a paused one
//! for tests ([`pause`], [`advance`], [`resume`]).
//!
//! Each runtime has one clock, kept by its reactor. While it runs, it reads
//! `std::time::Instant::now()`. Paused, it stands still: only [`advance`]
//! and the driver's *auto-advance* move it. Auto-advance is what makes a
//! paused clock useful: when the scheduler has nothing to run and the
//! reactor has no I/O ready, the driver, instead of sleeping until the next
//! timer, moves the clock to that timer's deadline and fires it. A test of
//! a 30 s idle timeout therefore finishes in milliseconds, as with tokio.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::runtime::Handle;
use crate::time::instant::FAR_FUTURE;
use crate::time::Instant;

/// Set once any clock of the process has been paused: until then
/// [`Instant::now`] reads the system clock without looking up the runtime.
static ANY_CLOCK_ADJUSTED: AtomicBool = AtomicBool::new(false);

pub(crate) struct Clock {
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
            origin: now,
            adjusted: AtomicBool::new(false),
            state: Mutex::new(State {
                base: now,
                unfrozen: Some(now),
            }),
            inhibitors: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current time on this clock.
    pub(crate) fn now(&self) -> Instant {
        if !self.adjusted.load(Ordering::Acquire) {
            return Instant::from_std(std::time::Instant::now());
        }
        let state = self.lock();
        let now = match state.unfrozen {
            Some(unfrozen) => state.base + unfrozen.elapsed(),
            None => state.base,
        };
        Instant::from_std(now)
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

    /// Moves a paused clock forward to `target` if it is later; used by
    /// auto-advance. Returns whether the clock moved.
    pub(crate) fn advance_to(&self, target: Instant) -> bool {
        let mut state = self.lock();
        if state.unfrozen.is_none() && target.into_std() > state.base {
            state.base = target.into_std();
            return true;
        }
        false
    }

    /// Whether the driver, finding nothing to do, may jump to the next
    /// timer instead of sleeping.
    pub(crate) fn can_auto_advance(&self) -> bool {
        self.is_paused() && self.inhibitors.load(Ordering::Acquire) == 0
    }

    /// Forbids auto-advance until the matching [`Clock::allow_auto_advance`].
    /// Counted: every call needs its own `allow`. Use the reactor's methods
    /// of the same names, which also wake the driver when allowed again.
    pub(crate) fn inhibit_auto_advance(&self) {
        self.inhibitors.fetch_add(1, Ordering::AcqRel);
    }

    /// Undoes one [`Clock::inhibit_auto_advance`]; returns whether that
    /// was the last.
    pub(crate) fn allow_auto_advance(&self) -> bool {
        let previous = self.inhibitors.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(previous > 0, "allow_auto_advance without inhibit_auto_advance");
        previous == 1
    }
}

/// [`Instant::now`]: the current runtime's clock, or the system clock
/// outside of a runtime (or while no clock was ever paused).
pub(crate) fn now() -> Instant {
    if ANY_CLOCK_ADJUSTED.load(Ordering::Acquire) {
        if let Some(now) = crate::executor::context::with_current(|h| h.reactor().clock().now()) {
            return now;
        }
    }
    Instant::from_std(std::time::Instant::now())
}

/// Pauses the clock of `handle`'s runtime, without checking the runtime's
/// flavour: the hook for `Builder::start_paused` and
/// `#[edgeio::test(start_paused = true)]`, which decide that themselves.
///
/// # Panics
///
/// If the clock is already paused.
pub(crate) fn pause_runtime_clock(handle: &Handle) {
    handle.reactor().clock().pause().unwrap_or_else(|e| panic!("{e}"));
}

fn current() -> Handle {
    Handle::try_current()
        .unwrap_or_else(|_| panic!("time cannot be paused, advanced or resumed outside of an edgeio runtime"))
}

/// Pauses time: the current runtime's clock stops, and from now on moves
/// only by [`advance`] or by auto-advance.
///
/// While paused, [`Instant::now`] returns the frozen reading, and whenever
/// the runtime has no task to run and no I/O ready, it jumps the clock to
/// the next pending timer and fires it, so code that sleeps (or times out)
/// runs to completion at once, in the same order as it would in real time.
/// I/O still happens in real time: a timeout around a socket read may fire
/// before the peer's (real) reply arrives, as with tokio.
///
/// # Panics
///
/// Outside of a runtime, if the clock is already paused, or on the
/// multi-thread runtime: pausing is only sound on the current-thread
/// runtime (as in tokio), where "no task runnable" is known for certain.
///
/// ```
/// use std::time::Duration;
/// use edgeio_runtime::time::{self, Instant};
///
/// let runtime = edgeio_runtime::Builder::new_current_thread().build()?;
/// runtime.block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(30)).await; // returns at once
///     assert!(start.elapsed() >= Duration::from_secs(30));
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn pause() {
    let handle = current();
    assert!(
        handle.allows_paused_clock(),
        "time::pause() requires the current-thread runtime (`Builder::new_current_thread`, \
         `#[edgeio::test]`): with worker threads, the clock could jump while one of them is busy"
    );
    handle.reactor().clock().pause().unwrap_or_else(|e| panic!("{e}"));
}

/// Resumes time: the clock runs again from its paused reading.
///
/// # Panics
///
/// Outside of a runtime, or if the clock is not paused.
#[track_caller]
pub fn resume() {
    current()
        .reactor()
        .clock()
        .resume()
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Moves a paused clock forward by `duration`, fires every timer that came
/// due, and yields once so that their tasks can run.
///
/// As in tokio, it does not wait for those tasks to finish: to run them to
/// completion, `sleep` instead and let auto-advance do the rest.
///
/// # Panics
///
/// Outside of a runtime, or if the clock is not paused.
pub async fn advance(duration: Duration) {
    let handle = current();
    let reactor = handle.reactor();
    reactor
        .clock()
        .advance(duration)
        .unwrap_or_else(|e| panic!("{e}"));
    reactor.fire_due_timers();
    crate::yield_now().await;
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::runtime::Handle;
    use crate::time::{self, Instant};

    /// While inhibited, a paused clock does not jump; once allowed again,
    /// the driver (asleep in real time) is woken and jumps at once.
    #[test]
    fn inhibited_auto_advance_waits_until_allowed() {
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = crate::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                time::pause();
                let reactor = Handle::current().reactor().clone();
                reactor.inhibit_auto_advance();
                let start = Instant::now();
                let sleeper = crate::spawn(time::sleep(Duration::from_secs(3600)));
                std::thread::sleep(Duration::from_millis(100));
                assert!(!sleeper.is_finished(), "auto-advanced while inhibited");
                assert_eq!(Instant::now(), start);
                reactor.allow_auto_advance();
                sleeper.await.unwrap();
                assert_eq!(start.elapsed(), Duration::from_secs(3600));
            });
            let _ = done.send(());
        });
        finished
            .recv_timeout(Duration::from_secs(30))
            .expect("the sleeper never finished (or the test panicked)");
    }

    #[test]
    fn pausing_rounds_the_clock_up_to_a_whole_tick() {
        let clock = super::Clock::new();
        clock.pause().unwrap();
        let since = clock.now().into_std() - clock.origin();
        assert_eq!(since.as_nanos() % 1_000_000, 0);
        assert_eq!(clock.pause(), Err("time is already frozen"));
        clock.resume().unwrap();
        assert_eq!(clock.advance(Duration::from_millis(1)), Err("time is not frozen"));
    }
}
