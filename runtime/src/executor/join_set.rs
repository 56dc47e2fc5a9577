//! A collection of spawned tasks, joined in the order they finish.
//!
//! Waiting for "whichever finishes next" among n tasks must not poll all
//! n on every wake-up (that is O(n²) to drain the set). So each slot of
//! the set has its own waker: when a task finishes, its slot's waker puts
//! the slot's key on a ready queue and wakes whoever waits on the set,
//! which then polls only the handles on that queue.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::resume_unwind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use slab::Slab;

use crate::executor::abort_handle::AbortHandle;
use crate::executor::coop;
use crate::executor::join_error::JoinError;
use crate::executor::join_handle::JoinHandle;
use crate::executor::local_set::{spawn_local, LocalSet};
use crate::executor::task_id::Id;
use crate::runtime::handle::{spawn, spawn_blocking, Handle};

/// A set of tasks spawned on the runtime, awaited as they finish (tokio's
/// `task::JoinSet`).
///
/// [`join_next`](JoinSet::join_next) yields each task's result in the
/// order the tasks finish, not the order they were spawned. Dropping the
/// set aborts every task still in it; [`detach_all`](JoinSet::detach_all)
/// lets them run on instead.
///
/// ```
/// use edgeio_runtime::task::JoinSet;
///
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let mut set = JoinSet::new();
/// for i in 0..10u64 {
///     set.spawn(async move { i * i });
/// }
/// let mut sum = 0;
/// while let Some(result) = set.join_next().await {
///     sum += result.unwrap();
/// }
/// assert_eq!(sum, 285);
/// # });
/// ```
pub struct JoinSet<T> {
    tasks: Slab<Entry<T>>,
    /// One waker per slot of `tasks`, kept when its task leaves and reused
    /// by the next task in the slot, so joining allocates nothing per task.
    wakers: Vec<SlotWaker>,
    ready: Arc<Ready>,
}

/// A task of the set.
enum Entry<T> {
    /// Its handle; the slot's waker is left with the task, which wakes it
    /// when it finishes.
    Waiting(JoinHandle<T>),
    /// The task had finished when it was added, before the waker could be
    /// left with it: its result, for `join_next` (its key is queued).
    ///
    /// Behind a lock that is never contended (only `&mut self` reaches
    /// it) so that the set is `Sync` whenever `T: Send`, as tokio's is:
    /// a `&JoinSet` never touches an output.
    Finished(Id, Mutex<Result<T, JoinError>>),
}

struct SlotWaker {
    slot: Arc<SlotWake>,
    waker: Waker,
}

/// The keys of the slots whose tasks may have finished, and the waker of
/// whoever waits for the next one.
#[derive(Default)]
struct Ready {
    state: Mutex<ReadyState>,
}

#[derive(Default)]
struct ReadyState {
    keys: VecDeque<usize>,
    waiter: Option<Waker>,
}

impl Ready {
    fn lock(&self) -> MutexGuard<'_, ReadyState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The waker a task in slot `key` completes into.
struct SlotWake {
    key: usize,
    /// The key is on the ready queue: another wake need not add it again.
    queued: AtomicBool,
    ready: Arc<Ready>,
}

impl SlotWake {
    fn enqueue(&self) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut ready = self.ready.lock();
        ready.keys.push_back(self.key);
        // A waiter only ever sleeps after it found the queue empty, so
        // only the push that makes it non-empty has to wake it.
        let waiter = if ready.keys.len() == 1 {
            ready.waiter.clone()
        } else {
            None
        };
        drop(ready);
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl Wake for SlotWake {
    fn wake(self: Arc<Self>) {
        self.enqueue();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.enqueue();
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    #[must_use]
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: Slab::new(),
            wakers: Vec::new(),
            ready: Arc::default(),
        }
    }

