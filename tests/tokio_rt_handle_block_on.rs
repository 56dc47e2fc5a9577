#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/rt_handle_block_on.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.

//!
//! Left out: the `tokio::fs` and `tokio::net` cases (`basic_fs`,
//! `fs_shutdown_before_started`, `tcp_listener_*`, `udp_*`, `unix_listener_*`),
//! which test those modules rather than `Handle::block_on`.

#[path = "support/tokio_test.rs"]
mod tokio_test;

// All io tests that deal with shutdown is currently ignored because there are known bugs in with
// shutting down the io driver while concurrently registering new resources. See
// https://github.com/tokio-rs/tokio/pull/3569#pullrequestreview-612703467 for more details.
//
// When this has been fixed we want to re-enable these tests.

use edgeio::runtime::{Handle, Runtime};
use edgeio::sync::mpsc;
#[cfg(not(target_os = "wasi"))]
use edgeio::time;
use std::time::Duration;

#[cfg(not(target_os = "wasi"))] // Wasi doesn't support threads
macro_rules! multi_threaded_rt_test {
    ($($t:tt)*) => {
        mod threaded_scheduler_4_threads_only {
            use super::*;

            $($t)*

            fn rt() -> Runtime {
                edgeio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .enable_all()
                    .build()
                    .unwrap()
            }
        }

        mod threaded_scheduler_1_thread_only {
            use super::*;

            $($t)*

            fn rt() -> Runtime {
                edgeio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap()
            }
        }
    }
}

#[cfg(not(target_os = "wasi"))]
macro_rules! rt_test {
    ($($t:tt)*) => {
        mod current_thread_scheduler {
            use super::*;

            $($t)*

            fn rt() -> Runtime {
                edgeio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
            }
        }

        mod threaded_scheduler_4_threads {
            use super::*;

            $($t)*

            fn rt() -> Runtime {
                edgeio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .enable_all()
                    .build()
                    .unwrap()
            }
        }

        mod threaded_scheduler_1_thread {
            use super::*;

            $($t)*

            fn rt() -> Runtime {
                edgeio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap()
            }
        }
    }
}

// ==== runtime independent futures ======

#[test]
fn basic() {
    let _watchdog = tokio_test::watchdog();
    test_with_runtimes(|| {
        let one = Handle::current().block_on(async { 1 });
        assert_eq!(1, one);
    });
}

#[test]
fn bounded_mpsc_channel() {
    let _watchdog = tokio_test::watchdog();
    test_with_runtimes(|| {
        let (tx, mut rx) = mpsc::channel(1024);

        Handle::current().block_on(tx.send(42)).unwrap();

        let value = Handle::current().block_on(rx.recv()).unwrap();
        assert_eq!(value, 42);
    });
}

#[test]
fn unbounded_mpsc_channel() {
    let _watchdog = tokio_test::watchdog();
    test_with_runtimes(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();

        let _ = tx.send(42);

        let value = Handle::current().block_on(rx.recv()).unwrap();
        assert_eq!(value, 42);
    })
}

#[test]
fn yield_in_block_in_place() {
    let _watchdog = tokio_test::watchdog();
    test_with_runtimes(|| {
        // Adapted: on the current-thread runtime edgeio's `Handle::block_on`
        // drives the runtime as `Runtime::block_on` does (see its doc), so
        // `block_in_place` panics there as in tokio's `Runtime::block_on`;
        // checked on the multi-thread runtimes only.
        if Handle::current().runtime_flavor() == edgeio::runtime::RuntimeFlavor::CurrentThread {
            return;
        }
        Handle::current().block_on(async {
            edgeio::task::block_in_place(|| {
                Handle::current().block_on(edgeio::task::yield_now());
            });
        });
    })
}

