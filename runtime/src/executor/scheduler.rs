//! The state every worker shares: the global injector, each worker's local
//! queue and sleep state, the idle protocol, the closed flag, and how a
//! woken task finds its way back into a queue. The protocol these follow
//! is written down at the top of `worker.rs`.

use std::collections::VecDeque;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::task::Waker;
use std::time::Instant;

use crossbeam_queue::{ArrayQueue, SegQueue};
use crossbeam_utils::CachePadded;

use crate::blocking::BlockingPool;
use crate::executor::idle::Idle;
use crate::executor::park::Unparker;
use crate::executor::task_set::TaskSet;
use crate::io::reactor::Reactor;

/// A task ready to run. Its metadata is the runtime it belongs to (see
/// `schedule` in `spawn.rs` for why it is kept there).
pub(crate) type Runnable = async_task::Runnable<Weak<Shared>>;
/// The task side a [`JoinHandle`] holds.
pub(crate) type Task<T> = async_task::FallibleTask<T, Weak<Shared>>;

/// Capacity of a worker's local queue, tokio's: beyond it, half the queue
/// moves to the injector where any worker can take it.
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 256;

/// The scheduler's settings, fixed when the runtime is built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// One worker, run by the thread in `block_on` (the current-thread
    /// runtime), rather than dedicated worker threads.
    pub(crate) current_thread: bool,
    /// Ticks between two checks of the injector before the local queue.
    pub(crate) global_queue_interval: u32,
    /// Ticks between two polls of the reactor while tasks keep coming.
    pub(crate) event_interval: u32,
}

/// A function run on the runtime's threads (`Builder::on_thread_start`).
pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;

/// What runs on every thread the runtime starts.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) on_start: Option<Callback>,
    pub(crate) on_stop: Option<Callback>,
    /// Called by a worker before each sleep for want of work, and after.
    pub(crate) on_park: Option<Callback>,
    pub(crate) on_unpark: Option<Callback>,
}

pub(crate) struct Shared {
    /// Tells this runtime apart from every other one of the process.
    pub(crate) id: u64,
    /// The name given with `Builder::name`, if any (tokio's
    /// `Handle::name`); set by the builder after `new`.
    pub(crate) name: Option<String>,
    pub(crate) config: Config,
    pub(crate) hooks: Hooks,
    pub(crate) reactor: Arc<Reactor>,
    pub(crate) blocking: Arc<BlockingPool<Weak<Shared>>>,
    /// Tasks scheduled from outside the workers, or moved out of a full
    /// local queue.
    pub(crate) injector: SegQueue<Runnable>,
    /// One queue per worker. The owner pushes and pops; searching workers
    /// steal from the front.
    pub(crate) locals: Box<[ArrayQueue<Runnable>]>,
    /// How to wake each worker. Each on a cache line of its own: a
    /// worker's park and unpark write its entry, which must not evict its
    /// neighbours'.
    pub(crate) unparkers: Box<[CachePadded<Unparker>]>,
    pub(crate) idle: Idle,
    /// Every spawned task that has not finished.
    pub(crate) tasks: TaskSet,
    /// The closed state (see `worker.rs`): once set, no queue keeps a task
    /// and no spawn adds one.
    closed: AtomicBool,
    /// The current-thread runtime's one worker is taken by a `block_on`.
    pub(crate) core_taken: AtomicBool,
    /// The current-thread worker's run queue while no `block_on` holds the
    /// worker (the one holding it owns the queue; see `worker.rs`).
    core_queue: Mutex<VecDeque<Runnable>>,
    /// Other threads in `block_on`, woken when the worker is free again.
    pub(crate) core_waiters: Mutex<Vec<Waker>>,
    /// The `block_on` holding the current-thread worker has dropped its
    /// tasks since the runtime closed.
    core_tasks_dropped: AtomicBool,
    /// Notified under `core_waiters`' lock, once the runtime is closed,
    /// when the worker is handed back or its holder dropped its tasks:
    /// the runtime's shutdown waits for that (see `wait_core_quiet`).
    core_quiet: Condvar,
    pub(crate) stats: Box<[WorkerStats]>,
    /// Tasks spawned so far. Counted on every spawn, so on a cache line
    /// of its own, away from what every worker reads on every tick.
    pub(crate) spawned: CachePadded<AtomicU64>,
}

/// Counters one worker publishes; on their own cache line so workers do not
/// contend.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct WorkerStats {
    pub(crate) polled: AtomicU64,
    pub(crate) stolen: AtomicU64,
    pub(crate) parks: AtomicU64,
    /// Parks plus unparks (tokio's `worker_park_unpark_count`): odd while
    /// the worker sleeps. Counted at each park, not batched, so that it
    /// tells whether the worker sleeps right now.
    pub(crate) park_unparks: AtomicU64,
    /// Nanoseconds the worker spent out of park (tokio's
    /// `worker_total_busy_duration`), published with the other counters.
    pub(crate) busy_nanos: AtomicU64,
}

