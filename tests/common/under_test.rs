//! Running a test's body on a runtime of its own, in a thread of its own,
//! with every thread of the code under test named so that leak checks can
//! tell them from the test harness's.

use std::future::Future;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use edgeio::Builder;

/// Names every thread of the code under test starts with: the runtime's
/// (workers, blocking pool) and the one running its `block_on`. A thread
/// any of them starts without a name inherits its creator's.
const UNDER_TEST: &str = "under-test";

/// Open fds of the process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Threads of the code under test, not counting the test harness's own
/// (which it may start at any moment for the next test).
pub fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.starts_with(UNDER_TEST))
        })
        .count()
}

/// Runs `body` on a two-worker runtime in a thread, failing after `limit`.
/// The runtime and the thread are gone when it returns, so the next test
/// counts none of their fds or threads.
pub fn with_runtime(limit: Duration, body: impl Future<Output = ()> + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let body_thread = thread::Builder::new().name(format!("{UNDER_TEST}-main"));
    let thread = body_thread.spawn(move || {
        let runtime = Builder::new()
            .worker_threads(2)
            .thread_name(UNDER_TEST)
            .build()
            .unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(body)));
        drop(runtime);
        let _ = tx.send(result);
    });
    let thread = thread.unwrap();
    let result = rx.recv_timeout(limit);
    if result.is_ok() {
        // It has sent its last word: joining takes no time.
        thread.join().unwrap();
    }
    match result {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("test timed out"),
    }
}
