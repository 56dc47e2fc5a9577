//! `sleep`, `sleep_until` and `Sleep`: completion, `reset` (keeping the
//! waiting task's wake-up), `is_elapsed`, far-future deadlines, a million
//! pending timers, and shutdown. tokio's `time_sleep` suite covers the
//! same ground.

mod time_support;

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Context;
use std::time::Duration;

use edgeio_runtime::time::{sleep, sleep_until, timeout, Instant, Sleep};
use edgeio_runtime::{spawn, Builder, Handle};
use time_support::{ms, poll_once, run, within, LIMIT};

fn pending_timers() -> usize {
    Handle::current().metrics().pending_timers
}

#[test]
fn a_past_deadline_is_ready_at_the_first_poll() {
    run(1, || async {
        let mut zero = sleep(Duration::ZERO);
        assert!(poll_once(&mut zero).await.is_ready());
        assert!(zero.is_elapsed());
        let mut past = sleep_until(Instant::now() - ms(10));
        assert!(poll_once(&mut past).await.is_ready());
        assert_eq!(pending_timers(), 0, "nothing was registered");
    });
}

#[test]
fn sleep_never_completes_early() {
    run(2, || async {
        for d in [1, 2, 5, 13] {
            let start = Instant::now();
            sleep(ms(d)).await;
            assert!(start.elapsed() >= ms(d), "{d} ms slept {:?}", start.elapsed());
        }
    });
}

/// Awaits a `Sleep` shared with other tasks, telling them once it has
/// registered its waker.
async fn await_shared(shared: Arc<Mutex<Sleep>>, polled: Arc<AtomicBool>) {
    poll_fn(|cx: &mut Context<'_>| {
        let result = Pin::new(&mut *shared.lock().unwrap()).poll(cx);
        polled.store(true, Ordering::SeqCst);
        result
    })
    .await;
}

async fn until_set(flag: &AtomicBool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !flag.load(Ordering::SeqCst) {
        assert!(std::time::Instant::now() < deadline, "the waiter never polled");
        sleep(ms(1)).await;
    }
}

/// tokio and async-io wake a task waiting on a `Sleep` at its new deadline
/// when another task resets it; edgeio used to lose that wake-up.
#[test]
fn reset_earlier_by_another_task_wakes_the_waiter_at_the_new_deadline() {
    run(2, || async {
        let shared = Arc::new(Mutex::new(sleep(Duration::from_secs(3600))));
        let polled = Arc::new(AtomicBool::new(false));
        let waiter = spawn(await_shared(shared.clone(), polled.clone()));
        until_set(&polled).await;
        let reset_at = Instant::now();
        Pin::new(&mut *shared.lock().unwrap()).reset(reset_at + ms(30));
        timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the waiter lost its wake-up")
            .unwrap();
        assert!(reset_at.elapsed() >= ms(30));
        assert!(shared.lock().unwrap().is_elapsed());
    });
}

#[test]
fn reset_later_by_another_task_wakes_the_waiter_at_the_new_deadline() {
    run(2, || async {
        let shared = Arc::new(Mutex::new(sleep(ms(40))));
        let polled = Arc::new(AtomicBool::new(false));
        let waiter = spawn(await_shared(shared.clone(), polled.clone()));
        until_set(&polled).await;
        let reset_at = Instant::now();
        Pin::new(&mut *shared.lock().unwrap()).reset(reset_at + ms(150));
        timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the waiter lost its wake-up")
            .unwrap();
        assert!(reset_at.elapsed() >= ms(150), "completed at the old deadline");
    });
}

/// async-io's `timer::set`, ported: the reset comes from a thread outside
/// the runtime.
#[test]
fn reset_from_a_plain_thread_wakes_the_waiter() {
    run(2, || async {
        let shared = Arc::new(Mutex::new(sleep(Duration::from_secs(3600))));
        let polled = Arc::new(AtomicBool::new(false));
        let waiter = spawn(await_shared(shared.clone(), polled.clone()));
        until_set(&polled).await;
        let resetter = shared.clone();
        std::thread::spawn(move || {
            std::thread::sleep(ms(20));
            let deadline = Instant::now() + ms(20);
            Pin::new(&mut *resetter.lock().unwrap()).reset(deadline);
        });
        timeout(Duration::from_secs(10), waiter)
            .await
            .expect("the waiter lost its wake-up")
            .unwrap();
    });
}

