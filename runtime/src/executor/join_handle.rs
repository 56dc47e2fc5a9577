//! The handle to a spawned task: await it for the task's result, `abort`
//! it, or `detach` it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError, Weak};
use std::task::{ready, Context, Poll, Wake, Waker};

use crate::executor::abort_handle::{Abort, AbortHandle};
use crate::executor::abort_panic::{self, Left};
use crate::executor::coop;
use crate::executor::join_error::JoinError;
use crate::executor::scheduler::Task;
use crate::executor::task_future::{TaskOutput, TaskResult};
use crate::executor::task_id::Id;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was aborted. Dropping it *detaches* the task, which keeps running (as
/// with tokio); [`JoinHandle::abort`] stops it.
///
/// Not `#[must_use]`, as tokio's is not: `spawn(task);` and forget is how
/// most servers start a connection's task, and a port of such code must
/// not gain a warning (a build error under `deny(warnings)`).
/// [`detach`](JoinHandle::detach) says the same thing out loud.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let handle = edgeio_runtime::spawn(async { 6 * 7 });
/// assert_eq!(handle.await.unwrap(), 42);
/// # });
/// ```
pub struct JoinHandle<T> {
    id: Id,
    slot: Mutex<Slot<T>>,
    /// `State::abort` for this `T` (and this kind of task), chosen where
    /// the task was made, so that [`JoinHandle::abort`] asks for no bound
    /// (a generic abort-on-drop guard must be able to call it).
    abort: fn(&mut State<T>, Option<Id>),
    unkeep: Unkeep<T>,
}

/// Where the handle keeps the task's state: inline until an
/// [`AbortHandle`] is taken, then behind an `Arc` both handles share (so a
/// spawn that never asks for an `AbortHandle` allocates nothing more).
enum Slot<T> {
    Own(State<T>),
    /// With the function [`JoinHandle`]'s `Drop` calls to let go of it,
    /// chosen where `T: Send + 'static` is known (a `Drop` impl cannot ask
    /// for bounds the type does not have).
    Shared(Arc<SharedState<T>>, fn(Arc<SharedState<T>>)),
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

/// The outcome a task's result, or the lack of one, comes to.
fn outcome<T>(result: Option<TaskResult<T>>, id: Id) -> Result<T, JoinError> {
    match result {
        Some(result) => result.map_err(|payload| JoinError::panic(id, payload)),
        None => Err(JoinError::cancelled(id)),
    }
}

/// Turns a result `abort_panic` kept back into the task's own type.
/// Chosen where the handle is made, where `T: 'static` is known, so that
/// the handle's methods ask for no bound.
type Unkeep<T> = fn(Box<dyn Any + Send>) -> Option<TaskResult<T>>;

fn unkeep<T: 'static>(kept: Box<dyn Any + Send>) -> Option<TaskResult<T>> {
    kept.downcast::<TaskOutput<T>>().ok()?.into_result()
}

/// [`outcome`] of a task a handle aborted: ends its watch in
/// `abort_panic`. A result its last poll left there is the outcome (the
/// task completed, as tokio's keeps it); else a panic from its future's
/// drop makes a cancelled task a panicked one, as in tokio.
fn aborted_outcome<T>(output: Option<TaskOutput<T>>, id: Id, unkeep: Unkeep<T>) -> Result<T, JoinError> {
    match (abort_panic::take(id), output) {
        (Some(Left::Output(kept)), _) => outcome(unkeep(kept), id),
        (Some(Left::DropPanic(payload)), None) => Err(JoinError::panic(id, payload)),
        (_, output) => outcome(output.and_then(TaskOutput::into_result), id),
    }
}

pin_project_lite::pin_project! {
    /// The cancellation of a task spawned with `spawn_local`, whose output
    /// may not be `Send`, stored as a [`Cancel`] all the same (see the
    /// `Send` impl for why that is sound).
    struct LocalCancel<F> {
        #[pin]
        cancel: F,
    }
}

// SAFETY: a `LocalCancel` only ever lives in the `State::Aborting` of its
// task's `State<T>`. If `T` is `Send`, the wrapped future (async-task's
// cancellation, holding the task's `FallibleTask<TaskOutput<T>>`) is
// `Send` anyway. If `T` is not, no `State<T>` can leave its thread: its
// `Running` and `Aborted` variants hold `T`-typed values, so the
// `JoinHandle` (and `JoinSet`) around it is neither `Send` nor `Sync`,
// and the one shared form of a state (`SharedState`, behind an
// `AbortHandle`) is only made for `T: Send`.
unsafe impl<F> Send for LocalCancel<F> {}

impl<F: Future> Future for LocalCancel<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().cancel.poll(cx)
    }
}

