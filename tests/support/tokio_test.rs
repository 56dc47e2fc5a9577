#![allow(dead_code, unused_macros, unused_imports)] // each ported suite uses its own share
//! The few pieces of the `tokio-test` and `futures` crates that tokio's own
//! test suites use, so that the `tests/tokio_*.rs` ports (tokio's tests with
//! `tokio` renamed to `edgeio`) read as the originals: `assert_ok!`,
//! `assert_err!`, `assert_pending!`, `task::spawn` (a future polled by hand
//! with a waker that records wake-ups), `block_on` (a plain thread-parking
//! executor, as `futures::executor::block_on`), `test_panic` (tokio's
//! `support/panic.rs`) and `within` (a watchdog, so that no test hangs).

use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

macro_rules! assert_ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => panic!("assertion failed: Err({:?})", e),
        }
    };
}
pub(crate) use assert_ok;

macro_rules! assert_err {
    ($e:expr) => {
        match $e {
            Ok(v) => panic!("assertion failed: Ok({:?})", v),
            Err(e) => e,
        }
    };
}
pub(crate) use assert_err;

macro_rules! assert_pending {
    ($e:expr) => {
        match $e {
            std::task::Poll::Pending => {}
            std::task::Poll::Ready(v) => panic!("ready; value = {:?}", v),
        }
    };
}
pub(crate) use assert_pending;

/// Hand-polled futures, as `tokio_test::task`.
pub mod task {
    use super::*;

    /// A waker that counts its wake-ups.
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A future polled by the test itself.
    pub struct Spawn<F> {
        future: Pin<Box<F>>,
        counter: Arc<Counter>,
    }

    /// Wraps `future` to be polled by hand.
    pub fn spawn<F: Future>(future: F) -> Spawn<F> {
        Spawn {
            future: Box::pin(future),
            counter: Arc::new(Counter(AtomicUsize::new(0))),
        }
    }

    impl<F: Future> Spawn<F> {
        /// Polls the future once, with the counting waker.
        pub fn poll(&mut self) -> Poll<F::Output> {
            self.counter.0.store(0, Ordering::SeqCst);
            let waker = Waker::from(self.counter.clone());
            self.future.as_mut().poll(&mut Context::from_waker(&waker))
        }

        /// Whether the future was woken since its last poll.
        pub fn is_woken(&self) -> bool {
            self.counter.0.load(Ordering::SeqCst) > 0
        }
    }
}

/// Wakes a parked thread.
struct Unpark {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Runs `future` on the calling thread, parking it while the future is
/// pending (`futures::executor::block_on`).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let unpark = Arc::new(Unpark {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(unpark.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        while !unpark.woken.swap(false, Ordering::SeqCst) {
            thread::park();
        }
    }
}

/// Runs `func`, and returns the file of the panic it raised, if any
/// (tokio's `support/panic.rs`).
pub fn test_panic<Func: FnOnce() + panic::UnwindSafe>(func: Func) -> Option<String> {
    static PANIC_MUTEX: Mutex<()> = Mutex::new(());

    let _guard = PANIC_MUTEX.lock();
    let panic_file: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));

    let prev_hook = panic::take_hook();
    {
        let panic_file = panic_file.clone();
        panic::set_hook(Box::new(move |panic_info| {
            let panic_location = panic_info.location().unwrap();
            panic_file
                .lock()
                .unwrap()
                .clone_from(&Some(panic_location.file().to_string()));
        }));
    }

    let result = panic::catch_unwind(func);
    panic::set_hook(prev_hook);

    if result.is_err() {
        panic_file.lock().unwrap().clone()
    } else {
        None
    }
}

/// How long a `#[test]` body run by [`within`] may take.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `f` on a thread, failing the test if it takes longer than
/// [`WATCHDOG`]; a panic of `f` is the test's panic (so `should_panic`
/// still sees its message).
pub fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(value) => {
            let _ = worker.join();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => panic::resume_unwind(panic),
            Ok(()) => unreachable!("the body sent nothing and did not panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {WATCHDOG:?}"),
    }
}

/// Aborts the test process if dropped later than [`WATCHDOG`] after its
/// creation: the first line of each ported `#[test]`, so that a hang
/// fails the run instead of stalling it (`#[edgeio::test]` has its own
/// timeout).
pub struct Watchdog(Option<mpsc::Sender<()>>);

/// Starts a [`Watchdog`] for the current test.
pub fn watchdog() -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    let name = thread::current().name().unwrap_or("?").to_owned();
    thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(WATCHDOG) {
            eprintln!("test {name} did not finish within {WATCHDOG:?}; aborting");
            std::process::abort();
        }
    });
    Watchdog(Some(tx))
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.take();
    }
}

/// An unbounded channel whose receiver is a `Stream` (tokio's
/// `support/mpsc_stream.rs`).
pub fn unbounded_channel_stream<T: Unpin>() -> (
    edgeio::sync::mpsc::UnboundedSender<T>,
    impl futures_util::Stream<Item = T>,
) {
    let (tx, mut rx) = edgeio::sync::mpsc::unbounded_channel();
    (tx, futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}
