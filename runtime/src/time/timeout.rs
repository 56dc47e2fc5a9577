//! [`timeout`], [`timeout_at`] and the [`Timeout`] future.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::executor::coop;
use crate::time::error::Elapsed;
use crate::time::instant::Instant;
use crate::time::sleep::{sleep, sleep_until, Sleep};

/// Runs `future`, giving up once `duration` has elapsed.
///
/// The deadline is checked even when the future never stops making
/// progress: once the future has spent its task's cooperative budget, the
/// deadline is checked without one (as tokio does since tokio#4314).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// use edgeio_runtime::time::{sleep, timeout};
/// let late = timeout(Duration::from_millis(5), sleep(Duration::from_secs(10))).await;
/// assert!(late.is_err());
/// # });
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        delay: sleep(duration),
    }
}

/// Runs `future`, giving up at `deadline`.
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        delay: sleep_until(deadline),
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        delay: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The wrapped future, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The wrapped future, giving up the deadline.
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let delay = this.delay;
        let mut poll_delay = || Pin::new(&mut *delay).poll(cx).map(|()| Err(Elapsed::new()));
        if had_budget && !coop::has_budget_remaining() {
            // The future spent the budget: the deadline must not depend on
            // it, or a future that is always ready would never time out.
            coop::with_unconstrained(poll_delay)
        } else {
            poll_delay()
        }
    }
}
