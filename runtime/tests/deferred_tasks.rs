//! A task that yields (or spent its budget) waits for its worker's next
//! reactor poll. When the yield is the task's own, its worker keeps the
//! task itself rather than a clone of its waker (`executor/defer.rs`).
//! These check what that must not change: a yield through another waker
//! (a nested executor's) still waits for the reactor, and a task kept by
//! its worker is neither lost nor stalled when the worker lets its place
//! go (`block_in_place`, the end of `block_on`) or the runtime shuts down.

mod common;

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use common::within;
use edgeio_runtime::{block_in_place, spawn, yield_now, Builder, Handle};

const LIMIT: Duration = Duration::from_secs(20);

/// Polls its future with a waker of its own that forwards to the task's,
/// and polls it again at once, a few times, while it woke itself in the
/// poll: what a nested executor does with a future it finds ready again
/// (a set of futures, a `select` in a loop).
struct Nested<F> {
    future: Pin<Box<F>>,
}

/// How many times [`Nested`] polls its future in one poll at most.
const NESTED_POLLS: u64 = 8;

struct Forward {
    task: Waker,
    woken: AtomicBool,
}

impl Wake for Forward {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

impl<F: Future> Future for Nested<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let forward = Arc::new(Forward {
            task: cx.waker().clone(),
            woken: AtomicBool::new(false),
        });
        let waker = Waker::from(forward.clone());
        for _ in 0..NESTED_POLLS {
            forward.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(output) = self.future.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            if !forward.woken.load(Ordering::SeqCst) {
                break;
            }
        }
        Poll::Pending
    }
}

/// The same count as `yield_defers_until_park`, through a waker that is
/// not the task's: each yield still costs a reactor poll. Were the nested
/// waker woken at once, [`Nested`] would run up to eight yields per poll.
#[test]
fn a_yield_through_a_nested_waker_waits_for_the_reactor() {
    const YIELDS: u64 = 1_000;
    let reactor_polls = within(LIMIT, "nested yield vs reactor polls", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let handle = Handle::current();
                let before = handle.metrics().reactor_polls;
                Nested {
                    future: Box::pin(async {
                        for _ in 0..YIELDS {
                            yield_now().await;
                        }
                    }),
                }
                .await;
                handle.metrics().reactor_polls - before
            })
            .await
            .unwrap()
        })
    });
    assert!(
        reactor_polls * 2 >= YIELDS,
        "{YIELDS} yields through a nested waker saw {reactor_polls} reactor polls"
    );
}

/// A task that yields, then lets the task it spawned run from the LIFO
/// slot; that task blocks in `block_in_place` until the first one has
/// yielded ten more times. The first is kept by the worker while the
/// second runs, so the stand-in can run it only if the worker handed it
/// over with its place.
#[test]
fn a_task_kept_for_the_reactor_moves_with_block_in_place() {
    let progressed = within(LIMIT, "deferred task vs block_in_place", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let yields = Arc::new(AtomicU64::new(0));
                let done = Arc::new(AtomicBool::new(false));
                let blocker = {
                    let (yields, done) = (yields.clone(), done.clone());
                    // Into the LIFO slot: it runs right after this poll.
                    spawn(async move {
                        let progressed = block_in_place(|| {
                            let until = Instant::now() + Duration::from_secs(5);
                            while yields.load(Ordering::SeqCst) < 10 && Instant::now() < until {
                                std::thread::sleep(Duration::from_millis(1));
                            }
                            yields.load(Ordering::SeqCst) >= 10
                        });
                        done.store(true, Ordering::SeqCst);
                        progressed
                    })
                };
                let mut left = 1_000_000u64;
                while !done.load(Ordering::SeqCst) && left > 0 {
                    yield_now().await;
                    yields.fetch_add(1, Ordering::SeqCst);
                    left -= 1;
                }
                blocker.await.unwrap()
            })
            .await
            .unwrap()
        })
    });
    assert!(
        progressed,
        "a yielded task did not run while its worker was blocked"
    );
}

/// The current-thread runtime's `block_on` returns as soon as its future
/// is ready, which may be right after a task that woke it yielded: that
/// task is then kept by the worker, and must go on in the next `block_on`.
#[test]
fn a_task_kept_for_the_reactor_survives_the_end_of_block_on() {
    const ROUNDS: u64 = 50;
    let finished = within(LIMIT, "deferred task across block_on", || {
        let runtime = Builder::new_current_thread().build().unwrap();
        let count = Arc::new(AtomicU64::new(0));
        let main = Arc::new(Mutex::new(None::<Waker>));
        let task = {
            let (count, main) = (count.clone(), main.clone());
            runtime.spawn(async move {
                for _ in 0..ROUNDS {
                    count.fetch_add(1, Ordering::SeqCst);
                    if let Some(waker) = main.lock().unwrap().take() {
                        waker.wake();
                    }
                    // Yields in the poll that woke `block_on`'s future.
                    yield_now().await;
                }
            })
        };
        for round in 1..=ROUNDS {
            runtime.block_on(poll_fn(|cx| {
                if count.load(Ordering::SeqCst) >= round {
                    return Poll::Ready(());
                }
                *main.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }));
        }
        runtime.block_on(task).is_ok()
    });
    assert!(finished, "a task that yielded as block_on returned was cancelled");
}

/// Shutting down drops a task the worker keeps for the reactor, like any
/// queued one: its future is dropped and its handle reports cancelled.
#[test]
fn shutdown_drops_a_task_kept_for_the_reactor() {
    struct OnDrop(Arc<AtomicBool>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let (dropped, cancelled) = within(LIMIT, "deferred task at shutdown", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let dropped = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let task = {
            let (guard, started) = (OnDrop(dropped.clone()), started.clone());
            runtime.spawn(async move {
                let _guard = guard;
                started.store(true, Ordering::SeqCst);
                loop {
                    yield_now().await;
                }
            })
        };
        let until = Instant::now() + Duration::from_secs(5);
        while !started.load(Ordering::SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(runtime);
        let other = Builder::new_current_thread().build().unwrap();
        let cancelled = other.block_on(task).is_err_and(|e| e.is_cancelled());
        (dropped.load(Ordering::SeqCst), cancelled)
    });
    assert!(dropped, "the yielding task's future was not dropped at shutdown");
    assert!(cancelled, "the yielding task's handle did not report cancelled");
}
