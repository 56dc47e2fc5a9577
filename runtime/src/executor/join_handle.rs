//! The handle to a spawned task: await it for the task's result, `abort`
//! it, or `detach` it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{ready, Context, Poll, Waker};

use crate::executor::scheduler::Task;
use crate::executor::task_future::TaskOutput;

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

/// `async-task`'s cancellation of a task: closes the task when first
/// polled, then resolves once its future is gone, to its output if it had
/// finished first.
type Cancel<T> = Pin<Box<dyn Future<Output = Option<TaskOutput<T>>> + Send>>;

enum State<T> {
    Running(Task<TaskOutput<T>>),
    /// Aborted, and its future maybe not dropped yet. `waker` is the last
    /// one `cancel` was polled with (see `JoinHandle::is_finished`).
    Aborting {
        cancel: Cancel<T>,
        waker: Waker,
    },
    /// Aborted and stopped: its output, if it had finished first.
    Aborted(Option<TaskOutput<T>>),
    Finished,
}

/// The outcome a task's output, or the lack of one, comes to.
fn outcome<T>(output: Option<TaskOutput<T>>) -> Result<T, JoinError> {
    match output {
        Some(output) => output.into_result().map_err(JoinError::panic),
        None => Err(JoinError::cancelled()),
    }
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

    /// Cancels the task: its future is dropped (at the end of its current
    /// poll if a worker is polling it right now) and awaiting this handle
    /// yields a [`JoinError`] for which [`JoinError::is_cancelled`] is true,
    /// once the future is gone. A task that already finished keeps its
    /// output; a `spawn_blocking` job that has started runs to its end,
    /// and its output is discarded.
    pub fn abort(&self)
    where
        T: Send + 'static,
    {
        let mut state = self.lock();
        if !matches!(*state, State::Running(_)) {
            return;
        }
        let State::Running(task) = std::mem::replace(&mut *state, State::Finished) else {
            unreachable!("checked above")
        };
        let mut cancel: Cancel<T> = Box::pin(task.cancel());
        let waker = futures_task::noop_waker();
        // The first poll closes the task; the future is then dropped by
        // whoever runs or drops it next. The poll may schedule the task
        // (never drop it here while the runtime runs); the lock stays held
        // across it so that `is_finished` and a second `abort` see either
        // the running task or its cancellation, never the gap between.
        *state = match cancel.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(output) => State::Aborted(output),
            Poll::Pending => State::Aborting { cancel, waker },
        };
    }

    /// Lets the task run to completion on its own; its output is discarded.
    pub fn detach(self) {
        drop(self);
    }

    /// Whether the task has finished (completed, panicked, or been aborted
    /// and its future dropped).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        let mut state = self.lock();
        match &mut *state {
            State::Running(task) => task.is_finished(),
            State::Aborting { cancel, waker } => {
                // Polled with the waker an await left, so that the await
                // is still woken when the task stops.
                let Poll::Ready(output) = cancel.as_mut().poll(&mut Context::from_waker(waker)) else {
                    return false;
                };
                *state = State::Aborted(output);
                true
            }
            State::Aborted(_) | State::Finished => true,
        }
    }
}

// The output is only ever moved out, never pinned.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let state = self.get_mut().state.get_mut().unwrap_or_else(|e| e.into_inner());
        let result = match state {
            State::Running(task) => outcome(ready!(Pin::new(task).poll(cx))),
            State::Aborting { cancel, waker } => {
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
                outcome(ready!(cancel.as_mut().poll(cx)))
            }
            State::Aborted(output) => outcome(output.take()),
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