#[test]
fn reset_into_the_past_wakes_the_waiter_at_once() {
    run(2, || async {
        let shared = Arc::new(Mutex::new(sleep(Duration::from_secs(3600))));
        let polled = Arc::new(AtomicBool::new(false));
        let waiter = spawn(await_shared(shared.clone(), polled.clone()));
        until_set(&polled).await;
        let past = Instant::now() - ms(1);
        Pin::new(&mut *shared.lock().unwrap()).reset(past);
        timeout(Duration::from_secs(10), waiter).await.unwrap().unwrap();
        assert_eq!(pending_timers(), 0);
    });
}

#[test]
fn reset_after_completion_sleeps_again() {
    run(1, || async {
        let mut s = sleep(ms(5));
        (&mut s).await;
        assert!(s.is_elapsed());
        let again = Instant::now() + ms(20);
        Pin::new(&mut s).reset(again);
        assert!(!s.is_elapsed(), "a reset clears is_elapsed");
        assert_eq!(s.deadline(), again);
        assert!(poll_once(&mut s).await.is_pending());
        (&mut s).await;
        assert!(Instant::now() >= again);
        assert!(s.is_elapsed());
    });
}

/// `is_elapsed` means "has fired": true once the timer fired, even before
/// the `Sleep` is polled again.
#[test]
fn is_elapsed_turns_true_when_the_timer_fires() {
    run(1, || async {
        let mut s = sleep(ms(10));
        assert!(poll_once(&mut s).await.is_pending());
        assert!(!s.is_elapsed());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !s.is_elapsed() {
            assert!(std::time::Instant::now() < deadline, "the timer never fired");
            // Another timer lets the worker drive the reactor.
            sleep(ms(2)).await;
        }
        assert!(poll_once(&mut s).await.is_ready());
    });
}

#[test]
fn far_future_deadlines_do_not_panic() {
    run(1, || async {
        let before = pending_timers();
        let mut forever = sleep(Duration::MAX);
        let mut huge = sleep(Duration::from_secs(u64::MAX / 2));
        let mut century = sleep_until(Instant::now() + Duration::from_secs(100 * 365 * 86400));
        assert!(poll_once(&mut forever).await.is_pending());
        assert!(poll_once(&mut huge).await.is_pending());
        assert!(poll_once(&mut century).await.is_pending());
        assert_eq!(pending_timers(), before + 3);
        assert!(timeout(ms(20), &mut forever).await.is_err());
        // Moving a far deadline near still fires.
        Pin::new(&mut century).reset(Instant::now() + ms(5));
        timeout(Duration::from_secs(10), &mut century).await.unwrap();
        drop((forever, huge, century));
        assert_eq!(pending_timers(), before);
        assert!(Instant::now().checked_add(Duration::MAX).is_none());
    });
}

/// A million timers registered and dropped must go through quickly (not a
/// benchmark: it only has to finish under the watchdog) and leave nothing.
#[test]
fn a_million_pending_timers_insert_and_drop() {
    run(1, || async {
        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        for round in 0..2u64 {
            let now = Instant::now();
            let mut sleeps: Vec<Sleep> = (0..1_000_000u64)
                .map(|i| sleep_until(now + Duration::from_secs(60) + Duration::from_micros(i * 37 + round)))
                .collect();
            for s in &mut sleeps {
                assert!(Pin::new(s).poll(&mut cx).is_pending());
            }
            assert_eq!(pending_timers(), 1_000_000);
            // Let the driver file them all in the wheel.
            sleep(ms(2)).await;
            drop(sleeps);
            assert_eq!(pending_timers(), 0);
            sleep(ms(2)).await;
        }
    });
}

/// More changes between two driver passes than the driver's queue holds:
/// the task arming (then cancelling) them files them itself, and every
/// timer still fires, never early, and the cancelled ones never.
#[test]
fn a_burst_larger_than_the_change_queue_fires_on_time_and_cancels() {
    run(2, || async {
        let now = Instant::now();
        let mut sleeps: Vec<Sleep> = (0..10_000u64)
            .map(|i| sleep_until(now + ms(5 + i % 20)))
            .collect();
        for s in &mut sleeps {
            // Ready only if the clock passed the deadline meanwhile.
            let _ = poll_once(s).await;
        }
        // Cancel every other one, again in a burst.
        let mut i = 0;
        sleeps.retain(|_| {
            i += 1;
            i % 2 == 0
        });
        for s in sleeps {
            let deadline = s.deadline();
            s.await;
            assert!(Instant::now() >= deadline);
        }
        assert_eq!(pending_timers(), 0);
    });
}

