//! Task identifiers, and which task the current thread is polling.
//!
//! Every task gets an [`Id`] when it is spawned. While a worker polls a
//! task (or drops its future), the task's id is the thread's *current* one,
//! so that code deep inside the task can ask [`id`] or [`try_id`] without
//! being handed it. The id is set by the task's own future wrapper
//! ([`TaskFuture`](crate::executor::task_future::TaskFuture)), not by the
//! worker, so it is right however and wherever the task is polled.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opaque identifier of a task, unique among all tasks of the process
/// (as tokio's `task::Id`).
///
/// Ids are numbers counted from 1 in spawn order across every runtime of
/// the process; `Display` shows the number (`JoinError`s say "task 5
/// panicked ..."). A finished task's id is never reused.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

impl Id {
    /// The next unused id.
    pub(crate) fn next() -> Id {
        // One counter for the whole process, as tokio's: ids must stay
        // unique when tasks of two runtimes meet in one `JoinSet` or map.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // 2^64 spawns would take centuries; wrapping to 0 is unreachable.
        Id(NonZeroU64::new(n).expect("task ids exhausted"))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

thread_local! {
    static CURRENT: Cell<Option<Id>> = const { Cell::new(None) };
}

/// The id of the task being polled on this thread.
///
/// # Panics
///
/// If called outside a task (e.g. directly in `Runtime::block_on`'s
/// future, which is not a spawned task, or on a plain thread). Use
/// [`try_id`] where that may happen.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let handle = edgeio_runtime::spawn(async { edgeio_runtime::task::id() });
/// let id = handle.id();
/// assert_eq!(handle.await.unwrap(), id);
/// # });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("`task::id()` called outside a task")
}

/// The id of the task being polled on this thread, or `None` outside a
/// task.
#[must_use]
pub fn try_id() -> Option<Id> {
    CURRENT.try_with(Cell::get).ok().flatten()
}

/// Makes `id` the current task's until the guard is dropped, then restores
/// the previous one (a task may be polled from inside another, e.g. a
/// `spawn_blocking` job run inline).
pub(crate) fn enter(id: Id) -> CurrentGuard {
    CurrentGuard(
        CURRENT
            .try_with(|current| current.replace(Some(id)))
            .ok()
            .flatten(),
    )
}

/// Restores the task id [`enter`] replaced.
pub(crate) struct CurrentGuard(Option<Id>);

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|current| current.set(self.0));
    }
}
