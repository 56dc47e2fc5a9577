//! [`Runtime`]: owns a runtime's threads and shuts it down when dropped.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::executor::join_handle::JoinHandle;
use crate::executor::local_set::LocalSet;
use crate::executor::{context, worker};

use crate::runtime::handle::{EnterGuard, Handle};
use crate::runtime::metrics::Metrics;

/// An edge-triggered epoll reactor with its executor: work-stealing worker
/// threads ([`Builder::new_multi_thread`](crate::Builder::new_multi_thread), the default) or the caller's
/// thread ([`Builder::new_current_thread`](crate::Builder::new_current_thread)).
///
/// Dropping the runtime stops the workers, cancels every task that has not
/// finished (dropping their futures, which closes their sockets) and closes
/// the epoll instance. It may be dropped anywhere, including from one of
/// its own tasks or blocking jobs and from a thread-local's destructor.
/// `Runtime` is `Send` and `Sync`, so it can live in a `static` or an `Arc`.
///
/// ```
/// let runtime = edgeio_runtime::Runtime::new()?;
/// let answer = runtime.block_on(async {
///     edgeio_runtime::spawn(async { 42 }).await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Runtime {
    handle: Handle,
    threads: Threads,
    shut_down: bool,
}

/// The worker threads of a multi-thread runtime, and a count of those that
/// exited, to wait on with a deadline.
#[derive(Default)]
pub(crate) struct Threads {
    handles: Vec<thread::JoinHandle<()>>,
    exited: Arc<(Mutex<usize>, Condvar)>,
}

/// Counts a worker's exit, even if it unwinds.
pub(crate) struct ExitSignal(Arc<(Mutex<usize>, Condvar)>);

impl Drop for ExitSignal {
    fn drop(&mut self) {
        let (count, condvar) = &*self.0;
        *count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        condvar.notify_all();
    }
}

impl Threads {
    pub(crate) fn exit_signal(&self) -> ExitSignal {
        ExitSignal(self.exited.clone())
    }

    pub(crate) fn push(&mut self, thread: thread::JoinHandle<()>) {
        self.handles.push(thread);
    }

    /// Waits until `waited` threads have exited, or `deadline`; returns
    /// whether they all did.
    fn wait(&self, waited: usize, deadline: Option<Instant>) -> bool {
        let (count, condvar) = &*self.exited;
        let mut exited = count.lock().unwrap_or_else(|e| e.into_inner());
        while *exited < waited {
            exited = match deadline {
                None => condvar.wait(exited).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) => {
                        condvar
                            .wait_timeout(exited, left)
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                    None => return false,
                },
            };
        }
        true
    }
}

impl Runtime {
    pub(crate) fn new_parts(handle: Handle, threads: Threads) -> Runtime {
        Runtime {
            handle,
            threads,
            shut_down: false,
        }
    }