/// The same burst on a paused clock: auto-advance goes from one deadline
/// to the next through every level of the wheel, and fires each timer at
/// its deadline exactly.
#[test]
fn a_burst_on_a_paused_clock_fires_each_timer_at_its_deadline() {
    time_support::run_paused(|| async {
        let start = Instant::now();
        let deadlines = (1..=3000u64).map(|i| start + ms(i * i));
        let mut sleeps: Vec<Sleep> = deadlines.map(sleep_until).collect();
        for s in &mut sleeps {
            assert!(poll_once(s).await.is_pending());
        }
        for s in sleeps {
            let deadline = s.deadline();
            s.await;
            assert_eq!(Instant::now(), deadline);
        }
        assert_eq!(pending_timers(), 0);
    });
}

#[test]
fn timers_keep_working_across_many_resets() {
    run(2, || async {
        let mut s = sleep(ms(1));
        for i in 0..2000u64 {
            // Alternately later and earlier, never reached.
            let d = if i % 2 == 0 { 500 } else { 300 };
            Pin::new(&mut s).reset(Instant::now() + ms(d));
            assert!(poll_once(&mut s).await.is_pending());
        }
        assert_eq!(pending_timers(), 1);
        Pin::new(&mut s).reset(Instant::now() + ms(10));
        timeout(Duration::from_secs(10), &mut s).await.unwrap();
        assert_eq!(pending_timers(), 0);
    });
}

/// Shutdown wakes (and so cancels) every task waiting on a timer; a
/// `Sleep` polled afterwards completes if its deadline passed, and
/// otherwise panics (as tokio's), storing nothing.
#[test]
fn shutdown_cancels_sleepers_and_later_polls_store_nothing() {
    within(LIMIT, || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let dropped = Arc::new(AtomicBool::new(false));
        struct SetOnDrop(Arc<AtomicBool>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let flag = SetOnDrop(dropped.clone());
        let _task = runtime.spawn(async move {
            let _flag = flag;
            sleep(Duration::from_secs(3600)).await;
        });
        let handle = runtime.handle().clone();
        // A `Sleep` returned out of `block_on`, to poll after shutdown.
        #[allow(clippy::async_yields_async)]
        let mut kept = runtime.block_on(async {
            let mut s = sleep(Duration::from_secs(3600));
            assert!(poll_once(&mut s).await.is_pending());
            // Let the task register its timer.
            sleep(ms(20)).await;
            assert_eq!(pending_timers(), 2);
            s
        });
        drop(runtime);
        assert!(
            dropped.load(Ordering::SeqCst),
            "the sleeping task was not cancelled"
        );
        assert_eq!(handle.metrics().pending_timers, 0);

        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = Pin::new(&mut kept).poll(&mut cx);
        }))
        .expect_err("a deadline ahead cannot be waited for after shutdown");
        let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(message.contains("but it is being shutdown"), "{message}");
        assert_eq!(handle.metrics().pending_timers, 0, "stored in a dead runtime");
        Pin::new(&mut kept).reset(Instant::now() + ms(1));
        std::thread::sleep(ms(5));
        assert!(
            Pin::new(&mut kept).poll(&mut cx).is_ready(),
            "its deadline passed"
        );
    });
}

/// A `Sleep` made inside a runtime belongs to it, as tokio's: handed to a
/// plain thread that polls it with an executor of its own, it still fires
/// (it panicked, looking for a runtime at its first poll). One made
/// outside any runtime finds its runtime when first polled.
#[test]
fn a_sleep_made_in_a_runtime_fires_on_a_foreign_executor() {
    within(LIMIT, || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        // Made inside, not awaited there.
        #[allow(clippy::async_yields_async)]
        let made_inside = runtime.block_on(async { sleep(ms(30)) });
        let started = Instant::now();
        std::thread::spawn(move || futures_executor_block_on(made_inside))
            .join()
            .expect("the Sleep panicked on the foreign thread");
        assert!(started.elapsed() >= ms(30));
        let made_outside = sleep(ms(10));
        runtime.block_on(made_outside);
    });
}

/// A minimal thread-parking executor, standing for any foreign one.
fn futures_executor_block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
fn time_types_are_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<Sleep>();
    check::<edgeio_runtime::time::Interval>();
    check::<edgeio_runtime::time::Timeout<std::future::Ready<()>>>();
    check::<Instant>();
    check::<edgeio_runtime::time::error::Elapsed>();
}
