#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/rt_basic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made (`futures` and
//! `tokio-stream` items by their `std`/`futures-util` equivalents,
//! `pin-project-lite` by a plain `Unpin` projection).
//!
//! Left out: the `tokio_unstable` module `unstable` (`shutdown_on_panic`,
//! `spawns_do_nothing`, `shutdown_all_concurrent_block_on`, `rng_seed`,
//! `rng_seed_multi_enter`: tokio's unstable `Builder::unhandled_panic`,
//! `RngSeed` and the internal `tokio::macros::support::thread_rng_n`), and
//! the unstable-metrics checks (`cfg_metrics!`) of `spawn_two` and
//! `spawn_remote`.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::{self, Runtime};
use edgeio::sync::oneshot;
use edgeio::time::{timeout, Duration};
use tokio_test::{assert_err, assert_ok};

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread;

#[test]
fn spawned_task_does_not_progress_without_block_on() {
    let _watchdog = tokio_test::watchdog();
    let (tx, mut rx) = oneshot::channel();

    let rt = rt();

    rt.spawn(async move {
        assert_ok!(tx.send("hello"));
    });

    thread::sleep(Duration::from_millis(50));

    assert_err!(rx.try_recv());

    let out = rt.block_on(async { assert_ok!(rx.await) });

    assert_eq!(out, "hello");
}

#[test]
fn no_extra_poll() {
    let _watchdog = tokio_test::watchdog();
    // Adapted: `tokio_stream::{Stream, StreamExt}` are `futures_util`'s, and
    // `pin_project!` (not a dependency here) is a plain projection through
    // `Unpin` (the channel stream is `Unpin`); tokio's
    // `support::mpsc_stream` is in tests/support/tokio_test.rs.
    use futures_util::{Stream, StreamExt};
    use std::pin::Pin;
    use std::sync::{
        atomic::{AtomicUsize, Ordering::SeqCst},
        Arc,
    };
    use std::task::{Context, Poll};

    struct TrackPolls<S> {
        npolls: Arc<AtomicUsize>,
        s: S,
    }

    impl<S> Stream for TrackPolls<S>
    where
        S: Stream + Unpin,
    {
        type Item = S::Item;
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let this = self.get_mut();
            this.npolls.fetch_add(1, SeqCst);
            Pin::new(&mut this.s).poll_next(cx)
        }
    }

    let (tx, rx) = tokio_test::unbounded_channel_stream::<()>();
    let rx = TrackPolls {
        npolls: Arc::new(AtomicUsize::new(0)),
        s: rx,
    };
    let npolls = Arc::clone(&rx.npolls);

    let rt = rt();

    // TODO: could probably avoid this, but why not.
    let mut rx = Box::pin(rx);

    rt.spawn(async move { while rx.next().await.is_some() {} });
    rt.block_on(async {
        edgeio::task::yield_now().await;
    });

    // should have been polled exactly once: the initial poll
    assert_eq!(npolls.load(SeqCst), 1);

    tx.send(()).unwrap();
    rt.block_on(async {
        edgeio::task::yield_now().await;
    });

    // should have been polled twice more: once to yield Some(), then once to yield Pending
    assert_eq!(npolls.load(SeqCst), 1 + 2);

    drop(tx);
    rt.block_on(async {
        edgeio::task::yield_now().await;
    });

    // should have been polled once more: to yield None
    assert_eq!(npolls.load(SeqCst), 1 + 2 + 1);
}

#[test]
fn acquire_mutex_in_drop() {
    let _watchdog = tokio_test::watchdog();
    // Adapted: `futures::future::pending` is `std::future::pending`.
    use edgeio::task;
    use std::future::pending;

    let (tx1, rx1) = oneshot::channel();
    let (tx2, rx2) = oneshot::channel();

    let rt = rt();

    rt.spawn(async move {
        let _ = rx2.await;
        unreachable!();
    });

    rt.spawn(async move {
        let _ = rx1.await;
        tx2.send(()).unwrap();
        unreachable!();
    });

    // Spawn a task that will never notify
    rt.spawn(async move {
        pending::<()>().await;
        tx1.send(()).unwrap();
    });

    // Tick the loop
    rt.block_on(async {
        task::yield_now().await;
    });

    // Drop the rt
    drop(rt);
}

