//! A reference to a runtime, and the free functions that find the current
//! one.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::Poll;

use crate::executor::block_on::block_on;
use crate::executor::context;
use crate::executor::join_handle::JoinHandle;
use crate::executor::local_set::LocalSet;
use crate::executor::scheduler::Shared;
use crate::executor::spawn;
use crate::executor::worker;
use crate::io::reactor::Reactor;
use crate::runtime::id::Id;
use crate::runtime::metrics::Metrics;

/// A reference to a runtime, for spawning onto it, entering it and
/// blocking on it from any thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

/// The kind of scheduler a runtime has (tokio's `RuntimeFlavor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// One worker, run by the thread inside `block_on`.
    CurrentThread,
    /// A pool of work-stealing worker threads.
    MultiThread,
}

/// Returned by [`Handle::enter`] and [`Runtime::enter`](crate::Runtime::enter):
/// the runtime stays the current one on this thread until it is dropped.
/// Guards must be dropped in the reverse order of their creation.
#[must_use = "the runtime is the current one only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::EnterGuard,
    /// Tied to the thread that entered (the guard restores that thread's
    /// state), and to the handle's lifetime, as in tokio: `!Send`, but
    /// `Sync` (a `&EnterGuard` does nothing), which a `MutexGuard` is too.
    _not_send: PhantomData<(&'a Handle, std::sync::MutexGuard<'static, ()>)>,
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

impl Handle {
    /// The runtime the current thread is running in.
    ///
    /// # Panics
    ///
    /// Outside of a runtime (a worker thread, `block_on` or an
    /// [`enter`](Handle::enter) guard); see [`Handle::try_current`].
    /// Not `#[must_use]`, as tokio's is not: code checks for a runtime by
    /// calling it for its panic alone.
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(e) => panic!("{e}"),
        }
    }

    /// The runtime the current thread is running in, if any.
    pub fn try_current() -> io::Result<Handle> {
        context::with_current(|shared| Handle {
            shared: shared.clone(),
        })
        .ok_or_else(no_runtime)
    }

    /// Makes this runtime the current one on this thread until the guard is
    /// dropped.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::enter(self.shared.clone()),
            _not_send: PhantomData,
        }
    }

    /// Runs `future` to completion on the current thread; see
    /// [`Runtime::block_on`](crate::Runtime::block_on). On the
    /// current-thread runtime it runs the runtime's tasks too, unlike
    /// tokio's `Handle::block_on`, which leaves them waiting for
    /// `Runtime::block_on`.
    ///
    /// On the current-thread runtime, [`spawn_local`](crate::spawn_local)
    /// works directly inside the call (tokio requires a `LocalSet`): its
    /// tasks run on this thread while the call lasts, and are cancelled
    /// when it returns.
    ///
    /// # Panics
    ///
    /// If called from a worker thread of any runtime. Unlike tokio's, it
    /// may be nested inside another `block_on` of a multi-thread runtime,
    /// whose thread runs no tasks but the outer future (tokio forbids any
    /// `block_on` inside another).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        assert!(
            !worker::is_worker_thread(),
            "Cannot start a runtime from within a runtime. This happens because a function (like `block_on`) attempted to block the current thread while the thread is being used to drive asynchronous tasks. `.await` the future instead."
        );
        let _enter = context::enter(self.shared.clone());
        if !self.shared.config.current_thread {
            return block_on(future);
        }
        // The current-thread runtime runs `!Send` tasks too: those spawned
        // with `spawn_local` during this call, in a set of its own.
        let local = LocalSet::new();
        let _local = local.enter();
        let mut future = std::pin::pin!(local.run_until(future));
        loop {
            if let Some(output) = worker::block_on(&self.shared, future.as_mut()) {
                return output;
            }
            // Another thread runs the tasks: poll the future here until it
            // completes, or the worker is free to take over.
            let shared = &self.shared;
            let polled = block_on(std::future::poll_fn(|cx| {
                {
                    let mut waiters = shared.core_waiters.lock().unwrap_or_else(|e| e.into_inner());
                    if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                        waiters.push(cx.waker().clone());
                    }
                }
                if !shared.core_taken.load(std::sync::atomic::Ordering::SeqCst) {
                    return Poll::Ready(None);
                }
                future.as_mut().poll(cx).map(Some)
            }));
            if let Some(output) = polled {
                return output;
            }
        }
    }

    /// Spawns a task onto this handle's runtime. After the runtime shut
    /// down, the task is dropped at once and its handle reports it as
    /// cancelled.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        spawn::spawn(&self.shared, future)
    }

    /// Spawns a blocking job onto this handle's runtime.
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        spawn::spawn_blocking(&self.shared, f)
    }

    /// Which scheduler the runtime has.
    #[must_use]
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        if self.shared.config.current_thread {
            RuntimeFlavor::CurrentThread
        } else {
            RuntimeFlavor::MultiThread
        }
    }

    /// The runtime's id: the same for every handle of one runtime,
    /// different for each runtime (tokio's `Handle::id`).
    #[must_use]
    pub fn id(&self) -> Id {
        Id::from_number(self.shared.id)
    }

    /// The runtime's name, if it was given one with
    /// [`Builder::name`](crate::Builder::name) (tokio's `Handle::name`).
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.shared.name.as_deref()
    }

    pub(crate) fn reactor(&self) -> &Arc<Reactor> {
        &self.shared.reactor
    }

    /// Whether `time::pause` may pause this runtime's clock: only where
    /// "no task is runnable" is known for certain, that is on the
    /// current-thread runtime, whose one thread runs every task and is the
    /// only one to drive the reactor.
    pub(crate) fn allows_paused_clock(&self) -> bool {
        self.shared.config.current_thread
    }

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        Metrics::of(&self.shared)
    }
}

