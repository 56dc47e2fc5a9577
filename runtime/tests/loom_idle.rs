//! loom models of the sleeper protocol in `idle.rs`: a producer publishes
//! work then calls `notify_one`; a worker announces its sleep then
//! re-checks the queues. No interleaving may leave the worker asleep with
//! work queued (loom reports a deadlock if the sleeper is never woken).
//!
//! Run:
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p edgeio-runtime --release --test loom_source --test loom_idle
//! ```
#![cfg(loom)]

use std::sync::atomic::Ordering::{Acquire, Release, SeqCst};

use edgeio_runtime::__loom::Idle;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::Arc;
use loom::thread;

/// `preemption_bound`: `None` explores every interleaving; the
/// three-thread model is bounded to keep it under a few seconds (unbounded
/// it passes too, in ~2.5 min).
fn model(preemption_bound: Option<usize>, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.check(f);
}

/// One producer, one worker sleeping on the condition variable. The queue
/// is an `AtomicBool` with only release/acquire ordering: the fences in
/// `idle.rs` must do the rest.
#[test]
fn notify_one_vs_condvar_sleeper() {
    model(None, || {
        let idle = Arc::new(Idle::new());
        let queue = Arc::new(AtomicBool::new(false));

        let worker = {
            let (idle, queue) = (idle.clone(), queue.clone());
            thread::spawn(move || {
                // Worker loop: sleep until there is work, then take it.
                idle.sleep(|| queue.load(Acquire));
                assert!(queue.swap(false, SeqCst), "woken with no work queued");
            })
        };

        queue.store(true, Release);
        idle.notify_one(|| unreachable!("nobody parks in epoll_wait here"));
        worker.join().unwrap();
    });
}

/// One producer, one worker parked as the driver (in `epoll_wait`, modelled
/// as spinning on an eventfd flag). The producer's `notify_one` must write
/// the eventfd unless the worker saw the work before parking.
#[test]
fn notify_one_vs_parked_driver() {
    model(None, || {
        let idle = Arc::new(Idle::new());
        let queue = Arc::new(AtomicBool::new(false));
        let eventfd = Arc::new(AtomicUsize::new(0));

        let worker = {
            let (idle, queue, eventfd) = (idle.clone(), queue.clone(), eventfd.clone());
            thread::spawn(move || {
                if idle.park_driver(|| queue.load(Acquire)) {
                    // "epoll_wait": blocks until the eventfd is written.
                    while eventfd.load(SeqCst) == 0 {
                        thread::yield_now();
                    }
                    idle.unpark_driver();
                }
                assert!(queue.swap(false, SeqCst), "woken with no work queued");
            })
        };

        queue.store(true, Release);
        let notifier = eventfd.clone();
        idle.notify_one(move || {
            notifier.fetch_add(1, SeqCst);
        });
        worker.join().unwrap();
        assert!(eventfd.load(SeqCst) <= 1, "eventfd written more than once");
    });
}

/// Two producers and one sleeping worker: two items, the worker takes both
/// (the second notify may find the worker already awake, which is fine as
/// long as it re-checks the queue before sleeping again).
#[test]
fn two_producers_one_sleeper() {
    model(Some(3), || {
        let idle = Arc::new(Idle::new());
        let queue = Arc::new(AtomicUsize::new(0));

        let producers: Vec<_> = (0..2)
            .map(|_| {
                let (idle, queue) = (idle.clone(), queue.clone());
                thread::spawn(move || {
                    queue.fetch_add(1, SeqCst);
                    idle.notify_one(|| unreachable!());
                })
            })
            .collect();

        let mut taken = 0;
        while taken < 2 {
            idle.sleep(|| queue.load(SeqCst) > 0);
            // Take everything queued.
            taken += queue.swap(0, SeqCst);
        }
        for p in producers {
            p.join().unwrap();
        }
    });
}
