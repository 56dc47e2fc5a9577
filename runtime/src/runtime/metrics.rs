//! A runtime's counters.

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::executor::scheduler::Shared;

/// Counters of a runtime, as returned by [`Runtime::metrics`](crate::Runtime::metrics).
///
/// Two views: the public fields are a snapshot taken when `metrics()` was
/// called; the methods named as tokio's `RuntimeMetrics` methods read the
/// runtime's counters live, as tokio's do, so one `Metrics` can be kept and
/// read again (also after the runtime is dropped, for its final counts).
/// Per-worker counts are published when a worker parks and every
/// `event_interval` ticks, so they may lag slightly behind.
#[derive(Clone)]
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
    /// For the live methods; keeps the runtime's counters (not its
    /// threads) alive, as a `Handle` does.
    shared: Arc<Shared>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics")
            .field("workers", &self.workers)
            .field("tasks_spawned", &self.tasks_spawned)
            .field("tasks_alive", &self.tasks_alive)
            .field("tasks_polled", &self.tasks_polled)
            .field("tasks_stolen", &self.tasks_stolen)
            .field("worker_parks", &self.worker_parks)
            .field("searching_workers", &self.searching_workers)
            .field("injector_depth", &self.injector_depth)
            .field("reactor_polls", &self.reactor_polls)
            .field("events_received", &self.events_received)
            .field("max_events_per_poll", &self.max_events_per_poll)
            .field("registered_fds", &self.registered_fds)
            .field("pending_timers", &self.pending_timers)
            .field("blocking_threads", &self.blocking_threads)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    pub(crate) fn of(shared: &Arc<Shared>) -> Metrics {
        let reactor = &shared.reactor;
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
            shared: shared.clone(),
        }
    }

    /// Worker threads, now (tokio's `num_workers`): 1 on the
    /// current-thread runtime.
    #[must_use]
    pub fn num_workers(&self) -> usize {
        self.shared.locals.len()
    }

    /// Tasks spawned that have not finished yet, now (tokio's
    /// `num_alive_tasks`); `spawn_blocking` jobs are not counted.
    #[must_use]
    pub fn num_alive_tasks(&self) -> usize {
        self.shared.tasks.len()
    }

    /// Tasks waiting in the global queue (the injector), now (tokio's
    /// `global_queue_depth`).
    #[must_use]
    pub fn global_queue_depth(&self) -> usize {
        self.shared.injector.len()
    }

    /// Time worker `worker` spent out of park, running tasks or looking
    /// for them, as last published (tokio's `worker_total_busy_duration`).
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::num_workers`].
    #[must_use]
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(self.shared.stats[worker].busy_nanos.load(Ordering::Relaxed))
    }

    /// Times worker `worker` parked plus times it unparked, now (tokio's
    /// `worker_park_unpark_count`): odd while the worker sleeps.
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::num_workers`].
    #[must_use]
    pub fn worker_park_unpark_count(&self, worker: usize) -> u64 {
        self.shared.stats[worker].park_unparks.load(Ordering::Relaxed)
    }

    /// Task polls worker `worker` has done, as last published (tokio's
    /// `worker_poll_count`).
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::num_workers`].
    #[must_use]
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.shared.stats[worker].polled.load(Ordering::Relaxed)
    }

    /// Times worker `worker` went to sleep, as last published (tokio's
    /// `worker_park_count`).
    ///
    /// # Panics
    ///
    /// If `worker` is not below [`Metrics::num_workers`].
    #[must_use]
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.shared.stats[worker].parks.load(Ordering::Relaxed)
    }
}