impl Shared {
    pub(crate) fn new(
        reactor: Arc<Reactor>,
        blocking: Arc<BlockingPool<Weak<Shared>>>,
        workers: usize,
        config: Config,
        hooks: Hooks,
    ) -> Shared {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: None,
            config,
            hooks,
            reactor,
            blocking,
            injector: SegQueue::new(),
            locals: (0..workers)
                .map(|_| ArrayQueue::new(LOCAL_QUEUE_CAPACITY))
                .collect(),
            unparkers: (0..workers)
                .map(|_| CachePadded::new(Unparker::default()))
                .collect(),
            idle: Idle::new(workers),
            tasks: TaskSet::default(),
            closed: AtomicBool::new(false),
            core_taken: AtomicBool::new(false),
            core_queue: Mutex::new(VecDeque::new()),
            core_waiters: Mutex::new(Vec::new()),
            core_tasks_dropped: AtomicBool::new(false),
            core_quiet: Condvar::new(),
            stats: (0..workers).map(|_| WorkerStats::default()).collect(),
            spawned: CachePadded::new(AtomicU64::new(0)),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(SeqCst)
    }

    /// Enters the closed state and wakes every worker to see it.
    pub(crate) fn close(&self) {
        self.closed.store(true, SeqCst);
        for unparker in self.unparkers.iter() {
            unparker.unpark(&self.reactor);
        }
    }

    /// Locks the list of threads waiting for the current-thread worker.
    pub(crate) fn lock_core_waiters(&self) -> MutexGuard<'_, Vec<Waker>> {
        self.core_waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current-thread worker was handed back (`tasks_dropped` false),
    /// or its holder dropped its tasks after the runtime closed (true):
    /// tells a shutdown waiting in [`wait_core_quiet`](Self::wait_core_quiet).
    /// Call it after the change it reports. A no-op unless closed, so the
    /// hand-back of a running runtime costs nothing more: a shutdown closes
    /// before it looks, so one that found the worker held sees the close
    /// here.
    pub(crate) fn core_released(&self, tasks_dropped: bool) {
        if self.is_closed() {
            if tasks_dropped {
                self.core_tasks_dropped.store(true, SeqCst);
            }
            // Under the lock the waiter checks under, so it cannot miss it.
            let _waiters = self.lock_core_waiters();
            self.core_quiet.notify_all();
        }
    }

    /// After `close`: waits until no `block_on` on another thread holds
    /// the current-thread worker with tasks of the runtime still in it
    /// (it drops them at its next tick, after the task it is polling), or
    /// until `deadline`; `false` if the deadline came first.
    pub(crate) fn wait_core_quiet(&self, deadline: Option<Instant>) -> bool {
        let held = |_: &mut Vec<Waker>| self.core_taken.load(SeqCst) && !self.core_tasks_dropped.load(SeqCst);
        let waiters = self.lock_core_waiters();
        let mut waiters = match deadline {
            None => self
                .core_quiet
                .wait_while(waiters, held)
                .unwrap_or_else(|e| e.into_inner()),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.core_quiet
                    .wait_timeout_while(waiters, left, held)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
        };
        !held(&mut waiters)
    }

    /// The current-thread worker's run queue, for the `block_on` that
    /// takes the worker.
    pub(crate) fn take_core_queue(&self) -> VecDeque<Runnable> {
        std::mem::take(&mut *self.lock_core_queue())
    }

    /// Keeps the current-thread worker's run queue for the next `block_on`.
    /// Once closed, drops its tasks instead: shutdown may have drained
    /// before the queue was back (see `push_remote`).
    pub(crate) fn put_core_queue(&self, queue: VecDeque<Runnable>) {
        *self.lock_core_queue() = queue;
        if self.is_closed() {
            drop(self.take_core_queue());
        }
    }

    fn lock_core_queue(&self) -> MutexGuard<'_, VecDeque<Runnable>> {
        self.core_queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every queued task, which cancels it; repeated until no task
    /// reschedules another (dropping a future may wake others, whose
    /// schedule drops them in turn once closed).
    pub(crate) fn drain(&self) {
        loop {
            // Dropped after the lock is released: the drops may schedule.
            let core_queue = self.take_core_queue();
            let mut dropped = !core_queue.is_empty();
            drop(core_queue);
            while let Some(runnable) = self.injector.pop() {
                drop(runnable);
                dropped = true;
            }
            for local in self.locals.iter() {
                while let Some(runnable) = local.pop() {
                    drop(runnable);
                    dropped = true;
                }
            }
            if !dropped {
                return;
            }
        }
    }

    /// One per-worker counter summed over all workers.
    pub(crate) fn worker_total(&self, counter: impl Fn(&WorkerStats) -> &AtomicU64) -> u64 {
        self.stats
            .iter()
            .map(|stats| counter(stats).load(Ordering::Relaxed))
            .sum()
    }

    /// Whether some queue other than `except`'s local one holds a task.
    pub(crate) fn has_work_elsewhere(&self, except: usize) -> bool {
        !self.injector.is_empty()
            || self
                .locals
                .iter()
                .enumerate()
                .any(|(i, q)| i != except && !q.is_empty())
    }

    /// Wakes a sleeping worker if the idle protocol says one should come
    /// (nobody searching, somebody asleep).
    pub(crate) fn notify_parked(&self) {
        if let Some(worker) = self.idle.worker_to_notify() {
            self.unparkers[worker].unpark(&self.reactor);
        }
    }

    /// Queues a task woken from a thread that is not one of our workers.
    pub(crate) fn push_remote(&self, runnable: Runnable) {
        if self.is_closed() {
            // Dropping the runnable cancels the task.
            return;
        }
        self.injector.push(runnable);
        // Closed meanwhile: shutdown may have drained the injector before
        // the push. Whoever sees the flag drains (the queues are
        // multi-consumer).
        if self.is_closed() {
            while let Some(runnable) = self.injector.pop() {
                drop(runnable);
            }
            return;
        }
        self.notify_parked();
    }
}