    /// The number of tasks in the set, finished or not, that have not been
    /// joined yet.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Removes every task from the set without aborting it: the tasks run
    /// on, detached, and their outputs are dropped.
    pub fn detach_all(&mut self) {
        for entry in self.tasks.drain() {
            if let Entry::Waiting(handle) = entry {
                handle.detach();
            }
        }
        self.ready.lock().keys.clear();
        for slot in &self.wakers {
            slot.slot.queued.store(false, Ordering::Release);
        }
    }

    /// Aborts every task in the set. The tasks stay in it: `join_next`
    /// yields each one's result (a cancelled [`JoinError`], or its output
    /// if it had finished first).
    pub fn abort_all(&mut self) {
        for (_, entry) in self.tasks.iter() {
            if let Entry::Waiting(handle) = entry {
                handle.abort();
            }
        }
    }

    /// Waits for any task of the set to finish, and removes it. `None` once
    /// the set is empty.
    ///
    /// Cancel safe: dropping the future before it completes loses no
    /// task's result.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// As [`join_next`](JoinSet::join_next), with the finished task's id
    /// beside its output (a `JoinError` carries its own).
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// The result of a task that has finished, if there is one, without
    /// waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id()
            .map(|result| result.map(|(_, output)| output))
    }

    /// As [`try_join_next`](JoinSet::try_join_next), with the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        match self.poll_ready(None) {
            Poll::Ready(result) => result,
            Poll::Pending => None,
        }
    }

    /// Polls for the next task to finish; the waker in `cx` is woken when
    /// one does (only the latest call's waker is kept).
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|next| next.map(|result| result.map(|(_, output)| output)))
    }

    /// As [`poll_join_next`](JoinSet::poll_join_next), with the task's id.
    ///
    /// Each task yielded spends a unit of the caller's cooperative budget,
    /// as awaiting a `JoinHandle` does: once it is spent this returns
    /// `Pending` (and wakes the caller) even if a task has finished, so
    /// that draining a large set gives other tasks their turn.
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        coop::budgeted(cx, |cx| self.poll_ready(Some(cx.waker())))
    }

    /// Polls the tasks on the ready queue until one has finished. With a
    /// `waiter`, leaves it to be woken when the queue next gets a key.
    ///
    /// Polls at most as many handles as the set holds: a key is on the
    /// queue at most once, so that is enough to see every task that had
    /// finished when the call began, and bounds the call even while tasks
    /// keep finishing during it.
    fn poll_ready(&mut self, waiter: Option<&Waker>) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        let mut ready = self.ready.lock();
        // The waker replaced is dropped after the lock is released: its
        // `Drop` may do anything, waking one of our tasks included.
        let mut replaced = None;
        if let Some(waiter) = waiter {
            match &ready.waiter {
                Some(current) if current.will_wake(waiter) => {}
                _ => replaced = ready.waiter.replace(waiter.clone()),
            }
        }
        for _ in 0..self.tasks.len() {
            let Some(key) = ready.keys.pop_front() else {
                drop(ready);
                drop(replaced);
                return Poll::Pending;
            };
            drop(ready);
            drop(replaced.take());
            let slot = &self.wakers[key];
            // Cleared before the poll, so that a wake during or after it
            // queues the key again.
            slot.slot.queued.store(false, Ordering::Release);
            match self.tasks.get_mut(key) {
                Some(Entry::Waiting(handle)) => {
                    let id = handle.id();
                    let mut cx = Context::from_waker(&slot.waker);
                    // Unbudgeted: the set spends one unit per task it
                    // yields (see `poll_join_next_with_id`), not one per
                    // handle polled.
                    if let Poll::Ready(result) = handle.poll_unbudgeted(&mut cx) {
                        drop(self.tasks.remove(key));
                        return Poll::Ready(Some(result.map(|output| (id, output))));
                    }
                }
                Some(Entry::Finished(..)) => {
                    let Entry::Finished(id, result) = self.tasks.remove(key) else {
                        unreachable!("matched above")
                    };
                    let result = result.into_inner().unwrap_or_else(|e| e.into_inner());
                    return Poll::Ready(Some(result.map(|output| (id, output))));
                }
                None => {}
            }
            ready = self.ready.lock();
        }
        // Keys still queued were added during this call: come back for them.
        let more = !ready.keys.is_empty();
        drop(ready);
        if let (true, Some(waiter)) = (more, waiter) {
            waiter.wake_by_ref();
        }
        Poll::Pending
    }

    /// Aborts every task and waits until each has stopped; the set is then
    /// empty. Results, panics included, are discarded.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs, in the order they
    /// finished.
    ///
    /// # Panics
    ///
    /// If a task panicked (with its payload) or was cancelled; the tasks
    /// still running are then aborted, as the set is dropped.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(err) if err.is_panic() => resume_unwind(err.into_panic()),
                Err(err) => panic!("{err}"),
            }
        }
        outputs
    }

    /// Adds a spawned task, leaving the slot's waker with it at once
    /// (rather than queueing the key for a first poll that would): the
    /// handle is polled before it shares its state with the
    /// `AbortHandle`, so without a lock, and the ready queue sees the key
    /// only once the task has finished.
    fn insert(&mut self, mut handle: JoinHandle<T>) -> AbortHandle
    where
        T: Send + 'static,
    {
        let key = self.tasks.vacant_key();
        if key == self.wakers.len() {
            let slot = Arc::new(SlotWake {
                key,
                queued: AtomicBool::new(false),
                ready: self.ready.clone(),
            });
            let waker = Waker::from(slot.clone());
            self.wakers.push(SlotWaker { slot, waker });
        }
        let slot = &self.wakers[key];
        let polled = handle.poll_unbudgeted(&mut Context::from_waker(&slot.waker));
        let abort = handle.abort_handle();
        let entry = match polled {
            Poll::Pending => Entry::Waiting(handle),
            Poll::Ready(result) => {
                slot.slot.enqueue();
                Entry::Finished(handle.id(), Mutex::new(result))
            }
        };
        self.tasks.insert(entry);
        abort
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `task` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(spawn(task))
    }

    /// Spawns `task` on `handle`'s runtime and adds it to the set.
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(task))
    }

    /// Spawns the `!Send` future `task` on the current
    /// [`LocalSet`](crate::LocalSet) (as [`spawn_local`](crate::spawn_local))
    /// and adds it to the set. Unlike tokio's, this asks for `T: Send`, as
    /// every method of the set that adds a task: the set aborts its tasks
    /// through handles that share their output slot across threads (see
    /// [`JoinHandle::abort_handle`]).
    ///
    /// # Panics
    ///
    /// Outside a `LocalSet` or a current-thread runtime's `block_on`, as
    /// [`spawn_local`](crate::spawn_local).
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(spawn_local(task))
    }

    /// Spawns the `!Send` future `task` on `local_set` and adds it to the
    /// set; it runs once the `LocalSet` is run (see
    /// [`JoinSet::spawn_local`]).
    pub fn spawn_local_on<F>(&mut self, task: F, local_set: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(task))
    }

    /// Runs `f` on the current runtime's blocking pool and adds the job to
    /// the set. Aborting a job that has started does not stop it.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`spawn_blocking`](crate::spawn_blocking).
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(spawn_blocking(f))
    }

    /// Runs `f` on `handle`'s runtime's blocking pool and adds the job to
    /// the set.
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(handle.spawn_blocking(f))
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
        // Tasks that stop later still wake into `ready`; they must not keep
        // the waiter's task (often the one that owned this set) alive.
        let waiter = self.ready.lock().waiter.take();
        drop(waiter);
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

/// Spawns every future of the iterator into a new set, on the current
/// runtime.
impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> JoinSet<T> {
        let mut set = JoinSet::new();
        set.extend(iter);
        set
    }
}

/// Spawns every future of the iterator into the set, on the current
/// runtime.
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for task in iter {
            self.spawn(task);
        }
    }
}
