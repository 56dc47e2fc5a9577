//! Which workers sleep, and how many search for work: the idle protocol
//! (tokio's, `runtime/scheduler/multi_thread/idle.rs`).
//!
//! A worker is in one of three states: *running* tasks, *searching* for
//! work in other workers' queues and the injector, or *parked* (its index
//! is in `sleepers`). One word holds two counts: workers not parked
//! (`unparked`) and workers searching (`searching`).
//!
//! - **Notify**: whoever makes work visible (pushes to a queue) then calls
//!   [`Idle::worker_to_notify`]. It wakes a sleeper only if nobody searches
//!   (a searcher will find the work) and somebody sleeps; the woken worker
//!   is counted as searching *before* it runs, so a burst of
//!   notifications wakes one worker, not one per task.
//! - **Chain**: a searcher that finds work stops searching; if it was the
//!   last searcher, it notifies the next sleeper ([`Idle::transition_worker_from_searching`]).
//!   So a burst spreads over every worker in as many hops as there are
//!   workers, with at most one wake-up in flight at a time.
//! - **Bound**: at most half the workers search at once
//!   ([`Idle::transition_worker_to_searching`]), so idle workers do not
//!   all hammer the same queues.
//! - **No lost wake-up**: a worker about to park first counts itself out
//!   (under the sleepers lock, with a `SeqCst` read-modify-write), and if
//!   it was the last searcher, checks every queue once more; a producer
//!   pushes first, then reads the counts with a `SeqCst` read-modify-write.
//!   Either the producer sees no searcher and wakes a sleeper, or the last
//!   searcher's final check sees the work. The loom model
//!   `runtime/tests/loom_idle.rs` explores every interleaving.

use std::sync::atomic::Ordering::SeqCst;

use crossbeam_utils::CachePadded;

use crate::loom::{AtomicUsize, Mutex};

/// Bits of the state word that count searching workers; the rest count
/// unparked ones. 16 bits allow 65,535 workers.
const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

pub(crate) struct Idle {
    /// `unparked << UNPARK_SHIFT | searching`. Written on every
    /// notification (a read-modify-write, see [`Idle::worker_to_notify`])
    /// and search transition, so on a cache line of its own: beside the
    /// scheduler's read-mostly fields (the queues' addresses, the closed
    /// flag), each write would evict them from every other worker's cache.
    state: CachePadded<AtomicUsize>,
    workers: usize,
    /// Indexes of the parked workers.
    sleepers: Mutex<Vec<usize>>,
}

fn searching(state: usize) -> usize {
    state & SEARCH_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARK_SHIFT
}

