//! loom models of the idle protocol in `executor/idle.rs`: producers push
//! work to a shared queue and then ask the protocol whom to wake; workers
//! take work, search, and park as `executor/worker.rs` does. No
//! interleaving may leave work queued with every worker asleep: the main
//! thread waits until all work is done, so a lost wake-up is a deadlock,
//! which loom reports.
//!
//! Run:
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p edgeio-runtime --release --test loom_source --test loom_idle
//! ```
#![cfg(loom)]

use std::sync::atomic::Ordering::SeqCst;

use edgeio_runtime::__loom::Idle;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

/// One worker's sleep: a flag under a lock, as `park.rs`'s condvar path.
#[derive(Default)]
struct Parker {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Parker {
    fn park(&self) {
        let mut notified = self.notified.lock().unwrap();
        while !*notified {
            notified = self.condvar.wait(notified).unwrap();
        }
        *notified = false;
    }

    fn unpark(&self) {
        *self.notified.lock().unwrap() = true;
        self.condvar.notify_one();
    }
}

struct Runtime {
    idle: Idle,
    parkers: Vec<Parker>,
    /// Work items queued (the injector).
    queue: AtomicUsize,
    done: Mutex<usize>,
    all_done: Condvar,
    closed: AtomicBool,
}

impl Runtime {
    fn new(workers: usize) -> Runtime {
        Runtime {
            idle: Idle::new(workers),
            parkers: (0..workers).map(|_| Parker::default()).collect(),
            queue: AtomicUsize::new(0),
            done: Mutex::new(0),
            all_done: Condvar::new(),
            closed: AtomicBool::new(false),
        }
    }

    fn take(&self) -> bool {
        self.queue
            .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn notify_parked(&self) {
        if let Some(worker) = self.idle.worker_to_notify() {
            self.parkers[worker].unpark();
        }
    }

    /// A producer: push, then notify.
    fn push(&self) {
        self.queue.fetch_add(1, SeqCst);
        self.notify_parked();
    }

    /// The worker loop of `worker.rs`, minus the tasks themselves.
    fn work(&self, index: usize) {
        let mut searching = false;
        let found = |searching: &mut bool| {
            if std::mem::replace(searching, false) && self.idle.transition_worker_from_searching() {
                self.notify_parked();
            }
            *self.done.lock().unwrap() += 1;
            self.all_done.notify_one();
        };
        loop {
            if self.closed.load(SeqCst) {
                return;
            }
            // next_task: the injector.
            if self.take() {
                found(&mut searching);
                continue;
            }
            // steal_work: search, then the injector again.
            if !searching && self.idle.transition_worker_to_searching() {
                searching = true;
            }
            if searching && self.take() {
                found(&mut searching);
                continue;
            }
            // park
            let was_searching = std::mem::replace(&mut searching, false);
            if self.idle.transition_worker_to_parked(index, was_searching) && self.queue.load(SeqCst) > 0 {
                self.notify_parked();
            }
            loop {
                self.parkers[index].park();
                if self.closed.load(SeqCst) {
                    return;
                }
                // transition_from_park: no local work in this model.
                if !self.idle.is_parked(index) {
                    searching = true;
                    break;
                }
            }
        }
    }
}

/// Runs `workers` worker threads and `producers` producer threads (one
/// item each), waits until all items are done, then closes.
fn run(workers: usize, producers: usize, preemption_bound: Option<usize>) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.check(move || {
        let rt = Arc::new(Runtime::new(workers));
        let worker_threads: Vec<_> = (0..workers)
            .map(|index| {
                let rt = rt.clone();
                thread::spawn(move || rt.work(index))
            })
            .collect();
        let producer_threads: Vec<_> = (1..producers)
            .map(|_| {
                let rt = rt.clone();
                thread::spawn(move || rt.push())
            })
            .collect();
        rt.push();
        for producer in producer_threads {
            producer.join().unwrap();
        }
        // A lost wake-up leaves this waiting with every worker asleep:
        // loom reports the deadlock.
        let mut done = rt.done.lock().unwrap();
        while *done < producers {
            done = rt.all_done.wait(done).unwrap();
        }
        drop(done);
        rt.closed.store(true, SeqCst);
        for parker in &rt.parkers {
            parker.unpark();
        }
        for worker in worker_threads {
            worker.join().unwrap();
        }
        assert_eq!(rt.queue.load(SeqCst), 0);
    });
}

#[test]
fn one_producer_one_worker() {
    run(1, 1, None);
}

#[test]
fn one_producer_two_workers() {
    run(2, 1, Some(3));
}

#[test]
fn two_producers_two_workers() {
    run(2, 2, Some(1));
}
