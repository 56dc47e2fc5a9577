//! `!Send` tasks: a [`LocalSet`] runs tasks that must stay on one thread
//! (they hold an `Rc`, a `RefCell` borrow, a thread-bound handle across an
//! `.await`), inside whatever task or `block_on` drives it.
//!
//! The set is a future of its own: polling it (through
//! [`LocalSet::run_until`], or by awaiting the set) runs its queued tasks
//! on the polling thread. Their wakers may fire on any thread: a wake only
//! queues the task and wakes whoever drives the set. Tasks never run, nor
//! are dropped, anywhere but the set's thread: when the set is dropped it
//! cancels every task it still has, there.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};

use crossbeam_queue::SegQueue;
use slab::Slab;

use crate::executor::coop;
use crate::executor::join_handle::JoinHandle;
use crate::executor::task_future::{NeverKeep, TaskFuture};
use crate::executor::task_id::Id;

/// Local tasks polled per poll of the set before it yields (and wakes
/// itself), so a set full of ready tasks shares its thread like any other
/// task: the worker's event interval, tokio's value.
const MAX_TASKS_PER_POLL: usize = 61;

type Runnable = async_task::Runnable<Weak<crate::executor::scheduler::Shared>>;

/// What crosses threads: the queue that wakes fill, and the waker of
/// whoever drives the set.
struct Queue {
    tasks: SegQueue<Runnable>,
    driver: Mutex<Option<Waker>>,
}