    /// Runs `future` to completion on the current thread, with this runtime
    /// as the context for [`spawn`](crate::spawn), timers and I/O.
    ///
    /// On the current-thread runtime this is also where its tasks run and
    /// its reactor is driven. If another thread is already inside
    /// `block_on` of the same current-thread runtime, this one only polls
    /// `future` (the other runs the tasks), and takes over once that one
    /// returns.
    ///
    /// # Panics
    ///
    /// If called from a worker thread of any runtime (as in tokio): blocking
    /// a worker would stall every task queued behind it. A panic in
    /// `future` itself propagates to the caller.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Makes this runtime the current one on this thread until the guard is
    /// dropped, so that sockets and timers can be created and tasks spawned
    /// outside `block_on`.
    ///
    /// ```
    /// let runtime = edgeio_runtime::Runtime::new()?;
    /// let handle = {
    ///     let _guard = runtime.enter();
    ///     edgeio_runtime::spawn(async { 7 })
    /// };
    /// assert_eq!(runtime.block_on(handle).unwrap(), 7);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Spawns a task onto this runtime.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// A cloneable handle to spawn tasks from anywhere.
    #[must_use]
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns a blocking job onto this runtime's blocking pool.
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `timeout` for workers to finish the task
    /// they are polling and for running blocking jobs. Threads still busy
    /// after that are left to finish in the background. Returns `true` if
    /// everything stopped in time.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> bool {
        self.shutdown(Instant::now().checked_add(timeout))
    }

    /// Shuts down without waiting for anything.
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Instant::now()));
    }

    /// The closed state's protocol (see `executor/worker.rs`): close,
    /// cancel what waits and what is queued, wait for the threads, then
    /// cancel whatever is left.
    fn shutdown(&mut self, deadline: Option<Instant>) -> bool {
        if std::mem::replace(&mut self.shut_down, true) {
            return true;
        }
        let shared = &self.handle.shared;
        shared.close();
        // Cancel every waiting task, and every queued one, before waiting
        // for the threads: a worker thread blocked in `block_in_place`, or
        // a blocking job, may be waiting on a value one of them holds (a
        // channel's sender, a `JoinHandle`), as in tokio, whose shutdown
        // also cancels tasks before it joins. No worker polls a task once
        // the runtime is closed, so the queues can go now.
        self.cancel_tasks();

        // A runtime dropped from one of its own tasks cannot wait for the
        // worker it runs on; nor, on a `block_in_place` stand-in, for the
        // worker whose place it holds: that one waits for the stand-in to
        // hand the place back, after this task's poll.
        let current = thread::current().id();
        let own_place = worker::current_place(shared);
        let waited = |index: usize, thread: &thread::JoinHandle<()>| {
            thread.thread().id() != current && own_place != Some(index)
        };
        let others = self
            .threads
            .handles
            .iter()
            .enumerate()
            .filter(|(index, thread)| waited(*index, thread))
            .count();
        let mut workers_done = self.threads.wait(others, deadline);
        // The current-thread worker, held by a `block_on` on another
        // thread: wait until it dropped the runtime's tasks (after the one
        // it is polling), as for a worker thread.
        if shared.config.current_thread && own_place.is_none() {
            workers_done &= shared.wait_core_quiet(deadline);
        }
        for (index, thread) in std::mem::take(&mut self.threads.handles).into_iter().enumerate() {
            // Every other worker reported its exit (or the deadline
            // passed): joining the ones that did is immediate.
            if waited(index, &thread) && (workers_done || thread.is_finished()) {
                let _ = thread.join();
            }
        }
        let blocking_done = shared.blocking.shutdown(deadline);

        // Again, for the tasks that were running during the first pass, or
        // were queued since.
        self.cancel_tasks();
        workers_done && blocking_done
    }

    /// Wakes whatever waits on I/O or timers, then every other unfinished
    /// task: in the closed state the schedule function drops (cancels)
    /// each one (a task being polled meanwhile is dropped when its poll
    /// ends; see `executor/worker.rs`). Then drops every queued task,
    /// which waking could not reach. Cancelled here, tasks find their
    /// runtime as the current one (see `task_set.rs`).
    fn cancel_tasks(&self) {
        let shared = &self.handle.shared;
        let _enter = context::enter(shared.clone());
        for waker in shared.reactor.shutdown() {
            waker.wake();
        }
        shared.tasks.wake_all();
        shared.drain();
    }
}

// A panic that unwinds through a borrow of the runtime (a test's
// `catch_unwind` around `block_on`) leaves nothing half-changed that a
// later use could see: its state sits behind atomics and locks that are
// taken back after a poisoning, and its hooks are the user's, called as
// they are. tokio makes the same promise, by the same two lines.
impl std::panic::UnwindSafe for Runtime {}
impl std::panic::RefUnwindSafe for Runtime {}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .field("workers", &self.handle.shared.locals.len())
            .finish_non_exhaustive()
    }
}

/// Defined here rather than in `local_set.rs`, which sits below the
/// runtime (the runtime's `block_on` runs a `LocalSet` of its own).
impl LocalSet {
    /// Runs `future` on `runtime`'s `block_on`, together with this set's
    /// tasks.
    #[track_caller]
    pub fn block_on<F: Future>(&self, runtime: &Runtime, future: F) -> F::Output {
        runtime.block_on(self.run_until(future))
    }
}
