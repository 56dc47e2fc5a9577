//! Executor behaviour: spawning, joining, panics, aborts, yields, timers.
//! Each test runs under a watchdog so a scheduler bug fails, never hangs.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use edgeio_runtime::time::{interval, sleep, sleep_until, timeout};
use edgeio_runtime::{spawn, yield_now, Builder, Runtime};

/// Runs `make()` on a fresh runtime with `workers` threads; fails after
/// `limit` even if the runtime is wedged.
fn run<F, Fut>(workers: usize, limit: Duration, make: F) -> Fut::Output
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    within(limit, move || {
        let runtime = Builder::new().worker_threads(workers).build().unwrap();
        runtime.block_on(make())
    })
}

/// Runs `body` on a thread of its own and fails if it has not returned
/// within `limit`.
fn within<R: Send + 'static>(limit: Duration, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => v,
        Ok(Err(p)) => std::panic::resume_unwind(p),
        Err(_) => panic!("test timed out after {limit:?}"),
    }
}

const LIMIT: Duration = Duration::from_secs(30);

/// Sets its flag when dropped: tells whether a task's future was dropped.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn spawn_and_join_100_000_tasks() {
    for workers in [1, 2, 4] {
        let total = run(workers, LIMIT, || async {
            let handles: Vec<_> = (0..100_000u64).map(|i| spawn(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(total, (0..100_000u64).sum::<u64>(), "workers = {workers}");
    }
}

#[test]
fn tasks_spawned_from_tasks_run_on_all_workers() {
    let seen = run(4, LIMIT, || async {
        let outer = spawn(async {
            let handles: Vec<_> = (0..10_000)
                .map(|_| {
                    spawn(async {
                        // A little work so other workers get to steal.
                        let mut x = 0u64;
                        for i in 0..1000 {
                            x = x.wrapping_mul(31).wrapping_add(i);
                        }
                        std::hint::black_box(x);
                        thread::current().id()
                    })
                })
                .collect();
            let mut ids = Vec::new();
            for h in handles {
                ids.push(h.await.unwrap());
            }
            ids.sort_by_key(|id| format!("{id:?}"));
            ids.dedup();
            ids.len()
        });
        outer.await.unwrap()
    });
    assert!(
        seen >= 2,
        "work was not shared between workers ({seen} thread(s) ran tasks)"
    );
}

#[test]
fn panicking_task_reports_through_join_handle_and_runtime_keeps_going() {
    run(2, LIMIT, || async {
        let bad = spawn(async { panic!("boom") });
        let good = spawn(async { 7 });
        let err = bad.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(
            err.to_string(),
            format!("task {} panicked with message \"boom\"", err.id())
        );
        let payload = err.try_into_panic().unwrap();
        assert_eq!(*payload.downcast::<&str>().unwrap(), "boom");
        assert_eq!(good.await.unwrap(), 7);
        // Many panics in a row do not kill the workers.
        for _ in 0..100 {
            assert!(spawn(async { panic!("again") }).await.unwrap_err().is_panic());
        }
        assert_eq!(spawn(async { 8 }).await.unwrap(), 8);
    });
}

#[test]
fn panicking_drop_of_task_output_does_not_kill_worker() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop panics");
        }
    }
    run(1, LIMIT, || async {
        // The output is dropped by the runtime when the detached task ends.
        spawn(async { PanicOnDrop }).detach();
        sleep(Duration::from_millis(20)).await;
        assert_eq!(spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn block_on_reraises_its_own_panic() {
    let runtime = Runtime::new().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async { panic!("mine") })
    }));
    assert!(result.is_err());
    // The runtime is still usable afterwards.
    assert_eq!(runtime.block_on(async { spawn(async { 3 }).await.unwrap() }), 3);
}

#[test]
fn abort_cancels_a_pending_task_and_drops_its_future() {
    run(2, LIMIT, || async {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(dropped.clone());
        let handle = spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        yield_now().await;
        handle.abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled());
        // As in tokio, the await ends once the future is gone.
        assert!(
            dropped.load(Ordering::SeqCst),
            "awaited before the future was dropped"
        );
    });
}

