//! Making tasks: [`spawn`] onto the workers, [`spawn_blocking`] onto the
//! blocking pool, and where a woken task goes ([`schedule`]).
//!
//! This sits above the scheduler's state (`scheduler.rs`), the workers
//! (`worker.rs`), the task set and the blocking pool, and ties them
//! together: a task is born here, tracked in the set, and scheduled onto a
//! worker's queue or the injector.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

use async_task::{ScheduleInfo, WithInfo};

use crate::executor::context;
use crate::executor::join_handle::JoinHandle;
use crate::executor::scheduler::{Runnable, Shared};
use crate::executor::task_future::{KeepIfWatched, TaskFuture};
use crate::executor::task_id::Id;
use crate::executor::task_set::TaskKey;
use crate::executor::worker;
use crate::io::reactor::Reactor;
use crate::trace::trace;

/// Runs a blocking-pool thread's body in the context of the runtime its
/// first job belongs to (the pool's [`RunThread`](crate::blocking::RunThread)).
pub(crate) fn run_blocking_thread(runtime: Weak<Shared>, body: &mut dyn FnMut()) {
    match runtime.upgrade() {
        Some(shared) => context::run_thread(shared, body),
        // The runtime is going away: its shutdown drains the pool.
        None => body(),
    }
}

/// Spawns `future` onto the runtime `shared`: a task in its set, queued
/// to run. After shutdown (the closed state, see `worker.rs`) the future
/// is dropped at once and the handle reports the task as cancelled.
pub(crate) fn spawn<F>(shared: &Arc<Shared>, future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if shared.is_closed() {
        return cancelled(future);
    }
    let number = shared.spawned.fetch_add(1, Ordering::Relaxed);
    let id = Id::next();
    let (key, runnable, task) = shared.tasks.insert(number, |key| {
        let future = Tracked::new(future, shared.id, key);
        async_task::Builder::new().metadata(Arc::downgrade(shared)).spawn(
            |_| TaskFuture::<_, KeepIfWatched>::new(future, id),
            WithInfo(schedule),
        )
    });
    // Closed between the check above and the insert: shutdown may have
    // woken the set before this entry was in it, so take it out here.
    if shared.is_closed() {
        let waker = shared.tasks.remove(key);
        drop(runnable);
        drop(waker);
        return JoinHandle::new(task.fallible(), id);
    }
    trace!("task spawned");
    runnable.schedule();
    JoinHandle::new(task.fallible(), id)
}

/// A handle to a task that never ran: `future` is dropped at once and the
/// handle reports the task as cancelled, as when spawning onto a runtime
/// that has shut down. The task is in no set and no queue.
fn cancelled<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let id = Id::next();
    let (runnable, task) = async_task::Builder::new().metadata(Weak::new()).spawn(
        |_| TaskFuture::<_, KeepIfWatched>::new(future, id),
        WithInfo(schedule),
    );
    drop(runnable);
    JoinHandle::new(task.fallible(), id)
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
/// the task's state per wake.
fn schedule(runnable: Runnable, info: ScheduleInfo) {
    let shared = Weak::as_ptr(runnable.metadata());
    if let Err(runnable) = worker::schedule_local(shared, runnable, info) {
        match runnable.metadata().upgrade() {
            Some(shared) => shared.push_remote(runnable),
            None => drop(runnable),
        }
    }
}

/// Queues the blocking job `f` on `runtime`'s pool. The job holds only a weak reference
/// to the runtime (its metadata, as for any task), so a `JoinHandle`
/// kept around keeps neither the runtime nor its pool alive; once the
/// runtime is gone, scheduling the job drops (cancels) it.
pub(crate) fn spawn_blocking<F, R>(runtime: &Arc<Shared>, f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let schedule = |runnable: Runnable| {
        if let Some(shared) = runnable.metadata().upgrade() {
            shared.blocking.schedule(runnable);
        }
    };
    // A blocking job is work in progress a paused clock must wait for
    // (it may be about to arm a timer): no auto-advance until it ends.
    let inhibit = InhibitAutoAdvance::new(&runtime.reactor);
    let id = Id::next();
    let (runnable, task) = async_task::Builder::new()
        .metadata(Arc::downgrade(runtime))
        .spawn(
            |_| {
                TaskFuture::<_, KeepIfWatched>::new(
                    async move {
                        let _release = ReleaseAfterJob(Some(inhibit));
                        f()
                    },
                    id,
                )
            },
            schedule,
        );
    runnable.schedule();
    JoinHandle::new(task.fallible(), id)
}

thread_local! {
    /// The inhibitor of the blocking job this pool thread just ran, kept
    /// until the pool has published the job's output (see
    /// [`ReleaseAfterJob`]).
    static FINISHED_JOB: Cell<Option<InhibitAutoAdvance>> = const { Cell::new(None) };
}

/// Owns a running blocking job's [`InhibitAutoAdvance`] and, when the job
/// returns or unwinds, hands it to the pool thread, which drops it in
/// [`release_finished_job`] once `async-task` has stored the output and
/// woken the task awaiting it. Dropped earlier, the inhibitor would let a
/// paused clock jump (and a `timeout` around the job expire) in the moment
/// between the job's end and that wake, as tokio's pool avoids by allowing
/// auto-advance only when it releases the finished task.
struct ReleaseAfterJob(Option<InhibitAutoAdvance>);

impl Drop for ReleaseAfterJob {
    fn drop(&mut self) {
        let inhibit = self.0.take();
        // Without the thread-local (the thread is exiting), the inhibitor
        // is dropped at once.
        let _ = FINISHED_JOB.try_with(|slot| drop(slot.replace(inhibit)));
    }
}

/// Called by a blocking-pool thread after each job it runs: lets a paused
/// clock auto-advance again if that job was the last to hold it off.
pub(crate) fn release_finished_job() {
    let _ = FINISHED_JOB.try_with(|slot| drop(slot.take()));
}

/// Holds off the paused clock's auto-advance while it lives.
struct InhibitAutoAdvance(Arc<Reactor>);

impl InhibitAutoAdvance {
    fn new(reactor: &Arc<Reactor>) -> InhibitAutoAdvance {
        reactor.inhibit_auto_advance();
        InhibitAutoAdvance(reactor.clone())
    }
}

impl Drop for InhibitAutoAdvance {
    fn drop(&mut self) {
        self.0.allow_auto_advance();
    }
}

pin_project_lite::pin_project! {
    /// A spawned future that leaves its runtime's [`TaskSet`] when it
    /// completes or is dropped.
    struct Tracked<F> {
        #[pin]
        future: F,
        // The runtime's `Shared::id`.
        runtime: u64,
        key: TaskKey,
    }

    impl<F> PinnedDrop for Tracked<F> {
        fn drop(this: Pin<&mut Self>) {
            let (runtime, key) = (this.runtime, this.key);
            let waker = context::with_current(|shared| {
                if shared.id == runtime {
                    shared.tasks.remove(key)
                } else {
                    None
                }
            });
            drop(waker.flatten());
        }
    }
}

impl<F> Tracked<F> {
    fn new(future: F, runtime: u64, key: TaskKey) -> Tracked<F> {
        Tracked { future, runtime, key }
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().future.poll(cx)
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
