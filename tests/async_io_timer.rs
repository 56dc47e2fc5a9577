//! async-io's `tests/timer.rs` (async-io is MIT-licensed), ported to edgeio.
//!
//! async-io's `Timer` is one type for both jobs: a one-shot timer
//! (`Timer::after`, re-settable with `set_after`) and a periodic one
//! (`Timer::interval`, a `Stream`). edgeio has tokio's two types instead:
//! `Timer::after` is `edgeio::time::sleep` (a `Sleep`, re-set with
//! `Sleep::reset`) and `Timer::interval` is `edgeio::time::Interval`
//! (a `Stream` of its ticks too). `future::block_on` runs the test on
//! a two-worker edgeio runtime, `spawn` is `edgeio::spawn`, `async_channel`
//! is `edgeio::sync::mpsc` and futures-lite's helpers are futures-util's.
//! Each non-trivial mapping is marked `Adapted:`.
//!
//! All four tests are ported; none is left out.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use edgeio::time::{interval_at, sleep};
use futures_util::StreamExt;

// Adapted: async-io's `spawn` runs each future on a thread of its own with
// futures-lite's `block_on`; here it is a task of the test's edgeio runtime,
// which drives the timers.
fn spawn<T: Send + 'static>(
    f: impl Future<Output = T> + Send + 'static,
) -> impl Future<Output = T> + Send + 'static {
    let handle = edgeio::spawn(f);
    Box::pin(async move { handle.await.unwrap() })
}

/// How long one test may run before it fails instead of hanging.
const WATCHDOG: Duration = Duration::from_secs(30);

// Adapted: futures-lite's `future::block_on` is a two-worker edgeio
// runtime's `block_on`, under a timeout.
mod future {
    use super::*;

    pub fn block_on<T>(f: impl Future<Output = T>) -> T {
        let runtime = edgeio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        runtime.block_on(async { edgeio::time::timeout(WATCHDOG, f).await.expect("test timed out") })
    }
}

#[test]
fn smoke() {
    let _watchdog = tokio_test::watchdog();
    future::block_on(async {
        let start = Instant::now();
        // Adapted: `Timer::after(d).await` is `sleep(d).await`.
        sleep(Duration::from_secs(1)).await;
        assert!(start.elapsed() >= Duration::from_secs(1));
    });
}

#[test]
fn interval() {
    let _watchdog = tokio_test::watchdog();
    future::block_on(async {
        let period = Duration::from_secs(1);
        let jitter = Duration::from_millis(500);
        let start = Instant::now();
        // Adapted: async-io's `Timer::interval(period)` first fires a
        // period from now; edgeio's (tokio's) `interval(period)` fires at
        // once, so the same schedule is `interval_at(now + period, period)`.
        let mut timer = interval_at(edgeio::time::Instant::now() + period, period);
        timer.next().await;
        let elapsed = start.elapsed();
        assert!(elapsed >= period && elapsed - period < jitter);
        timer.next().await;
        let elapsed = start.elapsed();
        assert!(elapsed >= period * 2 && elapsed - period * 2 < jitter);
    });
}

#[test]
fn poll_across_tasks() {
    let _watchdog = tokio_test::watchdog();
    future::block_on(async {
        let start = Instant::now();
        // Adapted: `async_channel::bounded(1)` is `edgeio::sync::mpsc::channel(1)`.
        let (sender, mut receiver) = edgeio::sync::mpsc::channel(1);

        let task1 = spawn(async move {
            let mut timer = sleep(Duration::from_secs(1));

            // Adapted: futures-lite's `a.or(b)` (polls `a` first, then `b`)
            // is futures-util's `select(a, b)`, which polls in the same order.
            futures_util::future::select(
                pin!(async {
                    (&mut timer).await;
                    panic!("timer should not be ready")
                }),
                pin!(async {}),
            )
            .await;

            sender.send(timer).await.ok();
        });

        let task2 = spawn(async move {
            let timer = receiver.recv().await.unwrap();
            timer.await;
        });

        task1.await;
        task2.await;

        assert!(start.elapsed() >= Duration::from_secs(1));
    });
}

#[test]
fn set() {
    let _watchdog = tokio_test::watchdog();
    future::block_on(async {
        let start = Instant::now();
        let timer = Arc::new(Mutex::new(sleep(Duration::from_secs(10))));

        thread::spawn({
            let timer = timer.clone();
            move || {
                thread::sleep(Duration::from_secs(1));
                // Adapted: `timer.set_after(d)` is
                // `Sleep::reset(Instant::now() + d)`, called from this plain
                // thread as async-io's is.
                Pin::new(&mut *timer.lock().unwrap())
                    .reset(edgeio::time::Instant::now() + Duration::from_secs(2));
            }
        });

        poll_fn(|cx| Pin::new(&mut *timer.lock().unwrap()).poll(cx)).await;

        assert!(start.elapsed() >= Duration::from_secs(2));
        assert!(start.elapsed() < Duration::from_secs(10));
    });
}
