//! A handle that can abort a task without owning its output.

use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use crate::executor::task_id::Id;

/// What an [`AbortHandle`] can do to its task; implemented by the state a
/// `JoinHandle` shares once an `AbortHandle` is taken from it.
pub(crate) trait Abort: Send + Sync {
    fn abort(&self);
    fn is_finished(&self) -> bool;
}

/// An owned permission to abort a spawned task, without awaiting its
/// output (tokio's `task::AbortHandle`).
///
/// Get one from [`JoinHandle::abort_handle`](crate::JoinHandle::abort_handle)
/// or `JoinSet::spawn`. It can be cloned, sent and shared; dropping it does
/// nothing to the task.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let handle = edgeio_runtime::spawn(std::future::pending::<()>());
/// let abort = handle.abort_handle();
/// abort.abort();
/// assert!(handle.await.unwrap_err().is_cancelled());
/// assert!(abort.is_finished());
/// # });
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    id: Id,
    task: Arc<dyn Abort>,
}

impl AbortHandle {
    pub(crate) fn new(id: Id, task: Arc<dyn Abort>) -> AbortHandle {
        AbortHandle { id, task }
    }

    /// Cancels the task, as [`JoinHandle::abort`](crate::JoinHandle::abort)
    /// does: its future is dropped (after its current poll, if one is
    /// under way and does not complete the task), and its `JoinHandle`
    /// yields a cancelled `JoinError`. Does nothing to a task that already
    /// finished.
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Whether the task has finished: completed, panicked, or aborted and
    /// its future dropped.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// The task's id.
    #[must_use]
    pub fn id(&self) -> Id {
        self.id
    }
}

// As tokio's: aborting cannot leave the task half-aborted for a caller that
// catches a panic around it.
impl UnwindSafe for AbortHandle {}
impl RefUnwindSafe for AbortHandle {}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").field("id", &self.id).finish()
    }
}
