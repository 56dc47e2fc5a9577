#![allow(dead_code, unused_macros, unused_imports)] // each test binary uses its own share
//! The part of the `tokio-test` crate that tokio's own test suites use
//! (`task::spawn` and the `assert_*` macros), written against `std` only,
//! so that those suites port to edgeio by renaming `tokio` without pulling
//! tokio's runtime into the tests' build.

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

        /// How many wakers (the test's and the future's clones) exist.
        pub fn waker_ref_count(&self) -> usize {
            Arc::strong_count(&self.wakes) - 1
        }

        /// Runs `f` with the pinned future and a context of the counting waker.
        pub fn enter<R>(&mut self, f: impl FnOnce(&mut Context<'_>, Pin<&mut F>) -> R) -> R {
            self.wakes.0.store(0, Ordering::SeqCst);
            let waker = Waker::from(self.wakes.clone());
            let mut cx = Context::from_waker(&waker);
            f(&mut cx, self.future.as_mut())
        }
    }

    impl<F: Future> Future for Spawn<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.future.as_mut().poll(cx)
        }
    }
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

pub(crate) use {assert_err, assert_ok, assert_pending, assert_ready, assert_ready_err, assert_ready_ok};
