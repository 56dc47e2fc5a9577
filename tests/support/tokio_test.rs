#![allow(dead_code, unused_macros, unused_imports)] // each ported suite uses its own share
//! The few pieces of the `tokio-test` and `futures` crates that tokio's own
//! test suites use, so that the `tests/tokio_*.rs` ports (tokio's tests with
//! `tokio` renamed to `edgeio`) read as the originals: `assert_ok!`,
//! `assert_err!`, `assert_pending!`, `assert_ready*!`, `assert_elapsed!`, `task::spawn` (a
//! future polled by hand with a waker that records wake-ups), `block_on` (a plain thread-parking
//! executor, as `futures::executor::block_on`), `test_panic` (tokio's
//! `support/panic.rs`) and `within` (a watchdog, so that no test hangs).
//! Written against `std` (and edgeio) only, so the ports do not pull
//! tokio's runtime into the tests' build.

use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// A future polled by hand with a waker that records whether it was woken.
pub mod task {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    /// Counts wake-ups since the last poll.
    #[derive(Default)]
    struct WakeCount(AtomicUsize);

    impl Wake for WakeCount {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// tokio-test's `Spawn`: a future and a waker that counts wake-ups.
    pub struct Spawn<F> {
        future: Pin<Box<F>>,
        wakes: Arc<WakeCount>,
    }

    /// Wraps `future` for manual polling, as tokio-test's `task::spawn`.
    pub fn spawn<F>(future: F) -> Spawn<F> {
        Spawn {
            future: Box::pin(future),
            wakes: Arc::default(),
        }
    }

    impl<F: Future> Spawn<F> {
        /// Polls the future once with the counting waker.
        pub fn poll(&mut self) -> Poll<F::Output> {
            self.wakes.0.store(0, Ordering::SeqCst);
            let waker = Waker::from(self.wakes.clone());
            let mut cx = Context::from_waker(&waker);
            self.future.as_mut().poll(&mut cx)
        }
    }

    impl<F> Spawn<F> {
        /// Whether the waker was woken since the last poll.
        pub fn is_woken(&self) -> bool {
            self.wakes.0.load(Ordering::SeqCst) > 0
        }

        /// How many references to the waker exist: this task's own and
        /// the future's clones, as tokio-test counts them.
        pub fn waker_ref_count(&self) -> usize {
            Arc::strong_count(&self.wakes)
        }

        /// Runs `f` with the pinned future and a context of the counting waker.
        pub fn enter<R>(&mut self, f: impl FnOnce(&mut Context<'_>, Pin<&mut F>) -> R) -> R {
            self.wakes.0.store(0, Ordering::SeqCst);
            let waker = Waker::from(self.wakes.clone());
            let mut cx = Context::from_waker(&waker);
            f(&mut cx, self.future.as_mut())
        }
    }

    impl<F> Spawn<F> {
        /// The wrapped future.
        pub fn into_inner(self) -> F
        where
            F: Unpin,
        {
            *Pin::into_inner(self.future)
        }
    }

    /// The wrapped future, as tokio-test's `Spawn` gives it (`sleep.reset(..)`).
    impl<F: Unpin> std::ops::Deref for Spawn<F> {
        type Target = F;

        fn deref(&self) -> &F {
            &self.future
        }
    }

    impl<F: Unpin> std::ops::DerefMut for Spawn<F> {
        fn deref_mut(&mut self) -> &mut F {
            &mut self.future
        }
    }

    impl<F: Future> Future for Spawn<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.future.as_mut().poll(cx)
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

macro_rules! assert_ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => panic!("assertion failed: Err({:?})", e),
        }
    };
    ($e:expr, $($arg:tt)+) => {
        match $e {
            Ok(v) => v,
            Err(e) => panic!("assertion failed: Err({:?}): {}", e, format_args!($($arg)+)),
        }
    };
}

macro_rules! assert_err {
    ($e:expr) => {
        match $e {
            Ok(v) => panic!("assertion failed: Ok({:?})", v),
            Err(e) => e,
        }
    };
}

macro_rules! assert_pending {
    ($e:expr) => {
        match $e {
            std::task::Poll::Pending => {}
            std::task::Poll::Ready(v) => panic!("ready; value = {:?}", v),
        }
    };
}

macro_rules! assert_ready {
    ($e:expr) => {
        match $e {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("pending"),
        }
    };
}

macro_rules! assert_ready_ok {
    ($e:expr) => {
        match $e {
            std::task::Poll::Ready(Ok(v)) => v,
            std::task::Poll::Ready(Err(e)) => panic!("error = {:?}", e),
            std::task::Poll::Pending => panic!("pending"),
        }
    };
}

macro_rules! assert_ready_err {
    ($e:expr) => {
        match $e {
            std::task::Poll::Ready(Err(e)) => e,
            std::task::Poll::Ready(Ok(v)) => panic!("ok; value = {:?}", v),
            std::task::Poll::Pending => panic!("pending"),
        }
    };
}

macro_rules! assert_ready_eq {
    ($e:expr, $expect:expr) => {
        match $e {
            std::task::Poll::Ready(v) => assert_eq!(v, $expect),
            std::task::Poll::Pending => panic!("pending"),
        }
    };
}

/// tokio-test's `assert_elapsed!`: `$start.elapsed()` is `$dur`, give or
/// take the millisecond a timer rounds up to.
macro_rules! assert_elapsed {
    ($start:expr, $dur:expr) => {{
        let elapsed = $start.elapsed();
        let lower: std::time::Duration = $dur;
        assert!(
            elapsed >= lower && elapsed <= lower + std::time::Duration::from_millis(1),
            "actual = {:?}, expected = {:?}",
            elapsed,
            lower
        );
    }};
}

pub(crate) use {
    assert_elapsed, assert_err, assert_ok, assert_pending, assert_ready, assert_ready_eq, assert_ready_err,
    assert_ready_ok,
};
