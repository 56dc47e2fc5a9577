//! The idle protocol scales (issue #19, "The scheduler: guarantees, not
//! tuning"): when work appears, sleeping workers are woken one after the
//! other until there is a worker for every share of it, whoever queued it
//! (a thread outside, a task, the reactor); nothing is lost on the way.
//!
//! 8 workers whatever the host's core count: on a small host they are
//! oversubscribed, which is exactly where a lazy wake-up shows (a worker
//! never woken polls nothing). Each burst keeps the workers busy for far
//! longer than the OS takes to run a woken thread, even pinned to one
//! core, so every worker polls if it was woken at all.
//!
//! Uses `Metrics::worker_poll_count(worker)` (task polls done by worker
//! `worker`), which the executor rewrite adds: this file does not compile
//! before it.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use common::within;
use edgeio_runtime::time::sleep_until;
use edgeio_runtime::{spawn, Builder, Runtime};

const WORKERS: usize = 8;
const TASKS: usize = 10_000;
/// CPU work per task: 10,000 of them keep one core busy for half a
/// second, two cores for a quarter.
const WORK: Duration = Duration::from_micros(50);
const LIMIT: Duration = Duration::from_secs(30);

fn work() {
    let start = Instant::now();
    while start.elapsed() < WORK {
        std::hint::spin_loop();
    }
}

fn poll_counts(runtime: &Runtime) -> Vec<u64> {
    let metrics = runtime.metrics();
    (0..WORKERS).map(|w| metrics.worker_poll_count(w)).collect()
}

/// Per-worker polls since `before`, once every worker has published its
/// counts (they may lag until it parks): waits until each has moved or a
/// bound passes.
fn polls_since(runtime: &Runtime, before: &[u64]) -> Vec<u64> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let delta: Vec<u64> = poll_counts(runtime)
            .iter()
            .zip(before)
            .map(|(now, before)| now - before)
            .collect();
        if delta.iter().all(|&d| d > 0) || Instant::now() > deadline {
            return delta;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Runs one burst of `TASKS` tasks, queued by `burst`, and returns the
/// polls each worker did meanwhile and how many tasks completed.
fn measure(runtime: &Runtime, burst: impl FnOnce(&Runtime) -> usize) -> (Vec<u64>, usize) {
    // Let the workers go idle and publish their counts.
    thread::sleep(Duration::from_millis(50));
    let before = poll_counts(runtime);
    let completed = burst(runtime);
    (polls_since(runtime, &before), completed)
}

#[test]
fn a_burst_from_outside_reaches_every_worker() {
    let (polls, completed) = within(LIMIT, "burst from outside", || {
        let runtime = Builder::new().worker_threads(WORKERS).build().unwrap();
        measure(&runtime, |runtime| {
            let handles: Vec<_> = (0..TASKS).map(|_| runtime.spawn(async { work() })).collect();
            runtime.block_on(async {
                let mut completed = 0;
                for handle in handles {
                    completed += usize::from(handle.await.is_ok());
                }
                completed
            })
        })
    });
    eprintln!("polls per worker: {polls:?}");
    assert_eq!(completed, TASKS, "tasks lost");
    assert!(
        polls.iter().all(|&p| p > 0),
        "workers that never polled during the burst: {polls:?}"
    );
}

#[test]
fn a_burst_from_a_task_reaches_every_worker() {
    let (polls, completed) = within(LIMIT, "burst from a task", || {
        let runtime = Builder::new().worker_threads(WORKERS).build().unwrap();
        measure(&runtime, |runtime| {
            runtime.block_on(async {
                spawn(async {
                    let handles: Vec<_> = (0..TASKS).map(|_| spawn(async { work() })).collect();
                    let mut completed = 0;
                    for handle in handles {
                        completed += usize::from(handle.await.is_ok());
                    }
                    completed
                })
                .await
                .unwrap()
            })
        })
    });
    eprintln!("polls per worker: {polls:?}");
    assert_eq!(completed, TASKS, "tasks lost");
    assert!(
        polls.iter().all(|&p| p > 0),
        "workers that never polled during the burst: {polls:?}"
    );
}

/// All tasks wait for one deadline, so a single reactor poll wakes all of
/// them on whichever worker drives the reactor: the other workers must be
/// woken for them, not left asleep while one worker works through the lot.
#[test]
fn a_burst_woken_by_the_reactor_reaches_every_worker() {
    let (polls, completed) = within(LIMIT, "burst woken by a timer", || {
        let runtime = Builder::new().worker_threads(WORKERS).build().unwrap();
        let deadline = Instant::now() + Duration::from_millis(300);
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                runtime.spawn(async move {
                    sleep_until(deadline.into()).await;
                    work();
                })
            })
            .collect();
        // Everyone registered and idle before the deadline.
        thread::sleep(Duration::from_millis(100));
        let before = poll_counts(&runtime);
        let completed = runtime.block_on(async {
            let mut completed = 0;
            for handle in handles {
                completed += usize::from(handle.await.is_ok());
            }
            completed
        });
        (polls_since(&runtime, &before), completed)
    });
    eprintln!("polls per worker: {polls:?}");
    assert_eq!(completed, TASKS, "tasks lost");
    assert!(
        polls.iter().all(|&p| p > 0),
        "workers that never polled during the burst: {polls:?}"
    );
}

/// A single-use channel: enough for a hand-off chain.
#[derive(Default)]
struct Slot {
    state: Mutex<(bool, Option<Waker>)>,
}

impl Slot {
    fn send(&self) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

struct Recv(Arc<Slot>);

impl Future for Recv {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.0.state.lock().unwrap();
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// 10,000 tasks, each waiting for the previous one to hand over: the
/// chain completes (no wake-up lost between workers) within a bound far
/// above what 10,000 cross-thread wake-ups cost even on a loaded host.
#[test]
fn a_hand_off_chain_across_workers_completes() {
    const HOPS: usize = 10_000;
    let (elapsed, threads) = within(LIMIT, "hand-off chain", || {
        let runtime = Builder::new().worker_threads(WORKERS).build().unwrap();
        let slots: Vec<Arc<Slot>> = (0..=HOPS).map(|_| Arc::default()).collect();
        let seen = Arc::new(Mutex::new(std::collections::HashSet::new()));
        for hop in 0..HOPS {
            let input = Recv(slots[hop].clone());
            let output = slots[hop + 1].clone();
            let seen = seen.clone();
            runtime
                .spawn(async move {
                    input.await;
                    if let Some(name) = thread::current().name() {
                        seen.lock().unwrap().insert(name.to_owned());
                    }
                    output.send();
                })
                .detach();
        }
        thread::sleep(Duration::from_millis(50));
        let start = Instant::now();
        slots[0].send();
        let last = Recv(slots[HOPS].clone());
        runtime.block_on(last);
        let threads = seen.lock().unwrap().len();
        (start.elapsed(), threads)
    });
    eprintln!("{HOPS} hops in {elapsed:?} on {threads} worker threads");
    assert!(
        elapsed < Duration::from_secs(10),
        "a {HOPS}-hop hand-off chain took {elapsed:?}"
    );
}
