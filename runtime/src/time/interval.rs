//! [`interval`], [`interval_at`], [`Interval`] and [`MissedTickBehavior`].

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::time::instant::Instant;
use crate::time::sleep::{sleep_until, Sleep};

/// A tick this much later than scheduled counts as missed (tokio's
/// threshold): smaller delays are scheduling noise, not a missed tick.
const MISSED_TICK_THRESHOLD: Duration = Duration::from_millis(5);

/// A stream of ticks `period` apart; the first completes at once.
///
/// Ticks that come late (the task was busy) are made up for according to
/// [`MissedTickBehavior`], by default [`Burst`](MissedTickBehavior::Burst),
/// as tokio.
///
/// # Panics
///
/// If `period` is zero.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// let mut ticks = edgeio_runtime::time::interval(Duration::from_millis(2));
/// for _ in 0..3 {
///     ticks.tick().await;
/// }
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`period` must be non-zero.");
    interval_at(Instant::now(), period)
}

/// Like [`interval`], with the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "`period` must be non-zero.");
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does about ticks it missed because the task was
/// busy for longer than a period. The names and meanings are tokio's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per `tick()`, until caught up
    /// with the original schedule (the default).
    #[default]
    Burst,
    /// Fire once now and schedule the following ticks a `period` apart from
    /// now: the schedule shifts by the delay.
    Delay,
    /// Fire once now and skip the missed ticks: the next tick is the next
    /// one of the original schedule.
    Skip,
}

impl MissedTickBehavior {
    /// The tick after `timeout` (the scheduled instant of the tick that
    /// fired late, at `now`).
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => timeout.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let late = now.duration_since(timeout).as_nanos() % period.as_nanos();
                // `late < period`, which is a `Duration`: it fits.
                let late = Duration::from_nanos(u64::try_from(late).unwrap_or(u64::MAX));
                now.saturating_add(period.saturating_sub(late))
            }
        }
    }
}

/// Returned by [`interval`] and [`interval_at`].
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

/// The ticks as a stream, which never ends: what tokio-stream's
/// `IntervalStream` wraps a tokio `Interval` in, and what async-io's
/// periodic `Timer` is, so `interval.next().await` and stream combinators
/// work on an edgeio `Interval` as it is.
impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl Interval {
    /// Completes at the next tick and returns its scheduled instant.
    ///
    /// Cancel safe: dropping the future before it completes loses no tick.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Poll form of [`Interval::tick`]: `Ready` with the tick's scheduled
    /// instant once it is due.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout.saturating_add(MISSED_TICK_THRESHOLD) {
            self.missed_tick_behavior.next_timeout(timeout, now, self.period)
        } else {
            timeout.saturating_add(self.period)
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is a period from now.
    pub fn reset(&mut self) {
        self.reset_at(Instant::now().saturating_add(self.period));
    }

    /// Restarts the schedule: the next tick is now.
    pub fn reset_immediately(&mut self) {
        self.reset_at(Instant::now());
    }

    /// Restarts the schedule: the next tick is `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        self.reset_at(Instant::now().saturating_add(after));
    }

    /// Restarts the schedule: the next tick is at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// What happens to missed ticks.
    #[must_use]
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens to missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The time between ticks.
    #[must_use]
    pub fn period(&self) -> Duration {
        self.period
    }
}
