//! Helpers shared by the `guarantees_*` regression tests (issue #19): a
//! watchdog so a regression fails instead of hanging, a tiny executor to
//! await a `JoinHandle` from a plain thread, a poll counter, and a way to
//! run a test body in a child process (for behaviour that aborts).
//!
//! Each test binary uses a different subset.
#![allow(dead_code)]

use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// Runs `body` on a thread of its own and returns its result; fails (with
/// `what` in the message) if it has not returned within `limit`. A body
/// that hangs is left behind on its thread: the test fails, the binary
/// still exits.
pub fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    body: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name(format!("watched: {what}"))
        .spawn(move || {
            let out = catch_unwind(AssertUnwindSafe(body));
            let _ = tx.send(out);
        })
        .unwrap();
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => resume_unwind(panic),
        Err(_) => panic!("{what}: no result within {limit:?} (hangs on this code)"),
    }
}

struct ThreadWaker {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Polls `future` on the calling thread (which need not belong to any
/// runtime) until it completes or `limit` passes; `None` on timeout.
pub fn block_on_for<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let deadline = Instant::now() + limit;
    let waker = Arc::new(ThreadWaker {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let task_waker = Waker::from(waker.clone());
    let mut cx = Context::from_waker(&task_waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        while !waker.woken.swap(false, Ordering::AcqRel) {
            let left = deadline.checked_duration_since(Instant::now())?;
            thread::park_timeout(left);
        }
    }
}

/// Counts how many times the wrapped future is polled.
pub struct CountPolls<F> {
    pub future: Pin<Box<F>>,
    pub polls: Arc<AtomicU64>,
}

impl<F> CountPolls<F> {
    pub fn new(future: F) -> (CountPolls<F>, Arc<AtomicU64>) {
        let polls = Arc::new(AtomicU64::new(0));
        let counted = CountPolls {
            future: Box::pin(future),
            polls: polls.clone(),
        };
        (counted, polls)
    }
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.future.as_mut().poll(cx)
    }
}

/// Environment variable that tells a re-executed test binary to run the
/// body of the test named in its value instead of spawning a child.
pub const CHILD_ENV: &str = "EDGEIO_GUARANTEES_CHILD";

/// Whether this process is the child started by [`run_in_child`] for
/// `test`.
pub fn is_child(test: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| v == test)
}

/// Re-executes this test binary to run only `test` (whose body checks
/// [`is_child`]), and asserts that the child exits successfully within
/// `limit`. For behaviour whose failure mode is an abort, which would take
/// the whole test binary down.
pub fn run_in_child(test: &str, limit: Duration) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{test}: child process still running after {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        thread::sleep(Duration::from_millis(10));
    };
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        status.success() && stdout.contains("1 passed"),
        "{test}: child process failed ({status}); stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
