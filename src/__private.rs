//! Support code for the `#[edgeio::main]` and `#[edgeio::test]`
//! attributes and the `select!` macro. Not a public API.

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use edgeio_runtime::Builder;

/// The crate `select!` hands its branches to.
pub use tokio;

/// Waits, without spending any, until the current task has budget left:
/// `select!` awaits it before it starts, as tokio's checks tokio's budget.
pub async fn budget_available() {
    // Dropped without `made_progress`, the guard gives the unit back.
    std::future::poll_fn(|cx| edgeio_runtime::task::coop::poll_proceed(cx).map(drop)).await;
}

/// The runtime an attribute asks for.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeConfig {
    /// `flavor = "current_thread"`, or the default of `#[edgeio::test]`.
    pub current_thread: bool,
    /// `worker_threads = N`.
    pub workers: Option<usize>,
    /// `start_paused = true`.
    pub start_paused: bool,
    /// `name = "..."`.
    pub name: Option<&'static str>,
}

/// Builds the runtime for `#[edgeio::main]` and `#[edgeio::test]`.
pub fn main_runtime(config: RuntimeConfig) -> edgeio_runtime::Runtime {
    let mut builder = if config.current_thread {
        Builder::new_current_thread()
    } else {
        Builder::new_multi_thread()
    };
    if let Some(workers) = config.workers {
        builder.worker_threads(workers);
    }
    if config.start_paused {
        builder.start_paused(true);
    }
    if let Some(name) = config.name {
        builder.name(name);
    }
    builder
        .build()
        .unwrap_or_else(|e| panic!("failed to start the edgeio runtime: {e}"))
}

/// Runs a test body on a fresh runtime, on its own thread, and fails the
/// test if it has not finished within `timeout`. The watchdog is a plain
/// OS thread wait, so it fires even if the runtime itself is wedged.
pub fn run_test<F, Fut>(workers: Option<usize>, timeout: Duration, make_future: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    let config = RuntimeConfig {
        current_thread: false,
        workers,
        start_paused: false,
        name: None,
    };
    run_test_with(config, timeout, make_future)
}

/// [`run_test`] on the runtime `config` describes.
pub fn run_test_with<F, Fut>(config: RuntimeConfig, timeout: Duration, make_future: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    let (done, result) = mpsc::channel();
    let spawned = thread::Builder::new().name("edgeio-test".into()).spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let runtime = main_runtime(config);
            runtime.block_on(make_future())
        }));
        let _ = done.send(outcome);
    });
    if let Err(e) = spawned {
        panic!("cannot start the test thread: {e}");
    }
    match result.recv_timeout(timeout) {
        Ok(Ok(output)) => output,
        Ok(Err(panic)) => resume_unwind(panic),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test timed out after {timeout:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test thread exited without a result"),
    }
}