impl Queue {
    fn push(&self, runnable: Runnable) {
        self.tasks.push(runnable);
        let waker = self.driver.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The thread-bound side.
struct Local {
    queue: Arc<Queue>,
    /// One waker per unfinished task, so dropping the set reaches every
    /// one of them (see `task_set.rs` for why wakers).
    tasks: RefCell<Slab<Waker>>,
    closed: Cell<bool>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
}

/// A set of `!Send` tasks run on one thread: by [`LocalSet::run_until`],
/// [`LocalSet::block_on`], or by awaiting the set (which completes once
/// all its tasks have).
///
/// ```
/// use std::rc::Rc;
///
/// let runtime = edgeio_runtime::Builder::new_current_thread().build()?;
/// let local = edgeio_runtime::LocalSet::new();
/// let answer = local.block_on(&runtime, async {
///     let shared = Rc::new(41); // not Send
///     let task = edgeio_runtime::spawn_local(async move { *shared + 1 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct LocalSet {
    local: Rc<Local>,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("tasks", &self.local.tasks.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Default for LocalSet {
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

/// Whether a [`LocalSet`] is the current one on this thread (it is being
/// run, dropped, or was entered): `block_in_place` must not take this
/// thread away from its tasks.
pub(crate) fn is_entered() -> bool {
    CURRENT
        .try_with(|current| current.borrow().is_some())
        .unwrap_or(false)
}

/// Spawns a `!Send` future on the [`LocalSet`] being run on this thread.
///
/// # Panics
///
/// Outside of a `LocalSet` (its `run_until`, `block_on`, an awaited set,
/// or [`LocalSet::enter`]).
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let local = CURRENT
        .try_with(|current| current.borrow().clone())
        .ok()
        .flatten()
        .expect("`spawn_local` called from outside of a `task::LocalSet` or `runtime::LocalRuntime` (in edgeio: run it inside `LocalSet::run_until`, `LocalSet::block_on`, or the current-thread runtime's `block_on`)");
    spawn_on(&local, future)
}

fn spawn_on<F>(local: &Rc<Local>, future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let queue = Arc::downgrade(&local.queue);
    let schedule = move |runnable: Runnable| match queue.upgrade() {
        Some(queue) => queue.push(runnable),
        // The set is gone and cancelled every task it had: this one was
        // cancelled too, so dropping its runnable drops no future.
        None => drop(runnable),
    };
    let mut tasks = local.tasks.borrow_mut();
    let entry = tasks.vacant_entry();
    let tracked = Untrack {
        local: Rc::downgrade(local),
        key: entry.key(),
    };
    let future = async move {
        let _untrack = tracked;
        future.await
    };
    // `spawn_local` checks that the task only ever runs, and its future
    // is only dropped, on this thread: only `LocalSet::tick` runs its
    // runnables and `cancel_all` drops them, both on the set's thread
    // (`LocalSet` is `!Send`), and every task is closed there before the
    // set is gone, after which a runnable that still shows up has no
    // future left to drop.
    let id = Id::next();
    let (runnable, task) = async_task::Builder::new()
        .metadata(Weak::new())
        .spawn_local(|_| TaskFuture::<_, NeverKeep>::new(future, id), schedule);
    entry.insert(runnable.waker());
    drop(tasks);
    if local.closed.get() {
        drop(runnable);
    } else {
        runnable.schedule();
    }
    JoinHandle::new_local(task.fallible(), id)
}

/// Takes a finished (or dropped) task's waker out of its set.
struct Untrack {
    local: std::rc::Weak<Local>,
    key: usize,
}

impl Drop for Untrack {
    fn drop(&mut self) {
        if let Some(local) = self.local.upgrade() {
            let waker = local.tasks.borrow_mut().try_remove(self.key);
            drop(waker);
        }
    }
}

impl LocalSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> LocalSet {
        LocalSet {
            local: Rc::new(Local {
                queue: Arc::new(Queue {
                    tasks: SegQueue::new(),
                    driver: Mutex::new(None),
                }),
                tasks: RefCell::new(Slab::new()),
                closed: Cell::new(false),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future on this set. It runs once the set is run.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_on(&self.local, future)
    }

    /// Makes this set the one [`spawn_local`] spawns on, until the guard
    /// is dropped.
    pub fn enter(&self) -> LocalEnterGuard {
        // `try_with`: a set kept in a thread-local is dropped (and cancels
        // its tasks under this guard) while the thread's locals are torn
        // down, maybe after `CURRENT`; `spawn_local` then finds no set.
        let previous = CURRENT
            .try_with(|current| current.borrow_mut().replace(self.local.clone()))
            .ok()
            .flatten();
        LocalEnterGuard {
            previous,
            _not_send: PhantomData,
        }
    }

    /// Runs this set's tasks until `future` completes.
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            let _enter = self.enter();
            // The future first: it usually spawns the tasks.
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(output);
            }
            self.tick(cx);
            Poll::Pending
        })
        .await
    }

    /// Runs up to [`MAX_TASKS_PER_POLL`] queued tasks, and arranges for
    /// `cx` to be woken when more are queued.
    fn tick(&self, cx: &mut Context<'_>) {
        let queue = &self.local.queue;
        {
            let mut driver = queue.driver.lock().unwrap_or_else(|e| e.into_inner());
            if !driver.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *driver = Some(cx.waker().clone());
            }
        }
        for _ in 0..MAX_TASKS_PER_POLL {
            match queue.tasks.pop() {
                Some(runnable) => {
                    let _budget = coop::budget();
                    runnable.run();
                }
                None => return,
            }
        }
        if !queue.tasks.is_empty() {
            // More ready than one turn allows: come back after the others.
            crate::executor::defer::defer(cx.waker());
        }
    }

    /// Drops every task of the set, on this thread.
    fn cancel_all(&self) {
        self.local.closed.set(true);
        let _enter = self.enter();
        loop {
            let wakers: Vec<Waker> = self.local.tasks.borrow().iter().map(|(_, w)| w.clone()).collect();
            // Waking schedules each unfinished task once: its runnable,
            // dropped here, cancels it and drops its future.
            for waker in wakers {
                waker.wake();
            }
            let mut dropped = false;
            while let Some(runnable) = self.local.queue.tasks.pop() {
                drop(runnable);
                dropped = true;
            }
            if !dropped {
                return;
            }
        }
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Runs the set's tasks; ready once it has none left.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _enter = self.enter();
        self.tick(cx);
        if self.local.tasks.borrow().is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// Returned by [`LocalSet::enter`].
#[must_use = "the set is the current one only while the guard lives"]
pub struct LocalEnterGuard {
    previous: Option<Rc<Local>>,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for LocalEnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

impl Drop for LocalEnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}