#[test]
fn drop_tasks_in_context() {
    let _watchdog = tokio_test::watchdog();
    static SUCCESS: AtomicBool = AtomicBool::new(false);

    struct ContextOnDrop;

    impl Future for ContextOnDrop {
        type Output = ();

        fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    impl Drop for ContextOnDrop {
        fn drop(&mut self) {
            if edgeio::runtime::Handle::try_current().is_ok() {
                SUCCESS.store(true, Ordering::SeqCst);
            }
        }
    }

    let rt = rt();
    rt.spawn(ContextOnDrop);
    drop(rt);

    assert!(SUCCESS.load(Ordering::SeqCst));
}

#[test]
#[should_panic(expected = "boom")]
fn wake_in_drop_after_panic() {
    let _watchdog = tokio_test::watchdog();
    struct WakeOnDrop(Option<oneshot::Sender<()>>);

    impl Drop for WakeOnDrop {
        fn drop(&mut self) {
            let _ = self.0.take().unwrap().send(());
        }
    }

    let rt = rt();

    let (tx1, rx1) = oneshot::channel::<()>();
    let (tx2, rx2) = oneshot::channel::<()>();

    // Spawn two tasks. We don't know the order in which they are dropped, so we
    // make both tasks identical. When the first task is dropped, we wake up the
    // second task. This ensures that we trigger a wakeup on a live task while
    // handling the "boom" panic, no matter the order in which the tasks are
    // dropped.
    rt.spawn(async move {
        let _wake_on_drop = WakeOnDrop(Some(tx2));
        let _ = rx1.await;
        unreachable!()
    });

    rt.spawn(async move {
        let _wake_on_drop = WakeOnDrop(Some(tx1));
        let _ = rx2.await;
        unreachable!()
    });

    rt.block_on(async {
        edgeio::task::yield_now().await;
        panic!("boom");
    });
}

#[test]
fn spawn_two() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let out = rt.block_on(async {
        let (tx, rx) = oneshot::channel();

        edgeio::spawn(async move {
            edgeio::spawn(async move {
                tx.send("ZOMG").unwrap();
            });
        });

        assert_ok!(rx.await)
    });

    assert_eq!(out, "ZOMG");

    // Left out: tokio's unstable metrics (`remote_schedule_count`,
    // `worker_local_schedule_count`), checked here under `tokio_unstable`.
}

#[test]
fn spawn_remote() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let out = rt.block_on(async {
        let (tx, rx) = oneshot::channel();

        let handle = edgeio::spawn(async move {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(10));
                tx.send("ZOMG").unwrap();
            });

            rx.await.unwrap()
        });

        handle.await.unwrap()
    });

    assert_eq!(out, "ZOMG");

    // Left out: tokio's unstable metrics (`remote_schedule_count`,
    // `worker_local_schedule_count`), checked here under `tokio_unstable`.
}

// Adapted: edgeio's timers are always on (`enable_time` does nothing,
// docs/TOKIO-PORTING.md), so the timeout fires where tokio panics.
#[test]
fn timeout_panics_when_no_time_handle() {
    let _watchdog = tokio_test::watchdog();
    let rt = edgeio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let (_tx, rx) = oneshot::channel::<()>();
        let dur = Duration::from_millis(20);
        assert!(timeout(dur, rx).await.is_err());
    });
}

#[test]
fn default_runtime_name_should_be_none() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = runtime::Builder::new_current_thread().build().unwrap();

    assert!(rt1.handle().name().is_none());
}

#[test]
fn different_runtime_names() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = runtime::Builder::new_current_thread()
        .name("test-runtime-1")
        .build()
        .unwrap();
    let rt2 = runtime::Builder::new_current_thread()
        .name("test-runtime-2")
        .build()
        .unwrap();

    assert_ne!(rt1.handle().name().unwrap(), rt2.handle().name().unwrap());
}

fn rt() -> Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn before_park_yields() {
    // Adapted: run under `within` rather than `watchdog()`, so that a hang
    // fails this test alone (after 60 s) instead of aborting the binary.
    tokio_test::within(before_park_yields_body);
}

fn before_park_yields_body() {
    // Adapted: `futures::task::ArcWake` and `futures::task::waker` are
    // `std::task::Wake` and `Waker::from`.
    use edgeio::runtime::Builder;
    use edgeio::sync::Notify;
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    struct MyWaker(Notify);

    impl Wake for MyWaker {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.notify_one();
        }
    }

    let notify = Arc::new(MyWaker(Notify::new()));
    let notify2 = notify.clone();
    let waker = Waker::from(notify2);
    let woken = Arc::new(AtomicBool::new(false));
    let woken2 = woken.clone();

    let rt = Builder::new_current_thread()
        .enable_all()
        .on_thread_park(move || {
            if !woken2.swap(true, Ordering::SeqCst) {
                let mut cx = Context::from_waker(&waker);
                // `yield_now` pushes the waker to the defer slot.
                let fut = std::pin::pin!(edgeio::task::yield_now());
                let _ = fut.poll(&mut cx);
            }
        })
        .build()
        .unwrap();

    rt.block_on(async {
        notify.0.notified().await;
    });

    assert!(woken.load(Ordering::SeqCst));
}