impl<T> State<T> {
    /// Cancels the task if it runs. With `watch`, the id of a task whose
    /// outcome some handle will report, a panic from the future's drop is
    /// kept for it (see `abort_panic`).
    fn abort(&mut self, watch: Option<Id>)
    where
        T: Send + 'static,
    {
        self.abort_with(watch, |task| Box::pin(task.cancel()));
    }

    /// [`State::abort`] for a task from `spawn_local`, whose output need
    /// not be `Send`.
    fn abort_local(&mut self, watch: Option<Id>)
    where
        T: 'static,
    {
        self.abort_with(watch, |task| {
            Box::pin(LocalCancel {
                cancel: task.cancel(),
            })
        });
    }

    fn abort_with(&mut self, watch: Option<Id>, cancel: impl FnOnce(Task<TaskOutput<T>>) -> Cancel<T>) {
        if !matches!(self, State::Running(_)) {
            return;
        }
        if let Some(id) = watch {
            abort_panic::watch(id);
        }
        let State::Running(task) = std::mem::replace(self, State::Finished) else {
            unreachable!("checked above")
        };
        let mut cancel = cancel(task);
        let waker = futures_task::noop_waker();
        // The first poll closes the task; the future is then dropped by
        // whoever runs or drops it next. The poll may schedule the task
        // (never drop it here while the runtime runs); the caller holds
        // the lock across it so that `is_finished` and a second `abort`
        // see either the running task or its cancellation, never the gap
        // between.
        *self = match cancel.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(output) => State::Aborted(output),
            Poll::Pending => State::Aborting { cancel, waker },
        };
    }

    fn is_finished(&mut self) -> bool {
        match self {
            State::Running(task) => task.is_finished(),
            State::Aborting { cancel, waker } => {
                // Polled with the waker an await left, so that the await
                // is still woken when the task stops.
                let Poll::Ready(output) = cancel.as_mut().poll(&mut Context::from_waker(waker)) else {
                    return false;
                };
                *self = State::Aborted(output);
                true
            }
            State::Aborted(_) | State::Finished => true,
        }
    }

    fn poll(&mut self, cx: &mut Context<'_>, id: Id, unkeep: Unkeep<T>) -> Poll<Result<T, JoinError>> {
        let result = match self {
            State::Running(task) => outcome(
                ready!(Pin::new(task).poll(cx)).and_then(TaskOutput::into_result),
                id,
            ),
            State::Aborting { cancel, waker } => {
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
                aborted_outcome(ready!(cancel.as_mut().poll(cx)), id, unkeep)
            }
            State::Aborted(output) => aborted_outcome(output.take(), id, unkeep),
            State::Finished => panic!("JoinHandle polled after it completed"),
        };
        *self = State::Finished;
        Poll::Ready(result)
    }

    /// The output of a task that has finished, if nobody took it yet. The
    /// caller drops it without any lock held (its `Drop` may do anything).
    /// Polls a running task only once it has finished, so the waker it
    /// was left with stays in place until then.
    fn take_finished(&mut self) -> Option<TaskOutput<T>> {
        match self {
            State::Running(task) if task.is_finished() => {
                let waker = futures_task::noop_waker();
                match Pin::new(task).poll(&mut Context::from_waker(&waker)) {
                    Poll::Ready(output) => {
                        *self = State::Finished;
                        output
                    }
                    // Closed, its future not dropped yet: no output to
                    // come.
                    Poll::Pending => None,
                }
            }
            State::Aborted(output) => output.take(),
            State::Running(_) | State::Aborting { .. } | State::Finished => None,
        }
    }
}

/// A task's state once both a [`JoinHandle`] and [`AbortHandle`]s refer
/// to it.
struct SharedState<T> {
    state: Mutex<State<T>>,
    /// The task's id, for `abort_panic`.
    id: Id,
    /// The `JoinHandle` is gone: nobody will take the output, so whoever
    /// finds it drops it, as a detached task's is dropped when it finishes
    /// (rather than when the last `AbortHandle` goes).
    detached: AtomicBool,
    /// A [`DropOutput`] wake found the lock taken: whoever holds it drops
    /// the output after unlocking (see [`SharedState::drop_requested_output`]).
    drop_requested: AtomicBool,
}

/// The lock on a [`SharedState`]; on release it serves a [`DropOutput`]
/// wake that came while it was held.
struct SharedGuard<'a, T> {
    shared: &'a SharedState<T>,
    state: Option<MutexGuard<'a, State<T>>>,
}

impl<T> std::ops::Deref for SharedGuard<'_, T> {
    type Target = State<T>;

    fn deref(&self) -> &State<T> {
        self.state.as_ref().expect("held until dropped")
    }
}

impl<T> std::ops::DerefMut for SharedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut State<T> {
        self.state.as_mut().expect("held until dropped")
    }
}

