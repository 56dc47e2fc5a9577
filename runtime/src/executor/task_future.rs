//! The wrapper every spawned future runs inside: it keeps panics (in
//! `poll`, and in the `Drop` of the future or its output) from unwinding
//! into the runtime.
//!
//! A panic in `poll` becomes the task's output, reported by its
//! `JoinHandle`; the future is dropped while that panic unwinds (see
//! [`DropOnUnwind`]). `async-task` aborts the whole process if a task's future or
//! output panics while being dropped, so both are dropped here, under
//! `catch_unwind`, and such a panic is contained (its message still goes to
//! the panic hook). A cancelled future's panic goes to `abort_panic`, for
//! a handle that aborted the task to report.
//!
//! It also makes the task's [`Id`] the thread's current one while the
//! future is polled or dropped, and while an output nobody awaited is
//! dropped, for `task::id()`.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::executor::abort_panic;
use crate::executor::task_id::{self, Id};

pin_project_lite::pin_project! {
    pub(crate) struct TaskFuture<F> {
        // `None` once the future completed and was dropped.
        #[pin]
        inner: Option<F>,
        id: Id,
    }

    impl<F> PinnedDrop for TaskFuture<F> {
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

impl<F> TaskFuture<F> {
    pub(crate) fn new(inner: F, id: Id) -> TaskFuture<F> {
        TaskFuture {
            inner: Some(inner),
            id,
        }
    }
}

impl<F: Future> Future for TaskFuture<F> {
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
        Poll::Ready(TaskOutput(Some(result), *this.id))
    }
}

/// Drops the future if its `poll` unwinds, while the panic is still in
/// flight, as tokio does: a `Drop` in the future that looks at
/// `std::thread::panicking()` (to roll back rather than commit, say) then
/// sees the panic that ended it. A second panic in that `Drop` aborts the
/// process, as any panic while panicking does.
struct DropOnUnwind<'a, F>(Pin<&'a mut Option<F>>);

impl<F> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

/// A task's result, or the payload of its panic, and the task's id.
/// Dropping it (the task was detached) contains a panic from the value's
/// `Drop`, which sees the task's id as current, as in tokio.
pub(crate) struct TaskOutput<T>(Option<Result<T, Box<dyn Any + Send>>>, Id);

impl<T> TaskOutput<T> {
    pub(crate) fn into_result(mut self) -> Result<T, Box<dyn Any + Send>> {
        self.0.take().expect("a task's output is taken once")
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
