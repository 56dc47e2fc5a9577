//! The wrapper every spawned future runs inside: it keeps panics (in
//! `poll`, and in the `Drop` of the future or its output) from unwinding
//! into the runtime.
//!
//! A panic in `poll` becomes the task's output, reported by its
//! `JoinHandle`; the future is dropped while that panic unwinds (see
//! [`DropOnUnwind`]). A result an abort raced with is kept for the
//! aborting handle (see [`Keep`]). `async-task` aborts the whole process
//! if a task's future or output panics while being dropped, so both are
//! dropped here, under `catch_unwind`, and such a panic is contained (its
//! message still goes to the panic hook). A cancelled future's panic goes
//! to `abort_panic`, for a handle that aborted the task to report.
//!
//! It also makes the task's [`Id`] the thread's current one while the
//! future is polled or dropped, and while an output nobody awaited is
//! dropped, for `task::id()`.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::executor::abort_panic;
use crate::executor::task_id::{self, Id};

/// A task's result: its output, or the payload of the panic that ended it.
pub(crate) type TaskResult<T> = Result<T, Box<dyn Any + Send>>;

/// What a task's last poll does with its result when an abort may have
/// closed the task meanwhile (see `abort_panic`).
pub(crate) trait Keep<T> {
    /// Keeps `result` for a handle that watches task `id`, or gives it back.
    fn keep(id: Id, result: TaskResult<T>) -> Option<TaskResult<T>>;
}

/// For tasks whose output may cross threads: an abort from another thread
/// may land during their last poll, so a watched result is kept.
pub(crate) struct KeepIfWatched;

impl<T: Send + 'static> Keep<T> for KeepIfWatched {
    #[inline]
    fn keep(id: Id, result: TaskResult<T>) -> Option<TaskResult<T>> {
        if !abort_panic::any_watched() {
            return Some(result);
        }
        // Kept as a `TaskOutput`, so that a handle that drops it unawaited
        // contains its panics as the task's own output would.
        abort_panic::keep_output(id, TaskOutput(Some(result), id)).and_then(TaskOutput::into_result)
    }
}

/// For `spawn_local` tasks: aborted from their own thread, never during
/// their poll, so there is nothing to keep (and their output need not be
/// `Send`, as `abort_panic`'s store asks).
pub(crate) struct NeverKeep;

impl<T> Keep<T> for NeverKeep {
    fn keep(_id: Id, result: TaskResult<T>) -> Option<TaskResult<T>> {
        Some(result)
    }
}

pin_project_lite::pin_project! {
    pub(crate) struct TaskFuture<F, K> {
        // `None` once the future completed and was dropped.
        #[pin]
        inner: Option<F>,
        id: Id,
        keep: PhantomData<fn() -> K>,
    }

    impl<F, K> PinnedDrop for TaskFuture<F, K> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let _current = task_id::enter(*this.id);
            // Still here, the future never finished: the task was
            // cancelled. A handle that aborted it reports the panic.
            if let Err(payload) = drop_contained(this.inner) {
                abort_panic::record(*this.id, payload);
            }
        }
    }
}

/// Drops the future in place, containing a panic from its `Drop`.
fn drop_contained<F>(mut inner: Pin<&mut Option<F>>) -> Result<(), Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(|| inner.set(None)))
}

impl<F, K> TaskFuture<F, K> {
    pub(crate) fn new(inner: F, id: Id) -> TaskFuture<F, K> {
        TaskFuture {
            inner: Some(inner),
            id,
            keep: PhantomData,
        }
    }
}

impl<F: Future, K: Keep<F::Output>> Future for TaskFuture<F, K> {
    type Output = TaskOutput<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut inner = this.inner;
        let _current = task_id::enter(*this.id);
        if inner.is_none() {
            // async-task never polls a completed task.
            return Poll::Pending;
        }
        // The future is never polled again after it panics, so nobody can
        // observe its broken invariants: asserting unwind safety is sound.
        let polled = catch_unwind(AssertUnwindSafe(|| {
            let mut guard = DropOnUnwind(inner.as_mut());
            let poll = match guard.0.as_mut().as_pin_mut() {
                Some(future) => future.poll(cx),
                None => Poll::Pending,
            };
            std::mem::forget(guard);
            poll
        }));
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => Err(payload),
        };
        // Free the future's resources (sockets, buffers) now, not when the
        // last handle to the task goes.
        let _ = drop_contained(inner);
        Poll::Ready(TaskOutput(K::keep(*this.id, result), *this.id))
    }
}

/// Drops the future if its `poll` unwinds, while the panic is still in
/// flight, as tokio does: a `Drop` in the future that looks at
/// `std::thread::panicking()` (to roll back rather than commit, say) then
/// sees the panic that ended it. A second panic, from that `Drop`, is
/// contained here (its message still goes to the panic hook): escaping a
/// destructor during unwinding, it would abort the process, where tokio's
/// does. The task's outcome is the first panic.
struct DropOnUnwind<'a, F>(Pin<&'a mut Option<F>>);

impl<F> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        let _ = drop_contained(self.0.as_mut());
    }
}

/// A task's result, and the task's id; no result if it was kept for the
/// handle that aborted the task (see [`Keep`]). Dropping it (the task was
/// detached) contains a panic from the value's `Drop`, which sees the
/// task's id as current, as in tokio.
pub(crate) struct TaskOutput<T>(Option<TaskResult<T>>, Id);

impl<T> TaskOutput<T> {
    /// The result, unless it was kept for an aborting handle.
    pub(crate) fn into_result(mut self) -> Option<TaskResult<T>> {
        self.0.take()
    }
}

impl<T> Drop for TaskOutput<T> {
    fn drop(&mut self) {
        if let Some(result) = self.0.take() {
            let _current = task_id::enter(self.1);
            let _ = catch_unwind(AssertUnwindSafe(|| drop(result)));
        }
    }
}
