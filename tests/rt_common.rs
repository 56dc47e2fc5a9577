//! Runtime-level behaviour on every flavour, as tokio's `rt_common.rs`
//! runs its tests: the current-thread runtime, the multi-thread runtime
//! with one worker, and with four. Each test builds its own runtime and
//! has a watchdog, so a regression fails instead of hanging.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// The longest any test here may take.
const WATCHDOG: Duration = Duration::from_secs(30);

/// Runs `f` on a thread, failing the test if it takes longer than
/// [`WATCHDOG`].
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
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
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the body sent nothing and did not panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {WATCHDOG:?}"),
    }
}

macro_rules! rt_test {
    ($($flavor:ident => $builder:expr;)*) => {$(
        mod $flavor {
            use super::*;

            fn rt() -> edgeio::Runtime {
                $builder.build().unwrap()
            }

            #[test]
            fn block_on_sync() {
                within(|| {
                    let rt = rt();
                    let mut win = false;
                    rt.block_on(async { win = true });
                    assert!(win);
                });
            }

            #[test]
            fn block_on_async() {
                within(|| {
                    let rt = rt();
                    let out = rt.block_on(async {
                        let (tx, rx) = futures_channel::oneshot::channel();
                        thread::spawn(move || {
                            thread::sleep(Duration::from_millis(20));
                            tx.send("ZOMG").unwrap();
                        });
                        rx.await.unwrap()
                    });
                    assert_eq!(out, "ZOMG");
                });
            }

            #[test]
            fn spawn_one_join() {
                within(|| {
                    let rt = rt();
                    let out = rt.block_on(async { edgeio::spawn(async { "ZOMG" }).await.unwrap() });
                    assert_eq!(out, "ZOMG");
                });
            }

            #[test]
            fn spawn_many_from_block_on_and_from_task() {
                within(|| {
                    let rt = rt();
                    const ITER: usize = 200;
                    let total = rt.block_on(async {
                        let outer = edgeio::spawn(async {
                            let handles: Vec<_> = (0..ITER).map(|i| edgeio::spawn(async move { i })).collect();
                            let mut sum = 0;
                            for handle in handles {
                                sum += handle.await.unwrap();
                            }
                            sum
                        });
                        let handles: Vec<_> = (0..ITER).map(|i| edgeio::spawn(async move { i })).collect();
                        let mut sum = 0;
                        for handle in handles {
                            sum += handle.await.unwrap();
                        }
                        sum + outer.await.unwrap()
                    });
                    assert_eq!(total, 2 * (0..ITER).sum::<usize>());
                });
            }

            #[test]
            fn spawn_await_chain() {
                within(|| {
                    let rt = rt();
                    let out = rt.block_on(async {
                        edgeio::spawn(async { edgeio::spawn(async { "hello" }).await.unwrap() })
                            .await
                            .unwrap()
                    });
                    assert_eq!(out, "hello");
                });
            }

            #[test]
            fn spawn_from_another_thread_and_handle() {
                within(|| {
                    let rt = rt();
                    let handle = rt.handle().clone();
                    let task = thread::spawn(move || handle.spawn(async { 7 })).join().unwrap();
                    assert_eq!(rt.block_on(task).unwrap(), 7);
                });
            }

            #[test]
            fn enter_then_spawn_outside_block_on() {
                within(|| {
                    let rt = rt();
                    let task = {
                        let _guard = rt.enter();
                        edgeio::spawn(async { 9 })
                    };
                    assert_eq!(rt.block_on(task).unwrap(), 9);
                });
            }

            #[test]
            fn outstanding_tasks_dropped_on_shutdown() {
                within(|| {
                    struct Flag(Arc<AtomicUsize>);
                    impl Drop for Flag {
                        fn drop(&mut self) {
                            self.0.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    let dropped = Arc::new(AtomicUsize::new(0));
                    let rt = rt();
                    let flag = Flag(dropped.clone());
                    rt.block_on(async move {
                        edgeio::spawn(async move {
                            let _flag = flag;
                            std::future::pending::<()>().await;
                        })
                        .detach();
                        edgeio::time::sleep(Duration::from_millis(10)).await;
                    });
                    assert_eq!(dropped.load(Ordering::SeqCst), 0);
                    drop(rt);
                    assert_eq!(dropped.load(Ordering::SeqCst), 1);
                });
            }

            #[test]
            #[should_panic(expected = "Cannot start a runtime from within a runtime")]
            fn nested_block_on_in_a_task_panics() {
                let rt = rt();
                let result = rt.block_on(async {
                    edgeio::spawn(async {
                        let inner = edgeio::Builder::new_current_thread().build().unwrap();
                        inner.block_on(async {});
                    })
                    .await
                });
                if let Err(e) = result {
                    std::panic::resume_unwind(e.try_into_panic().unwrap());
                }
            }

            #[test]
            fn create_rt_in_block_on() {
                within(|| {
                    let rt1 = rt();
                    let rt2 = rt1.block_on(async { super::rt_current() });
                    let out = rt2.block_on(async { "ZOMG" });
                    assert_eq!(out, "ZOMG");
                });
            }

            #[test]
            fn sleep_at_root_and_in_task() {
                within(|| {
                    let rt = rt();
                    let dur = Duration::from_millis(50);
                    rt.block_on(async move {
                        let now = Instant::now();
                        edgeio::time::sleep(dur).await;
                        assert!(now.elapsed() >= dur);
                        let now = Instant::now();
                        edgeio::spawn(async move { edgeio::time::sleep(dur).await }).await.unwrap();
                        assert!(now.elapsed() >= dur);
                    });
                });
            }

            #[test]
            fn client_server_over_loopback() {
                within(|| {
                    let rt = rt();
                    rt.block_on(async {
                        use futures_util::io::{AsyncReadExt, AsyncWriteExt};
                        let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:0")?;
                        let addr = listener.local_addr()?;
                        let server = edgeio::spawn(async move {
                            let (mut stream, _) = listener.accept().await?;
                            let mut buf = [0; 5];
                            stream.read_exact(&mut buf).await?;
                            stream.write_all(&buf).await?;
                            io::Result::Ok(())
                        });
                        let mut client = edgeio::net::AsyncTcpStream::connect(addr).await?;
                        client.write_all(b"hello").await?;
                        let mut buf = [0; 5];
                        client.read_exact(&mut buf).await?;
                        assert_eq!(&buf, b"hello");
                        server.await.unwrap()
                    })
                    .unwrap();
                });
            }

            #[test]
            fn io_driver_called_when_under_load() {
                within(|| {
                    let rt = rt();
                    rt.block_on(async {
                        use futures_util::io::{AsyncReadExt, AsyncWriteExt};
                        // A task that never stops yielding must not keep
                        // I/O from being noticed.
                        let busy = edgeio::spawn(async {
                            loop {
                                edgeio::yield_now().await;
                            }
                        });
                        let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:0")?;
                        let addr = listener.local_addr()?;
                        let server = edgeio::spawn(async move {
                            let (mut stream, _) = listener.accept().await?;
                            stream.write_all(b"hello").await?;
                            io::Result::Ok(())
                        });
                        let mut client = edgeio::net::AsyncTcpStream::connect(addr).await?;
                        let mut buf = [0; 5];
                        client.read_exact(&mut buf).await?;
                        server.await.unwrap()?;
                        busy.abort();
                        io::Result::Ok(())
                    })
                    .unwrap();
                });
            }

            #[test]
            fn panic_in_task_is_a_join_error() {
                within(|| {
                    let rt = rt();
                    let err = rt
                        .block_on(async { edgeio::spawn(async { panic!("boom") }).await })
                        .unwrap_err();
                    assert!(err.is_panic());
                    // The runtime keeps working.
                    assert_eq!(rt.block_on(async { edgeio::spawn(async { 1 }).await }).unwrap(), 1);
                });
            }

            #[test]
            fn abort_a_pending_task() {
                within(|| {
                    let rt = rt();
                    rt.block_on(async {
                        let task = edgeio::spawn(std::future::pending::<()>());
                        task.abort();
                        assert!(task.await.unwrap_err().is_cancelled());
                    });
                });
            }

            #[test]
            fn spawn_blocking_from_blocking() {
                within(|| {
                    let rt = rt();
                    let out = rt.block_on(async {
                        edgeio::spawn_blocking(|| edgeio::Handle::current().spawn_blocking(|| "hello"))
                            .await
                            .unwrap()
                            .await
                            .unwrap()
                    });
                    assert_eq!(out, "hello");
                });
            }

            #[test]
            fn wake_from_another_thread_while_idle() {
                within(|| {
                    let rt = rt();
                    let handle = rt.handle().clone();
                    let (tx, rx) = futures_channel::oneshot::channel();
                    let task = rt.spawn(async move { rx.await.unwrap() });
                    thread::spawn(move || {
                        thread::sleep(Duration::from_millis(20));
                        tx.send(5).unwrap();
                        drop(handle);
                    });
                    assert_eq!(rt.block_on(task).unwrap(), 5);
                });
            }

            #[test]
            fn shutdown_timeout_returns() {
                within(|| {
                    let rt = rt();
                    rt.block_on(async {
                        edgeio::spawn_blocking(|| thread::sleep(Duration::from_millis(300))).detach();
                        edgeio::time::sleep(Duration::from_millis(10)).await;
                    });
                    let start = Instant::now();
                    rt.shutdown_timeout(Duration::from_millis(20));
                    assert!(start.elapsed() < Duration::from_secs(5));
                });
            }

            #[test]
            fn runtime_in_a_static_is_sync() {
                fn assert_send_sync<T: Send + Sync>(_: &T) {}
                within(|| {
                    let rt = Arc::new(rt());
                    assert_send_sync(&rt);
                    let other = rt.clone();
                    let out = thread::spawn(move || other.block_on(async { 3 })).join().unwrap();
                    assert_eq!(out, 3);
                });
            }

            #[test]
            fn yield_lets_a_timer_fire() {
                within(|| {
                    let rt = rt();
                    rt.block_on(async {
                        let fired = Arc::new(AtomicUsize::new(0));
                        let flag = fired.clone();
                        edgeio::spawn(async move {
                            edgeio::time::sleep(Duration::from_millis(5)).await;
                            flag.store(1, Ordering::SeqCst);
                        })
                        .detach();
                        // Bounded in time: a starved timer would make this
                        // loop run to the bound.
                        let start = Instant::now();
                        while fired.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(5) {
                            edgeio::yield_now().await;
                        }
                        assert_eq!(fired.load(Ordering::SeqCst), 1);
                    });
                });
            }
        }
    )*};
}

fn rt_current() -> edgeio::Runtime {
    edgeio::Builder::new_current_thread().build().unwrap()
}

rt_test! {
    current_thread => edgeio::Builder::new_current_thread();
    threaded_scheduler_1_thread => edgeio::Builder::new_multi_thread().worker_threads(1);
    threaded_scheduler_4_threads => edgeio::Builder::new_multi_thread().worker_threads(4);
}

/// A `!Send` future runs with `spawn_local`: on a `LocalSet`, and directly
/// on the current-thread runtime.
#[test]
fn spawn_local_runs_not_send_futures() {
    within(|| {
        use std::rc::Rc;
        let rt = rt_current();
        let out = rt.block_on(async {
            let shared = Rc::new(40);
            let cloned = shared.clone();
            let task = edgeio::spawn_local(async move {
                edgeio::time::sleep(Duration::from_millis(5)).await;
                *cloned + 1
            });
            task.await.unwrap() + (*shared - 39)
        });
        assert_eq!(out, 42);

        let multi = edgeio::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let local = edgeio::LocalSet::new();
        let out = local.block_on(&multi, async {
            let rc = Rc::new(std::cell::Cell::new(0));
            let handles: Vec<_> = (0..10)
                .map(|_| {
                    let rc = rc.clone();
                    edgeio::spawn_local(async move {
                        edgeio::yield_now().await;
                        rc.set(rc.get() + 1);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            rc.get()
        });
        assert_eq!(out, 10);
    });
}

/// Two threads in `block_on` of one current-thread runtime: one runs the
/// tasks; when it returns, the other takes over, so a future that waits
/// for a task still completes.
#[test]
fn a_second_block_on_takes_over_the_current_thread_runtime() {
    within(|| {
        let rt = Arc::new(rt_current());
        let (started_tx, started_rx) = mpsc::channel();
        let first = {
            let rt = rt.clone();
            thread::spawn(move || {
                rt.block_on(async {
                    started_tx.send(()).unwrap();
                    edgeio::time::sleep(Duration::from_millis(50)).await;
                })
            })
        };
        started_rx.recv().unwrap();
        // Runs while the first holds the worker, and after it returns.
        let out = rt.block_on(async {
            edgeio::time::sleep(Duration::from_millis(100)).await;
            edgeio::spawn(async { 5 }).await.unwrap()
        });
        assert_eq!(out, 5);
        first.join().unwrap();
        // The runtime is usable again afterwards, repeatedly.
        for i in 0..3 {
            assert_eq!(
                rt.block_on(async move { edgeio::spawn(async move { i }).await.unwrap() }),
                i
            );
        }
    });
}

/// `on_thread_start` and `on_thread_stop` run on every thread the runtime
/// starts, workers and blocking threads alike, inside its context.
#[test]
fn thread_start_and_stop_hooks_run_on_every_thread() {
    within(|| {
        let started = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicUsize::new(0));
        let in_context = Arc::new(AtomicUsize::new(0));
        let rt = {
            let (started, stopped, in_context) = (started.clone(), stopped.clone(), in_context.clone());
            edgeio::Builder::new_multi_thread()
                .worker_threads(2)
                .on_thread_start(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    if edgeio::Handle::try_current().is_ok() {
                        in_context.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .on_thread_stop(move || {
                    stopped.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap()
        };
        rt.block_on(async {
            edgeio::spawn_blocking(|| ()).await.unwrap();
        });
        drop(rt);
        // Two workers and one blocking thread, each started and stopped.
        assert_eq!(started.load(Ordering::SeqCst), 3);
        assert_eq!(in_context.load(Ordering::SeqCst), 3);
        assert_eq!(stopped.load(Ordering::SeqCst), 3);
    });
}

/// Dropping a `LocalSet` cancels its tasks on its own thread.
#[test]
fn dropping_a_local_set_cancels_its_tasks() {
    within(|| {
        use std::rc::Rc;
        let rt = rt_current();
        let local = edgeio::LocalSet::new();
        let marker = Rc::new(());
        let held = marker.clone();
        local
            .spawn_local(async move {
                let _held = held;
                std::future::pending::<()>().await;
            })
            .detach();
        local.block_on(&rt, async { edgeio::yield_now().await });
        assert_eq!(Rc::strong_count(&marker), 2);
        drop(local);
        assert_eq!(Rc::strong_count(&marker), 1);
    });
}

/// `block_in_place` hands the worker's place to a stand-in: with a single
/// worker thread, tasks, timers and I/O keep running while it blocks, and
/// the blocked closure may itself block on the runtime.
#[test]
fn block_in_place_on_one_worker_keeps_the_runtime_running() {
    within(|| {
        use futures_util::io::{AsyncReadExt, AsyncWriteExt};
        let rt = edgeio::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        rt.block_on(async {
            edgeio::spawn(async {
                let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:0").unwrap();
                let addr = listener.local_addr().unwrap();
                let server = edgeio::spawn(async move {
                    let (mut stream, _) = listener.accept().await.unwrap();
                    edgeio::time::sleep(Duration::from_millis(5)).await;
                    stream.write_all(b"pong").await.unwrap();
                });
                let handle = edgeio::Handle::current();
                let got = edgeio::block_in_place(move || {
                    handle.block_on(async move {
                        let mut client = edgeio::net::AsyncTcpStream::connect(addr).await.unwrap();
                        let mut buf = [0; 4];
                        client.read_exact(&mut buf).await.unwrap();
                        buf
                    })
                });
                assert_eq!(&got, b"pong");
                server.await.unwrap();
                // The worker's place is back: tasks still run here.
                edgeio::spawn(async { edgeio::yield_now().await }).await.unwrap();
            })
            .await
            .unwrap();
        });
    });
}

/// `block_in_place` on a multi-thread worker lets the other workers run
/// the tasks meanwhile.
#[test]
fn block_in_place_lets_other_tasks_run() {
    within(|| {
        let rt = edgeio::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        rt.block_on(async {
            let (tx, rx) = mpsc::channel();
            let other = edgeio::spawn(async move { tx.send(()).unwrap() });
            edgeio::spawn(async move {
                edgeio::block_in_place(|| rx.recv_timeout(Duration::from_secs(10)).unwrap());
            })
            .await
            .unwrap();
            other.await.unwrap();
        });
    });
}
