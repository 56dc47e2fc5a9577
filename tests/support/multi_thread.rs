#![allow(dead_code)] // each test binary uses its own share of the helpers
//! Runs a test body on the multi-thread runtime with 1 worker and with 4,
//! each under a watchdog that fails the test instead of hanging it.

use std::future::Future;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

/// How long one body may run on one runtime.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `body()` to completion on a 1-worker and on a 4-worker runtime.
pub fn each_runtime<F, Fut>(body: F)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()>,
{
    let body = Arc::new(body);
    for workers in [1, 4] {
        let body = body.clone();
        let (done, finished) = mpsc::channel();
        let runner = thread::Builder::new()
            .name(format!("test-{workers}-workers"))
            .spawn(move || {
                let runtime = edgeio::Builder::new()
                    .worker_threads(workers)
                    .build()
                    .expect("runtime");
                runtime.block_on(body());
                drop(runtime);
                let _ = done.send(());
            })
            .expect("test thread");
        match finished.recv_timeout(WATCHDOG) {
            Ok(()) => runner.join().expect("test thread"),
            // The body panicked: re-raise it with its message.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if let Err(panic) = runner.join() {
                    std::panic::resume_unwind(panic);
                }
                panic!("test thread exited without finishing");
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("test body did not finish within {WATCHDOG:?} on {workers} worker(s)")
            }
        }
    }
}

/// Waits, yielding to the runtime, until `condition` holds; panics after
/// a bounded time.
pub async fn wait_until(mut condition: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if condition() {
            return;
        }
        edgeio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("condition not met within 10 s");
}
