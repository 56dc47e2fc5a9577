//! Timers: `sleep`, `sleep_until`, `timeout` and `interval`.
//!
//! Deadlines live in the reactor, which sizes its `epoll_wait` timeout to
//! the earliest one. A timer is registered on its first `Pending` poll and
//! removed when it fires or when the future is dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

pub(crate) mod timers;

use crate::executor::coop;
use crate::io::reactor::Reactor;
use crate::runtime::Handle;

/// Waits until `duration` has elapsed.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// edgeio_runtime::time::sleep(Duration::from_millis(10)).await;
/// assert!(start.elapsed() >= Duration::from_millis(10));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    // A duration too large to add is, for all purposes, forever.
    sleep_until(Instant::now().checked_add(duration).unwrap_or_else(far_future))
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// # Panics
///
/// When polled outside of an edgeio runtime.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    timer: Option<(Arc<Reactor>, u64)>,
}

impl Sleep {
    /// The instant this sleep completes.
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    #[must_use]
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline, keeping the future usable after it completed.
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    fn cancel(&mut self) {
        if let Some((reactor, id)) = self.timer.take() {
            reactor.remove_timer(self.deadline, id);
        }
    }

    /// Ready once the deadline has passed; until then keeps the timer
    /// registered with the latest waker.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            self.cancel();
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        match &self.timer {
            Some((reactor, id)) if reactor.update_timer(deadline, *id, cx.waker()) => {}
            // Fired already, yet `now < deadline`: clocks agree that cannot
            // happen, but registering again is the safe answer.
            _ => {
                let reactor = Handle::current().reactor().clone();
                let id = reactor.insert_timer(deadline, cx.waker().clone());
                self.timer = Some((reactor, id));
            }
        }
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A loop of expired sleeps (`sleep(ZERO)`, an interval that fell
        // behind) must yield to other tasks like a loop of I/O does.
        coop::budgeted(cx, |cx| self.as_mut().poll_deadline(cx))
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline).finish()
    }
}

/// Runs `future`, giving up once `duration` has elapsed.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// use edgeio_runtime::time::{sleep, timeout};
/// let late = timeout(Duration::from_millis(5), sleep(Duration::from_secs(10))).await;
/// assert!(late.is_err());
/// # });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

/// Runs `future`, giving up at `deadline`.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep_until(deadline),
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(Elapsed(())))
    }
}

/// The error of a [`timeout`] whose deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}

/// A stream of ticks `period` apart; the first completes at once.
///
/// If a tick is late (the task was busy), the next ones are scheduled from
/// the late tick, so ticks are never fired in a burst to catch up.
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
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`interval` period must be non-zero");
    Interval {
        period,
        sleep: sleep_until(Instant::now()),
    }
}

/// Returned by [`interval`].
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    sleep: Sleep,
}

impl Interval {
    /// Completes at the next tick and returns its scheduled instant.
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Poll form of [`Interval::tick`].
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let scheduled = self.sleep.deadline();
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let now = Instant::now();
        // A period too long to add to a clock reading puts the next tick in
        // the far future, as `sleep` does, rather than panic.
        let next = scheduled
            .checked_add(self.period)
            .filter(|next| *next > now)
            .or_else(|| now.checked_add(self.period))
            .unwrap_or_else(far_future);
        self.sleep.reset(next);
        Poll::Ready(scheduled)
    }

    /// The time between ticks.
    #[must_use]
    pub fn period(&self) -> Duration {
        self.period
    }
}