#[cfg(not(target_os = "wasi"))] // Wasi doesn't support file operations or bind
rt_test! {
    // ==== spawn blocking futures ======

    #[test]
    fn basic_spawn_blocking() {
        let _watchdog = tokio_test::watchdog();
        use edgeio::task::spawn_blocking;
        let rt = rt();
        let _enter = rt.enter();

        let answer = Handle::current()
            .block_on(spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(100));
                42
            }))
            .unwrap();

        assert_eq!(answer, 42);
    }

    #[test]
    fn spawn_blocking_after_shutdown_fails() {
        let _watchdog = tokio_test::watchdog();
        use edgeio::task::spawn_blocking;
        let rt = rt();
        let _enter = rt.enter();
        rt.shutdown_timeout(Duration::from_secs(1000));

        let join_err = Handle::current()
            .block_on(spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(100));
                42
            }))
            .unwrap_err();

        assert!(join_err.is_cancelled());
    }

    #[test]
    fn spawn_blocking_started_before_shutdown_continues() {
        let _watchdog = tokio_test::watchdog();
        use edgeio::task::spawn_blocking;
        let rt = rt();
        let _enter = rt.enter();

        let handle = spawn_blocking(|| {
            std::thread::sleep(Duration::from_secs(1));
            42
        });

        rt.shutdown_timeout(Duration::from_secs(1000));

        let answer = Handle::current().block_on(handle).unwrap();

        assert_eq!(answer, 42);
    }

    #[test]
    fn thread_park_ok() {
        let _watchdog = tokio_test::watchdog();
        use core::task::Poll;
        let rt = rt();
        let mut exit = false;
        rt.handle().block_on(core::future::poll_fn(move |cx| {
            if exit {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            // Verify that consuming the park token does not result in a hang.
            std::thread::current().unpark();
            std::thread::park();
            exit = true;
            Poll::Pending
        }));
    }

    // ==== nesting ======

    // Adapted: tokio forbids a `block_on` inside another on every flavor;
    // edgeio's multi-thread runtime allows it (see the doc of
    // `Handle::block_on`), so the panic is expected on the current-thread
    // runtime only, and on the others the nested call must just work.
    #[test]
    fn nesting() {
        let _watchdog = tokio_test::watchdog();
        fn some_non_async_function() -> i32 {
            Handle::current().block_on(time::sleep(Duration::from_millis(10)));
            1
        }

        let rt = rt();
        let current_thread = rt.handle().runtime_flavor() == edgeio::runtime::RuntimeFlavor::CurrentThread;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async { some_non_async_function() })
        }));
        if current_thread {
            let panic = result.unwrap_err();
            let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
            assert!(message.contains(
                "Cannot start a runtime from within a runtime. This happens because a function (like `block_on`) attempted to block the current thread while the thread is being used to drive asynchronous tasks."
            ), "{message}");
        } else {
            assert_eq!(result.unwrap(), 1);
        }
    }

    #[test]
    fn spawn_after_runtime_dropped() {
        let _watchdog = tokio_test::watchdog();
        use futures_util::future::FutureExt;

        let rt = rt();

        let handle = rt.block_on(async move {
            Handle::current()
        });

        let jh1 = handle.spawn(futures_util::future::pending::<()>());

        drop(rt);

        let jh2 = handle.spawn(futures_util::future::pending::<()>());

        let err1 = jh1.now_or_never().unwrap().unwrap_err();
        let err2 = jh2.now_or_never().unwrap().unwrap_err();
        assert!(err1.is_cancelled());
        assert!(err2.is_cancelled());
    }
}

#[cfg(not(target_os = "wasi"))]
multi_threaded_rt_test! {
    // ==== timers ======

    // `Handle::block_on` doesn't work with timer futures on a current thread runtime as there is no
    // one to drive the timers so they will just hang forever. Therefore they are not tested.

    #[test]
    fn sleep() {
        let _watchdog = tokio_test::watchdog();
        let rt = rt();
        let _enter = rt.enter();

        Handle::current().block_on(time::sleep(Duration::from_millis(100)));
    }

    // Adapted (both `sleep_*_shutdown_panics`): edgeio's panic message
    // names edgeio where tokio's names tokio; the part after it is tokio's.
    #[test]
    #[should_panic(expected = "context was found, but it is being shutdown")]
    fn sleep_before_shutdown_panics() {
        let _watchdog = tokio_test::watchdog();
        let rt = rt();
        let _enter = rt.enter();

        let f = time::sleep(Duration::from_millis(100));

        rt.shutdown_timeout(Duration::from_secs(1000));

        Handle::current().block_on(f);
    }

    #[test]
    #[should_panic(expected = "context was found, but it is being shutdown")]
    fn sleep_after_shutdown_panics() {
        let _watchdog = tokio_test::watchdog();
        let rt = rt();
        let _enter = rt.enter();

        rt.shutdown_timeout(Duration::from_secs(1000));

        Handle::current().block_on(time::sleep(Duration::from_millis(100)));
    }
}

// ==== utils ======

/// Create a new multi threaded runtime
#[cfg(not(target_os = "wasi"))]
fn new_multi_thread(n: usize) -> Runtime {
    edgeio::runtime::Builder::new_multi_thread()
        .worker_threads(n)
        .enable_all()
        .build()
        .unwrap()
}

/// Create a new single threaded runtime
fn new_current_thread() -> Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Utility to test things on both kinds of runtimes both before and after shutting it down.
fn test_with_runtimes<F>(f: F)
where
    F: Fn(),
{
    {
        let rt = new_current_thread();
        let _enter = rt.enter();
        f();

        rt.shutdown_timeout(Duration::from_secs(1000));
        f();
    }

    #[cfg(not(target_os = "wasi"))]
    {
        let rt = new_multi_thread(1);
        let _enter = rt.enter();
        f();

        rt.shutdown_timeout(Duration::from_secs(1000));
        f();
    }

    #[cfg(not(target_os = "wasi"))]
    {
        let rt = new_multi_thread(4);
        let _enter = rt.enter();
        f();

        rt.shutdown_timeout(Duration::from_secs(1000));
        f();
    }
}
