//! The runtime: a reactor plus a pool of worker threads.

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;

use crate::block_on::block_on;
use crate::context;
use crate::join_handle::JoinHandle;
use crate::reactor::Reactor;
use crate::scheduler::Shared;
use crate::worker;

/// Configures and builds a [`Runtime`].
///
/// ```
/// let runtime = edgeio_runtime::Builder::new().worker_threads(2).build()?;
/// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Builder does nothing until `build` is called"]
pub struct Builder {
    worker_threads: Option<usize>,
    thread_name: String,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder { worker_threads: None, thread_name: "edgeio-worker".to_owned() }
    }

    /// Number of worker threads. Defaults to the number of CPUs this
    /// process may run on; `0` is treated as `1`.
    pub fn worker_threads(mut self, count: usize) -> Builder {
        self.worker_threads = Some(count.max(1));
        self
    }

    /// Name prefix of the worker threads (`-N` is appended).
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        self.thread_name = name.into();
        self
    }

    /// Creates the epoll instance and starts the workers.
    pub fn build(self) -> io::Result<Runtime> {
        let workers = self
            .worker_threads
            .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()));
        let reactor = Arc::new(Reactor::new()?);
        let shared = Arc::new(Shared::new(reactor, workers));
        let mut runtime = Runtime { handle: Handle { shared }, threads: Vec::with_capacity(workers) };
        for index in 0..workers {
            let shared = runtime.handle.shared.clone();
            let handle = runtime.handle.clone();
            let thread = thread::Builder::new()
                .name(format!("{}-{index}", self.thread_name))
                .spawn(move || {
                    let _enter = context::enter(handle);
                    worker::run(shared, index);
                })?;
            // On error, `runtime` drops here and stops the threads started.
            runtime.threads.push(thread);
        }
        Ok(runtime)
    }
}

/// An edge-triggered epoll reactor and a pool of work-stealing workers.
///
/// Dropping the runtime stops the workers, cancels every task that has not
/// finished (dropping their futures, which closes their sockets) and closes
/// the epoll instance.
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
    threads: Vec<thread::JoinHandle<()>>,
}

impl Runtime {
    /// A runtime with the default configuration (see [`Builder`]).
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Runs `future` to completion on the current thread, with this runtime
    /// as the context for [`spawn`](crate::spawn), timers and I/O.
    ///
    /// # Panics
    ///
    /// If called from a worker thread of any runtime: blocking a worker
    /// would stall every task queued behind it. A panic in `future` itself
    /// propagates to the caller.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        assert!(
            !worker::is_worker_thread(),
            "Runtime::block_on called from inside an edgeio task; `.await` the future instead"
        );
        let _enter = context::enter(self.handle.clone());
        block_on(future)
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

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        self.handle.metrics()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let shared = &self.handle.shared;
        shared.begin_shutdown();
        let current = thread::current().id();
        for thread in self.threads.drain(..) {
            // A runtime dropped from one of its own tasks cannot join itself.
            if thread.thread().id() != current {
                let _ = thread.join();
            }
        }
        shared.drain();
        // Wake whatever still waits on I/O or timers: the schedule function
        // sees the shutdown and drops (cancels) each task.
        for waker in shared.reactor.shutdown() {
            waker.wake();
        }
        shared.drain();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").field("workers", &self.threads.len()).finish_non_exhaustive()
    }
}

/// A reference to a runtime, for spawning onto it from any thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Handle {
    /// The runtime the current thread is running in.
    ///
    /// # Panics
    ///
    /// Outside of a runtime (a worker thread or `Runtime::block_on`); see
    /// [`Handle::try_current`].
    #[must_use]
    pub fn current() -> Handle {
        Handle::try_current().expect("not inside an edgeio runtime: use `Runtime::block_on` or `#[edgeio::main]`")
    }

    /// The runtime the current thread is running in, if any.
    pub fn try_current() -> io::Result<Handle> {
        context::with_current(Handle::clone).ok_or_else(no_runtime)
    }

    /// Spawns a task onto this handle's runtime.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn(future)
    }

    pub(crate) fn reactor(&self) -> &Arc<Reactor> {
        &self.shared.reactor
    }

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        let shared = &self.shared;
        let reactor = &shared.reactor;
        Metrics {
            workers: shared.locals.len(),
            tasks_spawned: shared.spawned.load(Ordering::Relaxed),
            tasks_polled: shared.stats.iter().map(|s| s.polled.load(Ordering::Relaxed)).sum(),
            tasks_stolen: shared.stats.iter().map(|s| s.stolen.load(Ordering::Relaxed)).sum(),
            injector_depth: shared.injector.len(),
            reactor_polls: reactor.stats.polls.load(Ordering::Relaxed),
            events_received: reactor.stats.events.load(Ordering::Relaxed),
            max_events_per_poll: reactor.stats.max_events.load(Ordering::Relaxed),
            registered_fds: reactor.registered_fds(),
            pending_timers: reactor.pending_timers(),
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").field("workers", &self.shared.locals.len()).finish_non_exhaustive()
    }
}

/// Counters of a runtime, as returned by [`Runtime::metrics`]. Per-worker
/// counts are published when a worker parks and every few dozen polls, so
/// they may lag slightly behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    pub workers: usize,
    pub tasks_spawned: u64,
    pub tasks_polled: u64,
    pub tasks_stolen: u64,
    /// Tasks waiting in the global queue right now.
    pub injector_depth: usize,
    /// `epoll_wait` calls.
    pub reactor_polls: u64,
    /// Events those calls returned, in total.
    pub events_received: u64,
    /// The largest batch one `epoll_wait` returned.
    pub max_events_per_poll: usize,
    pub registered_fds: usize,
    pub pending_timers: usize,
}

pub(crate) fn no_runtime() -> io::Error {
    io::Error::other("not inside an edgeio runtime: use `Runtime::block_on` or `#[edgeio::main]`")
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
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    context::with_current(|handle| handle.spawn(future))
        .expect("`spawn` called outside of an edgeio runtime: use `Runtime::block_on` or `#[edgeio::main]`")
}
