//! Giving the worker to other tasks for one turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::executor::defer;

/// Yields once to the scheduler: the task resumes after the worker has
/// polled the reactor and timers, behind the tasks already queued and
/// those that poll woke (as in tokio). Off a worker (inside `block_on` of
/// the multi-thread runtime), it resumes at the next poll.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// edgeio_runtime::yield_now().await;
/// # });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        defer::defer(cx.waker());
        Poll::Pending
    }
}