/// A task aborted while a worker polls it stops at the end of that poll:
/// until then it is not finished, and awaiting its handle waits for it.
#[test]
fn abort_of_a_running_task_finishes_when_its_poll_ends() {
    run(1, LIMIT, || async {
        let (started, dropped) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (flag, guard) = (started.clone(), SetOnDrop(dropped.clone()));
        let handle = spawn(async move {
            let _guard = guard;
            flag.store(true, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(200));
            std::future::pending::<()>().await;
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        while !started.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the task never ran");
            thread::sleep(Duration::from_millis(1));
        }
        handle.abort();
        assert!(!handle.is_finished(), "finished while still being polled");
        assert!(handle.await.unwrap_err().is_cancelled());
        assert!(
            dropped.load(Ordering::SeqCst),
            "awaited before the future was dropped"
        );
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    run(1, LIMIT, || async {
        let handle = spawn(async { 5 });
        // Wait without spinning: a busy loop on this thread can starve the
        // worker under valgrind's serialising scheduler.
        while !handle.is_finished() {
            sleep(Duration::from_millis(1)).await;
        }
        handle.abort();
        assert_eq!(handle.await.unwrap(), 5);
    });
}

#[test]
fn dropping_a_join_handle_detaches_the_task() {
    run(2, LIMIT, || async {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        drop(spawn(async move {
            sleep(Duration::from_millis(10)).await;
            flag.store(true, Ordering::SeqCst);
        }));
        sleep(Duration::from_millis(100)).await;
        assert!(ran.load(Ordering::SeqCst));
    });
}

#[test]
fn yield_now_lets_other_tasks_run() {
    run(1, LIMIT, || async {
        let counter = Arc::new(AtomicUsize::new(0));
        let c = counter.clone();
        let other = spawn(async move {
            for _ in 0..10 {
                c.fetch_add(1, Ordering::SeqCst);
                yield_now().await;
            }
        });
        let spinner = spawn({
            let counter = counter.clone();
            async move {
                // On one worker, this only finishes if `other` gets turns.
                while counter.load(Ordering::SeqCst) < 10 {
                    yield_now().await;
                }
            }
        });
        spinner.await.unwrap();
        other.await.unwrap();
    });
}

#[test]
fn sleep_wakes_close_to_its_deadline() {
    run(2, LIMIT, || async {
        let mut worst = Duration::ZERO;
        for _ in 0..5 {
            let start = Instant::now();
            sleep(Duration::from_millis(50)).await;
            let elapsed = start.elapsed();
            assert!(elapsed >= Duration::from_millis(50), "woke early: {elapsed:?}");
            worst = worst.max(elapsed - Duration::from_millis(50));
        }
        // A wheel that failed to size `epoll_wait`'s timeout would leave
        // the sleep to the next unrelated wake-up, and here there is none:
        // it would overshoot by the test's whole limit. How close it comes
        // otherwise is the host's scheduling, not the runtime's (a loaded
        // machine, with the suite pinned to one core, was seen 53 ms late):
        // measured in the benches, not asserted here.
        assert!(worst < Duration::from_secs(1), "sleep overshot by {worst:?}");
    });
}

#[test]
fn sleep_works_from_spawned_tasks_and_block_on() {
    run(2, LIMIT, || async {
        let start = Instant::now();
        let handles: Vec<_> = (0..1000u64)
            .map(|i| spawn(async move { sleep(Duration::from_millis(i % 20)).await }))
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        sleep_until(edgeio_runtime::time::Instant::now() + Duration::from_millis(5)).await;
        assert!(start.elapsed() >= Duration::from_millis(19));
    });
}

#[test]
fn dropped_timers_are_freed() {
    run(1, LIMIT, || async {
        let before = edgeio_runtime::Handle::current().metrics().pending_timers;
        for _ in 0..10_000 {
            let r = timeout(Duration::from_secs(60), std::future::ready(1)).await;
            assert_eq!(r, Ok(1));
            // Register the timer, then drop it.
            let mut s = Box::pin(sleep(Duration::from_secs(60)));
            let waker = futures_task::noop_waker();
            let _ = s.as_mut().poll(&mut std::task::Context::from_waker(&waker));
        }
        assert_eq!(edgeio_runtime::Handle::current().metrics().pending_timers, before);
    });
}

#[test]
fn timeout_elapses_and_interval_ticks() {
    run(2, LIMIT, || async {
        let err = timeout(Duration::from_millis(10), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        let start = Instant::now();
        let mut ticks = interval(Duration::from_millis(10));
        for _ in 0..5 {
            ticks.tick().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(40), "{elapsed:?}");
    });
}

/// A period too long to add to a clock reading (`Duration::MAX`) ticks
/// once and then waits, as a far-future sleep does, instead of panicking
/// on the overflow when the next tick is scheduled.
#[test]
fn interval_with_a_huge_period_ticks_once_then_waits() {
    run(1, LIMIT, || async {
        let mut ticks = interval(Duration::MAX);
        assert_eq!(ticks.period(), Duration::MAX);
        timeout(Duration::from_secs(5), ticks.tick())
            .await
            .expect("the first tick completes at once");
        timeout(Duration::from_millis(50), ticks.tick())
            .await
            .expect_err("the second tick is as good as never");
    });
}

/// A thread name the OS cannot take (an interior NUL) is bad input to
/// `build`, reported as an error rather than a panic in thread spawning.
#[test]
fn a_thread_name_with_a_nul_byte_is_an_error() {
    let err = Builder::new()
        .thread_name("edge\0io")
        .build()
        .expect_err("a NUL byte cannot be in a thread name");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("thread name"), "{err}");
}

#[test]
fn spawn_from_outside_via_handle() {
    let runtime = Runtime::new().unwrap();
    let handle = runtime.handle().clone();
    let from_thread = thread::spawn(move || {
        let h = handle.spawn(async { 11 });
        // Block this non-runtime thread on the JoinHandle.
        let rt = Runtime::new().unwrap();
        rt.block_on(h).unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(from_thread, 11);
}

#[test]
fn dropping_the_runtime_cancels_pending_tasks() {
    let dropped = Arc::new(AtomicBool::new(false));
    let runtime = Runtime::new().unwrap();
    let guard = SetOnDrop(dropped.clone());
    runtime
        .spawn(async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
        })
        .detach();
    runtime.block_on(sleep(Duration::from_millis(10)));
    drop(runtime);
    assert!(
        dropped.load(Ordering::SeqCst),
        "task was not cancelled at shutdown"
    );
}

/// Tasks that neither the queues nor the reactor know of are cancelled at
/// shutdown too: a detached one that nothing will ever wake (it used to be
/// freed without its future being dropped, which leaked what it held), and
/// one whose waker is kept outside the runtime (it used to stay parked,
/// and its `JoinHandle` never resolved).
#[test]
fn dropping_the_runtime_cancels_tasks_it_does_not_wait_for() {
    let forgotten = Arc::new(AtomicBool::new(false));
    let parked = Arc::new(AtomicBool::new(false));
    let outside = Arc::new(std::sync::Mutex::new(None::<std::task::Waker>));
    let runtime = Runtime::new().unwrap();
    let guard = SetOnDrop(forgotten.clone());
    runtime
        .spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .detach();
    let (guard, slot) = (SetOnDrop(parked.clone()), outside.clone());
    let handle = runtime.spawn(async move {
        let _guard = guard;
        std::future::poll_fn(|cx| {
            *slot.lock().unwrap() = Some(cx.waker().clone());
            std::task::Poll::<()>::Pending
        })
        .await;
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while outside.lock().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the task never ran");
        thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(runtime.metrics().tasks_alive, 2);
    assert!(!forgotten.load(Ordering::SeqCst), "dropped while running");

    drop(runtime);
    assert!(forgotten.load(Ordering::SeqCst), "forgotten task not dropped");
    assert!(parked.load(Ordering::SeqCst), "parked task not dropped");
    let other = Runtime::new().unwrap();
    let outcome = other.block_on(timeout(Duration::from_secs(5), handle));
    assert!(outcome
        .expect("the JoinHandle never resolved")
        .unwrap_err()
        .is_cancelled());
}

#[test]
fn finished_tasks_leave_the_alive_count() {
    let runtime = Runtime::new().unwrap();
    runtime.block_on(async {
        let handles: Vec<_> = (0..100).map(|i| spawn(async move { i })).collect();
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i);
        }
        let aborted = spawn(std::future::pending::<()>());
        aborted.abort();
        assert!(aborted.await.unwrap_err().is_cancelled());
        let _ = spawn(async { panic!("a task that panics") }).await;
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while runtime.metrics().tasks_alive > 0 {
        assert!(Instant::now() < deadline, "{:?}", runtime.metrics());
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_nearer_timer_interrupts_a_driver_sleeping_until_a_later_one() {
    run(1, LIMIT, || async {
        // The only worker goes to sleep in epoll_wait until the 10 s timer.
        let far = spawn(sleep(Duration::from_secs(10)));
        sleep(Duration::from_millis(20)).await;
        // Inserted from the block_on thread while the driver sleeps.
        let start = Instant::now();
        sleep(Duration::from_millis(30)).await;
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_millis(200),
            "nearer timer fired late: {elapsed:?}"
        );
        far.abort();
    });
}

/// Waking the worker from another thread costs one `epoll_wait` return.
/// (The reactor's eventfd was once registered for writability too: the
/// read that drains it raised an `EPOLLOUT` edge, so every interruption
/// was followed by a second, empty return, doubling this count.)
#[test]
fn a_wake_from_outside_costs_one_reactor_poll() {
    const WAKES: u64 = 200;
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    // Let the worker settle into epoll_wait.
    thread::sleep(Duration::from_millis(20));
    let before = runtime.metrics().reactor_polls;
    let deadline = Instant::now() + LIMIT;
    for _ in 0..WAKES {
        let task = runtime.spawn(async {});
        while !task.is_finished() {
            assert!(Instant::now() < deadline, "spawned task never ran");
            thread::sleep(Duration::from_micros(100));
        }
        // The worker goes back to sleep in epoll_wait before the next wake.
        thread::sleep(Duration::from_millis(1));
    }
    let polls = runtime.metrics().reactor_polls - before;
    assert!(
        polls <= WAKES + WAKES / 4,
        "{polls} reactor polls for {WAKES} wakes from outside"
    );
}

/// A `block_on` inside another's future (two runtimes, one thread) must
/// not swallow a wake-up meant for the outer one. Both used to share one
/// waker, and the inner loop took the outer's notification for its own.
#[test]
fn a_nested_block_on_keeps_the_outer_wake_ups() {
    within(LIMIT, || {
        let (outer, inner) = (Runtime::new().unwrap(), Runtime::new().unwrap());
        let signal = Arc::new(std::sync::Mutex::new((false, None::<std::task::Waker>)));
        let setter = signal.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            let mut state = setter.lock().unwrap();
            state.0 = true;
            if let Some(waker) = state.1.take() {
                waker.wake();
            }
        });
        let signalled = std::future::poll_fn(|cx| {
            let mut state = signal.lock().unwrap();
            if state.0 {
                std::task::Poll::Ready(())
            } else {
                state.1 = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        });
        outer.block_on(async {
            futures_util::join!(signalled, async {
                inner.block_on(sleep(Duration::from_millis(200)))
            })
        });
    });
}

/// The cooperative budget belongs to the poll that `block_on` or a worker
/// makes: afterwards, the thread is no task of ours and I/O driven by some
/// other executor on it must never be throttled. The budget used to
/// outlive `block_on`, and after 128 operations every poll said `Pending`.
#[test]
fn the_budget_does_not_outlive_block_on() {
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixDatagram;
    use std::task::{Context, Poll};

    within(LIMIT, || {
        let runtime = Runtime::new().unwrap();
        let (a, b) = UnixDatagram::pair().unwrap();
        b.set_nonblocking(true).unwrap();
        let registration = runtime
            .block_on(async {
                // SAFETY: `b` is declared before `registration`, so it
                // outlives it.
                unsafe { edgeio_runtime::Registration::new(b.as_fd()) }
            })
            .unwrap();
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut buf = [0; 1];
        for i in 0..1000 {
            a.send(&[i as u8]).unwrap();
            // The edge reaches the registration once a worker's epoll_wait
            // has returned it: poll until then, boundedly.
            let deadline = Instant::now() + Duration::from_secs(2);
            loop {
                match registration.poll_read_io(&mut cx, || b.recv(&mut buf)) {
                    Poll::Ready(Ok(1)) => break assert_eq!(buf[0], i as u8),
                    Poll::Pending if Instant::now() < deadline => thread::sleep(Duration::from_micros(50)),
                    other => panic!("receive {i}: {other:?}"),
                }
            }
        }
    });
}

/// Expired sleeps spend the task's budget like I/O does, so a loop of
/// `sleep(ZERO)` lets the other tasks of its worker run (it held the
/// worker for as long as it looped).
#[test]
fn a_loop_of_expired_sleeps_lets_other_tasks_run() {
    run(1, LIMIT, || async {
        let stop = Arc::new(AtomicBool::new(false));
        let looping = stop.clone();
        let sleeper = spawn(async move {
            while !looping.load(Ordering::SeqCst) {
                sleep(Duration::ZERO).await;
            }
        });
        // Let the loop take the worker (a blocking sleep: an edgeio timer
        // here would wait for the worker too).
        thread::sleep(Duration::from_millis(20));
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        spawn(async move { flag.store(true, Ordering::SeqCst) }).detach();
        let deadline = Instant::now() + Duration::from_secs(2);
        while !ran.load(Ordering::SeqCst) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        let ran_in_time = ran.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        sleeper.await.unwrap();
        assert!(ran_in_time, "the other task did not run within 2 s");
    });
}

/// Only completed operations spend the budget: one poll may wait on as
/// many things as it likes. (Charging a `Pending` poll too, the 129th
/// sleep polled here yielded instead of registering its timer.)
#[test]
fn waiting_spends_no_budget() {
    run(1, LIMIT, || async {
        let mut sleeps: Vec<_> = (0..1000)
            .map(|_| Box::pin(sleep(Duration::from_secs(3600))))
            .collect();
        for sleep in &mut sleeps {
            assert!(futures_util::poll!(sleep.as_mut()).is_pending());
        }
        assert_eq!(edgeio_runtime::Handle::current().metrics().pending_timers, 1000);
    });
}