impl Idle {
    /// All `workers` start unparked and not searching.
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            state: CachePadded::new(AtomicUsize::new(workers << UNPARK_SHIFT)),
            workers,
            sleepers: Mutex::new(Vec::with_capacity(workers)),
        }
    }

    fn lock(&self) -> crate::loom::MutexGuard<'_, Vec<usize>> {
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether new work should wake a sleeper: nobody searches (who would
    /// find it) and somebody sleeps. A read-modify-write, not a load, so it
    /// is ordered after the producer's push (see the module doc).
    fn should_wake(&self) -> bool {
        let state = self.state.fetch_add(0, SeqCst);
        searching(state) == 0 && unparked(state) < self.workers
    }

    /// Call after making work visible: the index of a sleeper to unpark,
    /// already counted as unparked and searching, or `None` if none should
    /// be woken.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_wake() {
            return None;
        }
        let mut sleepers = self.lock();
        // Checked again under the lock: another producer may have woken
        // the last sleeper, or a worker started searching, meanwhile.
        if !self.should_wake() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.state.fetch_add((1 << UNPARK_SHIFT) | 1, SeqCst);
        Some(worker)
    }

    /// A worker out of local work asks to search. Refused while half the
    /// workers already search.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * searching(state) >= self.workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searching worker found work. Returns whether it was the last
    /// searcher, in which case it must notify a sleeper to carry on.
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let previous = self.state.fetch_sub(1, SeqCst);
        searching(previous) == 1
    }

    /// `worker` parks. Returns whether it was the last searcher, in which
    /// case it must check every queue once more before sleeping.
    pub(crate) fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = self.lock();
        let delta = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let previous = self.state.fetch_sub(delta, SeqCst);
        sleepers.push(worker);
        is_searching && searching(previous) == 1
    }

    /// `worker` woke up with work of its own (its timers or I/O fired)
    /// without being notified: takes it off the sleepers. Returns `false`
    /// if it was no longer there (a notification took it off, counting it
    /// as searching).
    pub(crate) fn unpark_worker_by_id(&self, worker: usize) -> bool {
        let mut sleepers = self.lock();
        match sleepers.iter().position(|&w| w == worker) {
            Some(at) => {
                sleepers.swap_remove(at);
                self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
                true
            }
            None => false,
        }
    }

    /// Whether `worker` is still among the sleepers (its wake-up was not a
    /// notification).
    pub(crate) fn is_parked(&self, worker: usize) -> bool {
        self.lock().contains(&worker)
    }

    /// Workers searching right now.
    pub(crate) fn searching(&self) -> usize {
        searching(self.state.load(SeqCst))
    }

    /// Workers not parked (running or searching) right now.
    pub(crate) fn unparked(&self) -> usize {
        unparked(self.state.load(SeqCst))
    }
}

/// What the loom model (`runtime/tests/loom_idle.rs`) drives; see
/// `lib.rs`'s `__loom` module.
#[cfg(loom)]
#[allow(missing_docs)]
pub mod loom_api {
    /// An [`super::Idle`] behind a public face.
    pub struct Idle(super::Idle);

    impl Idle {
        pub fn new(workers: usize) -> Idle {
            Idle(super::Idle::new(workers))
        }

        pub fn worker_to_notify(&self) -> Option<usize> {
            self.0.worker_to_notify()
        }

        pub fn transition_worker_to_searching(&self) -> bool {
            self.0.transition_worker_to_searching()
        }

        pub fn transition_worker_from_searching(&self) -> bool {
            self.0.transition_worker_from_searching()
        }

        pub fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
            self.0.transition_worker_to_parked(worker, is_searching)
        }

        pub fn unpark_worker_by_id(&self, worker: usize) -> bool {
            self.0.unpark_worker_by_id(worker)
        }

        pub fn is_parked(&self, worker: usize) -> bool {
            self.0.is_parked(worker)
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn one_notification_per_burst_until_the_searcher_finds_work() {
        let idle = Idle::new(4);
        for worker in 0..4 {
            assert!(!idle.transition_worker_to_parked(worker, false));
        }
        // The first push wakes a worker, counted as searching: the next
        // pushes wake nobody.
        let first = idle.worker_to_notify();
        assert!(first.is_some());
        assert_eq!(idle.worker_to_notify(), None);
        assert_eq!(idle.searching(), 1);
        // It finds work and was the last searcher: it must wake the next.
        assert!(idle.transition_worker_from_searching());
        assert!(idle.worker_to_notify().is_some());
    }

    #[test]
    fn at_most_half_the_workers_search() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_from_searching());
        assert!(idle.transition_worker_to_searching());
    }

    #[test]
    fn the_last_searcher_to_park_is_told_to_check_the_queues() {
        let idle = Idle::new(2);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching() || idle.searching() == 1);
        let searchers = idle.searching();
        let mut last = Vec::new();
        for worker in 0..searchers {
            last.push(idle.transition_worker_to_parked(worker, true));
        }
        assert_eq!(last.last(), Some(&true));
        assert!(idle.is_parked(0));
        assert!(idle.unpark_worker_by_id(0));
        assert!(!idle.is_parked(0));
        assert!(!idle.unpark_worker_by_id(0));
    }
}
