//! The runtime: a reactor plus a pool of worker threads.

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use crate::blocking::BlockingPool;
use crate::executor::block_on::block_on;
use crate::executor::context;
use crate::executor::join_handle::JoinHandle;
use crate::executor::scheduler::Shared;
use crate::executor::worker;
use crate::io::reactor::Reactor;

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
    max_blocking_threads: usize,
    blocking_keep_alive: Duration,
    thread_name: String,
    max_injector_wait: Duration,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            worker_threads: None,
            max_blocking_threads: 512,
            blocking_keep_alive: Duration::from_secs(10),
            thread_name: "edgeio".to_owned(),
            max_injector_wait: worker::DEFAULT_MAX_INJECTOR_WAIT,
        }
    }

    /// Number of worker threads. Defaults to the number of CPUs this
    /// process may run on; `0` is treated as `1`.
    pub fn worker_threads(mut self, count: usize) -> Builder {
        self.worker_threads = Some(count.max(1));
        self
    }

    /// Upper bound on threads running [`spawn_blocking`](crate::spawn_blocking)
    /// jobs (default 512); further jobs queue.
    pub fn max_blocking_threads(mut self, count: usize) -> Builder {
        self.max_blocking_threads = count.max(1);
        self
    }

    /// How long an idle blocking thread waits for a job before exiting
    /// (default 10 s).
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.blocking_keep_alive = keep_alive;
        self
    }

    /// Name prefix of the runtime's threads: workers are `NAME-worker-N`,
    /// blocking threads `NAME-blocking`.
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        self.thread_name = name.into();
        self
    }

    /// Under overload, the longest a ready task should wait in the global
    /// queue while fresher tasks run (default 250 ms).
    ///
    /// When more tasks are woken by the reactor than a worker keeps in its
    /// local queue (128), the rest go to the global queue. Each worker
    /// takes one task from it per 200 µs or so of polling, as tokio does,
    /// and where that falls short of this bound, every poll of the reactor
    /// also moves the share of them that is due back in. The
    /// tasks in the local queue stay in cache, which raises throughput; the
    /// others wait up to about this long. A shorter bound serves tasks
    /// closer to the order they became ready, so tail latency falls and
    /// throughput with it, by how much depends on the host and the message
    /// size: with 1000 busy connections on one worker, 50 ms instead of
    /// 250 ms lowered the p99 from about 150 ms to 47 ms at 16 KiB
    /// messages, and the throughput by a quarter on one host; at 64 B on
    /// another, 20 ms cost 5 % against 50 ms. Where the workers are not
    /// the bottleneck the shorter bound can come free: with two workers on
    /// the first host, 100 ms lowered that p99 from 33–45 ms to 29–32 ms at
    /// no cost in throughput. `Duration::ZERO` moves every waiting task
    /// ahead of fresh events at each poll.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let runtime = edgeio_runtime::Builder::new()
    ///     .max_injector_wait(Duration::from_millis(50))
    ///     .build()?;
    /// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_injector_wait(mut self, bound: Duration) -> Builder {
        self.max_injector_wait = bound;
        self
    }

    /// Creates the epoll instance and starts the workers.
    ///
    /// Fails if the process is out of file descriptors or threads, or if
    /// the thread name contains a NUL byte (which the OS cannot take).
    pub fn build(self) -> io::Result<Runtime> {
        if self.thread_name.contains('\0') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "thread name contains a NUL byte",
            ));
        }
        let workers = self
            .worker_threads
            .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()));
        let reactor = Arc::new(Reactor::new()?);
        let blocking = BlockingPool::new(
            self.max_blocking_threads,
            self.blocking_keep_alive,
            format!("{}-blocking", self.thread_name),
        );
        let shared = Arc::new(Shared::new(reactor, blocking, workers, self.max_injector_wait));
        let (exit_tx, exited) = mpsc::channel();
        let mut runtime = Runtime {
            handle: Handle { shared },
            threads: Vec::with_capacity(workers),
            exited,
            shut_down: false,
        };
        for index in 0..workers {
            let shared = runtime.handle.shared.clone();
            let handle = runtime.handle.clone();
            let exit = ExitSignal(exit_tx.clone());
            let thread = thread::Builder::new()
                .name(format!("{}-worker-{index}", self.thread_name))
                .spawn(move || {
                    let _exit = exit;
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
    /// Receives one message per worker thread that has exited.
    exited: mpsc::Receiver<()>,
    shut_down: bool,
}

/// Reports a worker's exit, even if it unwinds.
struct ExitSignal(mpsc::Sender<()>);

impl Drop for ExitSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
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

    /// Stops accepting work, stops the workers, cancels every unfinished
    /// task and closes the reactor once the last I/O object is gone.
    fn shutdown(&mut self, deadline: Option<Instant>) -> bool {
        if std::mem::replace(&mut self.shut_down, true) {
            return true;
        }
        let shared = &self.handle.shared;
        shared.begin_shutdown();

        // A runtime dropped from one of its own tasks cannot wait for the
        // worker it runs on.
        let current = thread::current().id();
        let mut running = self.threads.iter().filter(|t| t.thread().id() != current).count();
        while running > 0 {
            let received = match deadline {
                None => self.exited.recv().map_err(drop),
                Some(d) => self
                    .exited
                    .recv_timeout(d.saturating_duration_since(Instant::now()))
                    .map_err(drop),
            };
            if received.is_err() {
                break;
            }
            running -= 1;
        }
        for thread in self.threads.drain(..) {
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        let blocking_done = shared.blocking.shutdown(deadline);

        // Cancelled here, tasks find their runtime as the current one (see
        // `task_set.rs`).
        let _enter = context::enter(self.handle.clone());

        shared.drain();
        // Wake whatever still waits on I/O or timers, then every other
        // unfinished task: the schedule function sees the shutdown and
        // drops (cancels) each one.
        for waker in shared.reactor.shutdown() {
            waker.wake();
        }
        shared.tasks.wake_all();
        shared.drain();
        running == 0 && blocking_done
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.threads.len())
            .finish_non_exhaustive()
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
        Handle::try_current()
            .expect("not inside an edgeio runtime: use `Runtime::block_on` or `#[edgeio::main]`")
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

    /// Spawns a blocking job onto this handle's runtime.
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        BlockingPool::spawn(&self.shared, f)
    }

    pub(crate) fn reactor(&self) -> &Arc<Reactor> {
        &self.shared.reactor
    }

    /// Whether `time::pause` may pause this runtime's clock: only where
    /// "no task is runnable" is known for certain, i.e. one worker.
    pub(crate) fn allows_paused_clock(&self) -> bool {
        self.shared.locals.len() == 1
    }

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        let shared = &self.shared;
        let reactor = &shared.reactor;
        Metrics {
            workers: shared.locals.len(),
            tasks_spawned: shared.spawned.load(Ordering::Relaxed),
            tasks_alive: shared.tasks.len(),
            tasks_polled: shared.worker_total(|s| &s.polled),
            tasks_stolen: shared.worker_total(|s| &s.stolen),
            idle_spins: shared.worker_total(|s| &s.spins),
            injector_depth: shared.injector.len(),
            reactor_polls: reactor.stats.polls.load(Ordering::Relaxed),
            events_received: reactor.stats.events.load(Ordering::Relaxed),
            max_events_per_poll: reactor.stats.max_events.load(Ordering::Relaxed),
            registered_fds: reactor.registered_fds(),
            pending_timers: reactor.pending_timers(),
            blocking_threads: shared.blocking.threads(),
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.shared.locals.len())
            .finish_non_exhaustive()
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
    /// Tasks spawned that have not finished (completed, panicked or been
    /// cancelled) yet; `spawn_blocking` jobs are not counted.
    pub tasks_alive: usize,
    pub tasks_polled: u64,
    pub tasks_stolen: u64,
    /// Times an idle worker spun for work before parking, which it does
    /// only while wakes from outside the runtime keep ending its waits.
    pub idle_spins: u64,
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
    /// Threads in the blocking pool, busy or idle.
    pub blocking_threads: usize,
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