// As for `Runtime` (see there), and as tokio's `Handle`.
impl std::panic::UnwindSafe for Handle {}
impl std::panic::RefUnwindSafe for Handle {}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .field("workers", &self.shared.locals.len())
            .finish_non_exhaustive()
    }
}

/// Begins as tokio's panic does, so that a test expecting tokio's
/// "there is no reactor running" matches on edgeio too.
fn no_runtime() -> io::Error {
    io::Error::other(
        "there is no reactor running, must be called from the context of an edgeio runtime \
         (inside `Runtime::block_on`, a task, or `#[edgeio::main]`)",
    )
}

/// Spawns a task onto the current runtime.
///
/// The task starts running in the background at once; the returned
/// [`JoinHandle`] yields its output. A panic inside the task is caught and
/// reported through the handle; it never stops the runtime.
///
/// # Panics
///
/// Outside of a runtime.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let handle = edgeio_runtime::spawn(async { "done" });
/// assert_eq!(handle.await.unwrap(), "done");
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    context::with_current(|shared| spawn::spawn(shared, future))
        .expect("`spawn` called outside of an edgeio runtime: use `Runtime::block_on` or `#[edgeio::main]`")
}

/// Runs the blocking function `f` on the current runtime's blocking pool
/// and returns a handle to await its result.
///
/// Use it for work that would otherwise block a worker thread: file
/// system calls, blocking libraries, long computations. A panic in `f` is
/// reported through the handle. Aborting the handle only cancels a job that
/// has not started; a running closure cannot be interrupted. If the pool
/// has no thread and the OS refuses to start one, the job is cancelled
/// too (awaiting the handle gives a [`JoinError`](crate::JoinError) for
/// which `is_cancelled` is true) rather than queued for a thread that may
/// never come.
///
/// # Panics
///
/// Outside of a runtime.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let len = edgeio_runtime::spawn_blocking(|| std::fs::read("/proc/self/status").map(|b| b.len()))
///     .await
///     .unwrap()
///     .unwrap();
/// assert!(len > 0);
/// # });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Handle::current().spawn_blocking(f)
}