impl<T> Drop for SharedGuard<'_, T> {
    fn drop(&mut self) {
        self.state = None;
        // Pairs with the fence in `request_output_drop`: either that wake
        // sees the lock free, or this sees its request.
        fence(Ordering::SeqCst);
        self.shared.drop_requested_output();
    }
}

impl<T> SharedState<T> {
    fn lock(&self) -> SharedGuard<'_, T> {
        SharedGuard {
            shared: self,
            state: Some(self.state.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Runs `op` on the state, then drops the output if it is there and
    /// the `JoinHandle` is gone.
    fn with<R>(&self, op: impl FnOnce(&mut State<T>) -> R) -> R {
        let mut state = self.lock();
        let result = op(&mut state);
        let output = if self.detached.load(Ordering::Acquire) {
            state.take_finished()
        } else {
            None
        };
        drop(state);
        drop(output);
        result
    }

    /// Asks for the output of the finished, detached task to be dropped.
    /// Never blocks on the lock: the wake that asks may come from inside
    /// a call that holds it (registering a waker, or closing the task,
    /// can wake the old one synchronously).
    fn request_output_drop(&self) {
        self.drop_requested.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        self.drop_requested_output();
    }

    /// Drops the output if a drop was asked for and the lock is free; if it
    /// is not, its holder calls this again once it lets go.
    fn drop_requested_output(&self) {
        while self.drop_requested.load(Ordering::Relaxed) {
            let mut state = match self.state.try_lock() {
                Ok(state) => state,
                Err(TryLockError::Poisoned(e)) => e.into_inner(),
                Err(TryLockError::WouldBlock) => return,
            };
            self.drop_requested.store(false, Ordering::Relaxed);
            let output = state.take_finished();
            drop(state);
            drop(output);
            fence(Ordering::SeqCst);
        }
    }
}

impl<T: Send + 'static> Abort for SharedState<T> {
    /// Watches the task for a drop panic only while its `JoinHandle`
    /// lives (checked under the lock that `release_shared` takes before it
    /// ends the watch): nobody else would ever take the entry.
    fn abort(&self) {
        self.with(|state| {
            let watch = (!self.detached.load(Ordering::Acquire)).then_some(self.id);
            state.abort(watch);
        });
    }

    fn is_finished(&self) -> bool {
        self.with(State::is_finished)
    }
}

/// The [`JoinHandle`] of a shared task is dropped: take the output now if
/// the task has finished, else leave a waker that drops it when the task
/// finishes.
fn release_shared<T: Send + 'static>(shared: Arc<SharedState<T>>) {
    shared.detached.store(true, Ordering::Release);
    let mut state = shared.lock();
    // After the lock: an abort that saw the handle alive has watched by now.
    drop(abort_panic::take(shared.id));
    let output = match &mut *state {
        State::Running(task) => {
            let waker = Waker::from(Arc::new(DropOutput(Arc::downgrade(&shared))));
            match Pin::new(task).poll(&mut Context::from_waker(&waker)) {
                Poll::Ready(output) => {
                    *state = State::Finished;
                    output
                }
                Poll::Pending => None,
            }
        }
        _ => state.take_finished(),
    };
    drop(state);
    drop(output);
}

/// The waker a detached shared task finishes into: drops its output.
struct DropOutput<T>(Weak<SharedState<T>>);

impl<T: Send + 'static> Wake for DropOutput<T> {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(shared) = self.0.upgrade() {
            shared.request_output_drop();
        }
    }
}

