//! Helpers shared by the `time_*` tests: a watchdog, runtimes, and polling
//! a future exactly once.

#![allow(dead_code)] // Each test file uses its own subset.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

use edgeio_runtime::{spawn, time, Builder};

/// Every test fails rather than hangs after this long.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Runs `body` on a thread of its own and fails if it has not returned
/// within `limit`.
pub fn within<R: Send + 'static>(limit: Duration, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => v,
        Ok(Err(p)) => std::panic::resume_unwind(p),
        Err(_) => panic!("test timed out after {limit:?}"),
    }
}

/// Runs `make()` in `block_on` on a fresh runtime with `workers` workers.
pub fn run<F, Fut>(workers: usize, make: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    within(LIMIT, move || {
        let runtime = Builder::new().worker_threads(workers).build().unwrap();
        runtime.block_on(make())
    })
}

/// Runs `make()` as a task on a one-worker runtime whose clock is paused
/// first, so that the task, its timers and auto-advance all live on one
/// thread, as on tokio's current-thread runtime.
pub fn run_paused<F, Fut>(make: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    within(LIMIT, move || {
        let runtime = Builder::new_current_thread().build().unwrap();
        runtime.block_on(async move {
            spawn(async move {
                time::pause();
                make().await
            })
            .await
            .expect("the test task panicked")
        })
    })
}

/// Polls `future` once with the current task's waker.
pub async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
