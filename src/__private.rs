//! Support code for the `#[edgeio::main]` and `#[edgeio::test]` macros.
//! Not a public API.

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use edgeio_runtime::Builder;

/// Builds the runtime for `#[edgeio::main]`.
pub fn main_runtime(workers: Option<usize>) -> edgeio_runtime::Runtime {
    let mut builder = Builder::new();
    if let Some(workers) = workers {
        builder = builder.worker_threads(workers);
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
    let (done, result) = mpsc::channel();
    let spawned = thread::Builder::new().name("edgeio-test".into()).spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let runtime = main_runtime(workers);
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