impl<T> Drop for SharedState<T> {
    fn drop(&mut self) {
        // Dropping an `async-task` `Task` would cancel it: let it run on.
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        if let State::Running(task) = std::mem::replace(state, State::Finished) {
            task.detach();
        }
    }
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: Task<TaskOutput<T>>, id: Id) -> JoinHandle<T>
    where
        T: Send + 'static,
    {
        JoinHandle::with_abort(task, id, State::abort)
    }

    /// The handle of a task from `spawn_local`, whose output need not be
    /// `Send`.
    pub(crate) fn new_local(task: Task<TaskOutput<T>>, id: Id) -> JoinHandle<T>
    where
        T: 'static,
    {
        JoinHandle::with_abort(task, id, State::abort_local)
    }

    fn with_abort(task: Task<TaskOutput<T>>, id: Id, abort: fn(&mut State<T>, Option<Id>)) -> JoinHandle<T>
    where
        T: 'static,
    {
        JoinHandle {
            id,
            slot: Mutex::new(Slot::Own(State::Running(task))),
            abort,
            unkeep: unkeep::<T>,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `op` on the task's state, wherever it lives.
    fn with<R>(&self, op: impl FnOnce(&mut State<T>) -> R) -> R {
        match &mut *self.lock() {
            Slot::Own(state) => op(state),
            Slot::Shared(shared, _) => op(&mut shared.lock()),
        }
    }

    /// Cancels the task: its future is dropped (at the end of its current
    /// poll if a worker is polling it right now) and awaiting this handle
    /// yields a [`JoinError`] for which [`JoinError::is_cancelled`] is true,
    /// once the future is gone. A task that already finished keeps its
    /// output; a `spawn_blocking` job that has started runs to its end.
    ///
    /// An abort that lands while a worker is in the task's last poll, the
    /// one that returns its output, does not cancel it: awaiting this
    /// handle yields that output, as in tokio (`abort_panic.rs` keeps it
    /// for this handle). So does a `spawn_blocking` job that had started.
    /// (One that lands in the few instructions between that poll's return
    /// and the task being marked completed still cancels it; see
    /// `abort_panic::keep_output`.)
    ///
    /// If the future panics while being dropped, the panic is contained
    /// (the panic hook still reports it) and awaiting this handle yields
    /// a [`JoinError::is_panic`] with its payload, as in tokio; so does an
    /// abort through an [`AbortHandle`] while this handle lives. A task
    /// cancelled by a runtime or `LocalSet` shutting down counts as
    /// cancelled even then: nothing aborted it through a handle that
    /// would report the panic (see `abort_panic.rs`).
    ///
    /// Asks for no bound on `T`, as tokio's: a generic guard that aborts
    /// its task on drop (`impl<T> Drop for AbortOnDrop<T>`) ports as is.
    pub fn abort(&self) {
        self.with(|state| (self.abort)(state, Some(self.id)));
    }

    /// A handle that can abort the task (and ask whether it finished)
    /// without owning this `JoinHandle`; see [`AbortHandle`].
    ///
    /// Unlike tokio's, this asks for `T: Send`: the handle shares the
    /// task's state, output slot included, across threads.
    #[must_use]
    pub fn abort_handle(&self) -> AbortHandle
    where
        T: Send + 'static,
    {
        let mut slot = self.lock();
        if let Slot::Own(state) = &mut *slot {
            let state = std::mem::replace(state, State::Finished);
            let shared = Arc::new(SharedState {
                state: Mutex::new(state),
                id: self.id,
                detached: AtomicBool::new(false),
                drop_requested: AtomicBool::new(false),
            });
            *slot = Slot::Shared(shared, release_shared::<T>);
        }
        let Slot::Shared(shared, _) = &*slot else {
            unreachable!("made shared above")
        };
        AbortHandle::new(self.id, shared.clone())
    }

    /// The task's id, as [`task::id()`](crate::task::id) returns inside it.
    #[must_use]
    pub fn id(&self) -> Id {
        self.id
    }

    /// Lets the task run to completion on its own; its output is discarded.
    pub fn detach(self) {
        drop(self);
    }

    /// Polls for the output without spending the cooperative budget (for
    /// `JoinSet`, which spends it per task it yields instead).
    pub(crate) fn poll_unbudgeted(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        let (id, unkeep) = (self.id, self.unkeep);
        match self.slot.get_mut().unwrap_or_else(|e| e.into_inner()) {
            Slot::Own(state) => state.poll(cx, id, unkeep),
            Slot::Shared(shared, _) => match Arc::get_mut(shared) {
                // Every `AbortHandle` is gone: the state is this handle's
                // alone, no lock needed (as `JoinSet`'s tasks, whose
                // `AbortHandle` is usually dropped at once).
                Some(alone) => alone
                    .state
                    .get_mut()
                    .unwrap_or_else(|e| e.into_inner())
                    .poll(cx, id, unkeep),
                None => shared.lock().poll(cx, id, unkeep),
            },
        }
    }

    /// Whether the task has finished (completed, panicked, or been aborted
    /// and its future dropped).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.with(State::is_finished)
    }
}

// The output is only ever moved out, never pinned.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// Spends a unit of the task's cooperative budget when it yields the
    /// output, as tokio's does, so that a task awaiting handle after
    /// finished handle still yields to the others now and then.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        coop::budgeted(cx, |cx| this.poll_unbudgeted(cx))
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let slot = self.slot.get_mut().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(slot, Slot::Own(State::Finished)) {
            Slot::Own(State::Running(task)) => task.detach(),
            // Aborted, its outcome never reported: end the watch.
            Slot::Own(State::Aborting { .. } | State::Aborted(_)) => drop(abort_panic::take(self.id)),
            Slot::Own(State::Finished) => {}
            Slot::Shared(mut shared, release) => {
                if Arc::get_mut(&mut shared).is_some() {
                    // No `AbortHandle` left: dropping the state detaches
                    // the task, as for an own slot, without the lock.
                    drop(shared);
                    drop(abort_panic::take(self.id));
                } else {
                    // Ends the watch too, under the state's lock.
                    release(shared);
                }
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}
