//! The handle to a spawned task: await it for the task's result, `abort`
//! it, or `detach` it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use crate::scheduler::Task;
use crate::task_future::TaskOutput;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was aborted. Dropping it *detaches* the task, which keeps running (as
/// with tokio); [`JoinHandle::abort`] stops it.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let handle = edgeio_runtime::spawn(async { 6 * 7 });
/// assert_eq!(handle.await.unwrap(), 42);
/// # });
/// ```
#[must_use = "dropping a JoinHandle detaches the task; `.await` it or call `.detach()` to make that explicit"]
pub struct JoinHandle<T> {
    state: Mutex<State<T>>,
}

enum State<T> {
    Running(Task<TaskOutput<T>>),
    Aborted,
    Finished,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: Task<TaskOutput<T>>) -> JoinHandle<T> {
        JoinHandle {
            state: Mutex::new(State::Running(task)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Cancels the task: its future is dropped (at its next `.await` point
    /// if it is running right now) and awaiting this handle yields a
    /// [`JoinError`] for which [`JoinError::is_cancelled`] is true. A task
    /// that already finished keeps its output.
    pub fn abort(&self) {
        let mut state = self.lock();
        let cancelled = match &*state {
            State::Running(task) if !task.is_finished() => std::mem::replace(&mut *state, State::Aborted),
            _ => return,
        };
        drop(state);
        // Dropping the task handle cancels the task; do it without our lock
        // held, since it may schedule the task to have its future dropped.
        drop(cancelled);
    }

    /// Lets the task run to completion on its own; its output is discarded.
    pub fn detach(self) {
        drop(self);
    }

    /// Whether the task has finished (completed, panicked or been aborted).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        match &*self.lock() {
            State::Running(task) => task.is_finished(),
            State::Aborted | State::Finished => true,
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let state = self.get_mut().state.get_mut().unwrap_or_else(|e| e.into_inner());
        let result = match state {
            State::Running(task) => match Pin::new(task).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(output)) => output.into_result().map_err(JoinError::panic),
                Poll::Ready(None) => Err(JoinError::cancelled()),
            },
            State::Aborted => Err(JoinError::cancelled()),
            State::Finished => panic!("JoinHandle polled after it completed"),
        };
        *state = State::Finished;
        Poll::Ready(result)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let State::Running(task) = std::mem::replace(
            self.state.get_mut().unwrap_or_else(|e| e.into_inner()),
            State::Finished,
        ) {
            task.detach();
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why a task produced no output.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    // Mutex makes the `Send`-only payload `Sync`, so `JoinError` can be
    // boxed into `io::Error` and other `Send + Sync` error types.
    Panic(Mutex<Box<dyn Any + Send>>),
}

impl JoinError {
    fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    fn panic(payload: Box<dyn Any + Send>) -> JoinError {
        JoinError {
            repr: Repr::Panic(Mutex::new(payload)),
        }
    }

    /// The task was aborted, or the runtime shut down before it finished.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    #[must_use]
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload, to re-raise with `std::panic::resume_unwind`.
    /// Gives the error back if the task did not panic.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.into_inner().unwrap_or_else(|e| e.into_inner())),
            Repr::Cancelled => Err(self),
        }
    }

    fn panic_message(&self) -> Option<String> {
        let Repr::Panic(payload) = &self.repr else {
            return None;
        };
        let payload = payload.lock().unwrap_or_else(|e| e.into_inner());
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => f.write_str("task was cancelled"),
            (Repr::Panic(_), Some(message)) => write!(f, "task panicked: {message}"),
            (Repr::Panic(_), None) => f.write_str("task panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panic(_) => f
                .debug_tuple("JoinError::Panic")
                .field(&self.panic_message())
                .finish(),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(error: JoinError) -> std::io::Error {
        std::io::Error::other(error)
    }
}
