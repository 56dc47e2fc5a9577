//! The state every worker shares: the global injector, each worker's local
//! queue, the sleepers, and how a woken task finds its way back into a
//! queue.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use async_task::{ScheduleInfo, WithInfo};
use crossbeam_queue::{ArrayQueue, SegQueue};

use crate::blocking::BlockingPool;
use crate::executor::idle::Idle;
use crate::executor::join_handle::JoinHandle;
use crate::executor::task_future::TaskFuture;
use crate::executor::task_id::Id;
use crate::executor::task_set::{TaskSet, Tracked};
use crate::executor::worker;
use crate::io::reactor::Reactor;
use crate::trace::trace;

/// A task ready to run. Its metadata is the runtime it belongs to (see
/// [`schedule`] for why it is kept there).
pub(crate) type Runnable = async_task::Runnable<Weak<Shared>>;
/// The task side a [`JoinHandle`] holds.
pub(crate) type Task<T> = async_task::FallibleTask<T, Weak<Shared>>;

/// Capacity of a worker's local queue; beyond it, tasks spill to the
/// injector where any worker can take them.
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 256;

pub(crate) struct Shared {
    /// Tells this runtime apart from every other one of the process.
    pub(crate) id: u64,
    pub(crate) reactor: Arc<Reactor>,
    pub(crate) blocking: Arc<BlockingPool>,
    /// Tasks scheduled from outside the workers (or spilled over).
    pub(crate) injector: SegQueue<Runnable>,
    /// One queue per worker. The owner pushes and pops; idle workers steal
    /// from the front.
    pub(crate) locals: Box<[ArrayQueue<Runnable>]>,
    pub(crate) idle: Idle,
    /// Every spawned task that has not finished.
    pub(crate) tasks: TaskSet,
    shutdown: AtomicBool,
    pub(crate) stats: Box<[WorkerStats]>,
    pub(crate) spawned: AtomicU64,
    /// Under overload, how long a task may wait in the injector while
    /// fresher ones run (`Builder::max_injector_wait`).
    pub(crate) max_injector_wait: Duration,
}

/// Counters one worker publishes; on their own cache line so workers do not
/// contend.
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct WorkerStats {
    pub(crate) polled: AtomicU64,
    pub(crate) stolen: AtomicU64,
    pub(crate) spins: AtomicU64,
}

impl Shared {
    pub(crate) fn new(
        reactor: Arc<Reactor>,
        blocking: BlockingPool,
        workers: usize,
        max_injector_wait: Duration,
    ) -> Shared {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            reactor,
            blocking: Arc::new(blocking),
            injector: SegQueue::new(),
            locals: (0..workers)
                .map(|_| ArrayQueue::new(LOCAL_QUEUE_CAPACITY))
                .collect(),
            idle: Idle::default(),
            tasks: TaskSet::default(),
            shutdown: AtomicBool::new(false),
            stats: (0..workers).map(|_| WorkerStats::default()).collect(),
            spawned: AtomicU64::new(0),
            max_injector_wait,
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    /// Stops the workers. Queued tasks stay until [`Shared::drain`].
    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
        self.idle.notify_all(&self.reactor);
    }

    /// Drops every queued task, which cancels it; repeated until no task
    /// reschedules another (dropping a future may wake others).
    pub(crate) fn drain(&self) {
        loop {
            let mut dropped = false;
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

    /// Whether any queue holds a task some worker could run.
    pub(crate) fn has_work(&self) -> bool {
        self.is_shutdown() || !self.injector.is_empty() || self.locals.iter().any(|q| !q.is_empty())
    }

    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let number = self.spawned.fetch_add(1, Ordering::Relaxed);
        let id = Id::next();
        let (runnable, task) = self.tasks.insert(number, |key| {
            let future = Tracked::new(future, self.id, key);
            async_task::Builder::new()
                .metadata(Arc::downgrade(self))
                .spawn(|_| TaskFuture::new(future, id), WithInfo(schedule))
        });
        trace!("task spawned");
        runnable.schedule();
        JoinHandle::new(task.fallible(), id)
    }

    /// Queues a task woken from a thread that is not one of our workers.
    pub(crate) fn push_remote(&self, runnable: Runnable) {
        if self.is_shutdown() {
            // Dropping the runnable cancels the task.
            return;
        }
        self.injector.push(runnable);
        self.idle.notify_one(&self.reactor);
    }
}

/// Where a woken task goes.
///
/// The task's runtime is its metadata, a `Weak`, so tasks parked forever do
/// not keep a dropped runtime (and its epoll fd) alive; on a worker the
/// `Weak` is compared by address and never upgraded.
///
/// This is a plain `fn`, not a closure capturing the runtime, because
/// `async-task` makes every wake cheaper when the schedule function is
/// zero-sized: with captured state it pins the task with an extra
/// reference around each schedule call and turns a wake by value into a
/// wake by reference plus a drop, three more atomic read-modify-writes on
/// the task's state per wake (`perf` on the same-thread wake chain put 12 %
/// of the time in those `clone_waker` and `drop_waker` calls).
fn schedule(runnable: Runnable, info: ScheduleInfo) {
    let shared = Weak::as_ptr(runnable.metadata());
    if let Err(runnable) = worker::schedule_local(shared, runnable, info) {
        match runnable.metadata().upgrade() {
            Some(shared) => shared.push_remote(runnable),
            None => drop(runnable),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn schedule_function_is_zero_sized() {
        // async-task's cheap wake path depends on it; see `schedule`.
        assert_eq!(std::mem::size_of_val(&async_task::WithInfo(super::schedule)), 0);
    }
}
