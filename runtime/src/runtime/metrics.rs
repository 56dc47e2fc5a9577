//! A runtime's counters.

use std::sync::atomic::Ordering;

use crate::executor::scheduler::Shared;

/// Counters of a runtime, as returned by [`Runtime::metrics`](crate::Runtime::metrics).
/// Per-worker counts are published when a worker parks and every
/// `event_interval` ticks, so they may lag slightly behind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Worker threads (1 on the current-thread runtime).
    pub workers: usize,
    /// Tasks spawned since the start.
    pub tasks_spawned: u64,
    /// Tasks spawned that have not finished (completed, panicked or been
    /// cancelled) yet; `spawn_blocking` jobs are not counted.
    pub tasks_alive: usize,
    /// Task polls, summed over the workers.
    pub tasks_polled: u64,
    /// Tasks taken from other workers' queues, summed over the workers.
    pub tasks_stolen: u64,
    /// Times a worker went to sleep, summed over the workers.
    pub worker_parks: u64,
    /// Workers searching for work right now.
    pub searching_workers: usize,
    /// Tasks waiting in the global queue right now.
    pub injector_depth: usize,
    /// `epoll_wait` calls.
    pub reactor_polls: u64,
    /// Events those calls returned, in total.
    pub events_received: u64,
    /// The largest batch one `epoll_wait` returned.
    pub max_events_per_poll: usize,
    /// File descriptors registered with the reactor.
    pub registered_fds: usize,
    /// Timers waiting to fire.
    pub pending_timers: usize,
    /// Threads in the blocking pool, busy or idle.
    pub blocking_threads: usize,
    worker_polls: Vec<u64>,
    worker_parks_each: Vec<u64>,
}

impl Metrics {
    pub(crate) fn of(shared: &Shared) -> Metrics {
        let reactor = &shared.reactor;
        let each = |counter: fn(&crate::executor::scheduler::WorkerStats) -> u64| {
            shared.stats.iter().map(counter).collect::<Vec<u64>>()
        };
        Metrics {
            workers: shared.locals.len(),
            tasks_spawned: shared.spawned.load(Ordering::Relaxed),
            tasks_alive: shared.tasks.len(),
            tasks_polled: shared.worker_total(|s| &s.polled),
            tasks_stolen: shared.worker_total(|s| &s.stolen),
            worker_parks: shared.worker_total(|s| &s.parks),
            searching_workers: shared.idle.searching(),
            injector_depth: shared.injector.len(),
            reactor_polls: reactor.stats.polls.load(Ordering::Relaxed),
            events_received: reactor.stats.events.load(Ordering::Relaxed),
            max_events_per_poll: reactor.stats.max_events.load(Ordering::Relaxed),
            registered_fds: reactor.registered_fds(),
            pending_timers: reactor.pending_timers(),
            blocking_threads: shared.blocking.threads(),
            worker_polls: each(|s| s.polled.load(Ordering::Relaxed)),
            worker_parks_each: each(|s| s.parks.load(Ordering::Relaxed)),
        }
    }

    /// Task polls worker `worker` has done (tokio's `worker_poll_count`).
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::workers`].
    #[must_use]
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.worker_polls[worker]
    }

    /// Times worker `worker` went to sleep (tokio's `worker_park_count`).
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::workers`].
    #[must_use]
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.worker_parks_each[worker]
    }
}
