//! Configuring a runtime before it starts.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::blocking::{thread_name, BlockingPool, NameFn};
use crate::executor::scheduler::{Callback, Config, Hooks, Shared};
use crate::executor::{context, spawn, worker};
use crate::io::reactor::Reactor;
use crate::runtime::handle::Handle;
use crate::runtime::runtime::{Runtime, Threads};

/// Configures and builds a [`Runtime`].
///
/// As in tokio, [`Builder::new_multi_thread`] gives work-stealing worker
/// threads and [`Builder::new_current_thread`] one thread, the caller's,
/// which runs every task inside [`Runtime::block_on`]. I/O and timers are
/// always enabled: [`Builder::enable_all`] and friends exist so that tokio
/// code ports unchanged, and do nothing.
///
/// ```
/// let runtime = edgeio_runtime::Builder::new_multi_thread().worker_threads(2).build()?;
/// assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a Builder does nothing until `build` is called"]
pub struct Builder {
    current_thread: bool,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    blocking_keep_alive: Duration,
    /// Every thread's name, when set ([`Builder::thread_name`]).
    thread_name: Option<String>,
    thread_name_fn: Option<NameFn>,
    name: Option<String>,
    thread_stack_size: Option<usize>,
    global_queue_interval: Option<u32>,
    event_interval: u32,
    on_thread_start: Option<Callback>,
    on_thread_stop: Option<Callback>,
    on_thread_park: Option<Callback>,
    on_thread_unpark: Option<Callback>,
    start_paused: bool,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// A multi-thread runtime's builder; the same as
    /// [`Builder::new_multi_thread`].
    pub fn new() -> Builder {
        Builder::new_multi_thread()
    }

    /// A runtime with a pool of work-stealing worker threads, as many as
    /// the CPUs this process may run on unless
    /// [`Builder::worker_threads`] says otherwise.
    pub fn new_multi_thread() -> Builder {
        Builder {
            current_thread: false,
            worker_threads: None,
            max_blocking_threads: 512,
            blocking_keep_alive: Duration::from_secs(10),
            thread_name: None,
            thread_name_fn: None,
            name: None,
            thread_stack_size: None,
            global_queue_interval: None,
            event_interval: worker::EVENT_INTERVAL,
            on_thread_start: None,
            on_thread_stop: None,
            on_thread_park: None,
            on_thread_unpark: None,
            start_paused: false,
        }
    }

    /// A runtime without worker threads: tasks run, and the reactor is
    /// driven, on the thread inside [`Runtime::block_on`], and only while
    /// it is there (as in tokio). Nothing crosses threads on its hot path,
    /// and `!Send` state can stay on that thread.
    ///
    /// ```
    /// let runtime = edgeio_runtime::Builder::new_current_thread().enable_all().build()?;
    /// let answer = runtime.block_on(async { edgeio_runtime::spawn(async { 42 }).await.unwrap() });
    /// assert_eq!(answer, 42);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder {
            current_thread: true,
            ..Builder::new_multi_thread()
        }
    }

    /// Number of worker threads of a multi-thread runtime. Defaults to the
    /// number of CPUs this process may run on. Ignored by the
    /// current-thread runtime.
    ///
    /// # Panics
    ///
    /// If `count` is 0, at the caller, as tokio's: a runtime with no
    /// worker would run nothing, and the count is the program's, not its
    /// input's.
    #[track_caller]
    pub fn worker_threads(&mut self, count: usize) -> &mut Self {
        assert!(count > 0, "Worker threads cannot be set to 0");
        self.worker_threads = Some(count);
        self
    }

    /// Upper bound on threads running [`spawn_blocking`](crate::spawn_blocking)
    /// jobs (default 512, tokio's); further jobs queue.
    ///
    /// # Panics
    ///
    /// If `count` is 0 (blocking jobs would wait forever), at the caller,
    /// as tokio's.
    #[track_caller]
    pub fn max_blocking_threads(&mut self, count: usize) -> &mut Self {
        assert!(count > 0, "Max blocking threads cannot be set to 0");
        self.max_blocking_threads = count;
        self
    }

    /// How long an idle blocking thread waits for a job before exiting
    /// (default 10 s, tokio's).
    pub fn thread_keep_alive(&mut self, keep_alive: Duration) -> &mut Self {
        self.blocking_keep_alive = keep_alive;
        self
    }

    /// The same as [`Builder::thread_keep_alive`].
    pub fn blocking_keep_alive(&mut self, keep_alive: Duration) -> &mut Self {
        self.thread_keep_alive(keep_alive)
    }

    /// Names every thread the runtime starts, workers and blocking
    /// threads, `name`, as tokio's. Replaces a name function set before.
    ///
    /// Without a name (or a [`thread_name_fn`](Builder::thread_name_fn)),
    /// workers are `edgeio-worker-N` and blocking threads
    /// `edgeio-blocking`, where tokio names them all
    /// `tokio-runtime-worker`: a default nobody chose may as well tell
    /// the threads apart in `top -H` and in a debugger.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.thread_name = Some(name.into());
        self.thread_name_fn = None;
        self
    }

    /// Names every thread the runtime starts, workers and blocking threads,
    /// with what `f` returns (called once per thread, on the thread that
    /// starts it), as tokio's. NUL bytes, which the OS cannot take, are
    /// left out of the name.
    pub fn thread_name_fn(&mut self, f: impl Fn() -> String + Send + Sync + 'static) -> &mut Self {
        self.thread_name_fn = Some(Arc::new(f));
        self
    }

    /// The runtime's name, for [`Handle::name`] (tokio's `Builder::name`);
    /// unnamed by default. Thread names are set by
    /// [`Builder::thread_name`].
    ///
    /// # Panics
    ///
    /// If `name` is empty or only whitespace, at the caller, as tokio's.
    #[track_caller]
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        assert!(!name.trim().is_empty(), "runtime name shouldn't be empty");
        self.name = Some(name);
        self
    }

    /// Stack size of the threads the runtime starts (the standard
    /// library's default otherwise).
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `f` on every thread the runtime starts (workers and blocking
    /// threads), first thing, inside the runtime's context.
    pub fn on_thread_start(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on every thread the runtime starts, last thing before it
    /// exits.
    pub fn on_thread_stop(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_stop = Some(Arc::new(f));
        self
    }

    /// Runs `f` on a worker thread each time it is about to sleep for want
    /// of work (in the reactor or on its own), as tokio's. Called on the
    /// worker's thread: keep it short.
    pub fn on_thread_park(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_park = Some(Arc::new(f));
        self
    }

    /// Runs `f` on a worker thread each time it wakes from such a sleep,
    /// as tokio's.
    pub fn on_thread_unpark(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_unpark = Some(Arc::new(f));
        self
    }

    /// Ticks (tasks polled) between two checks of the global queue ahead
    /// of a worker's local queue: 61 on the multi-thread runtime and 31 on
    /// the current-thread one by default (tokio's values). At each check
    /// the global queue gets its share of the next `interval` ticks, in
    /// proportion to the two queues' lengths but at most an eighth of
    /// them, rounded up (tokio's gets one tick in `interval`). Lower
    /// serves tasks from other threads sooner; higher keeps a worker on its
    /// own (cache-hot) tasks longer.
    ///
    /// # Panics
    ///
    /// If `interval` is 0.
    #[track_caller]
    pub fn global_queue_interval(&mut self, interval: u32) -> &mut Self {
        assert!(interval > 0, "global_queue_interval must be greater than 0");
        self.global_queue_interval = Some(interval);
        self
    }

    /// Ticks between two non-blocking polls of the reactor and timers while
    /// a worker has tasks to run (default 61, tokio's).
    ///
    /// # Panics
    ///
    /// If `interval` is 0.
    #[track_caller]
    pub fn event_interval(&mut self, interval: u32) -> &mut Self {
        assert!(interval > 0, "event_interval must be greater than 0");
        self.event_interval = interval;
        self
    }

    /// Starts the runtime with its clock paused (see
    /// [`time::pause`](crate::time::pause)): time moves only when advanced,
    /// or when every task is idle, to the next timer. Only the
    /// current-thread runtime can be paused; `build` fails on the
    /// multi-thread one (as tokio's panics).
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Self {
        self.start_paused = start_paused;
        self
    }

    /// Does nothing: I/O and timers are always enabled. For tokio code.
    pub fn enable_all(&mut self) -> &mut Self {
        self
    }

    /// Does nothing: I/O is always enabled. For tokio code.
    pub fn enable_io(&mut self) -> &mut Self {
        self
    }

    /// Does nothing: timers are always enabled. For tokio code.
    pub fn enable_time(&mut self) -> &mut Self {
        self
    }

    /// Whether this builds the current-thread runtime.
    pub(crate) fn is_current_thread(&self) -> bool {
        self.current_thread
    }

    /// Creates the epoll instance and starts the workers.
    ///
    /// Fails if the process is out of file descriptors or threads, or if
    /// the thread name contains a NUL byte (which the OS cannot take).
    pub fn build(&mut self) -> io::Result<Runtime> {
        if self.start_paused && !self.current_thread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "`start_paused` requires the current-thread runtime: a paused clock is only sound with one thread",
            ));
        }
        if self.thread_name.as_ref().is_some_and(|name| name.contains('\0')) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "thread name contains a NUL byte",
            ));
        }
        let workers = if self.current_thread {
            1
        } else {
            self.worker_threads
                .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()))
        };
        let config = Config {
            current_thread: self.current_thread,
            global_queue_interval: self.global_queue_interval.unwrap_or(if self.current_thread {
                worker::CURRENT_THREAD_GLOBAL_QUEUE_INTERVAL
            } else {
                worker::MULTI_THREAD_GLOBAL_QUEUE_INTERVAL
            }),
            event_interval: self.event_interval,
        };
        let reactor = Arc::new(Reactor::new()?);
        let blocking_name: NameFn = match (&self.thread_name_fn, &self.thread_name) {
            (Some(name), _) => name.clone(),
            (None, name) => {
                let name = name.clone().unwrap_or_else(|| "edgeio-blocking".to_owned());
                Arc::new(move || name.clone())
            }
        };
        let blocking = Arc::new(BlockingPool::new(
            self.max_blocking_threads,
            self.blocking_keep_alive,
            blocking_name,
            self.thread_stack_size,
            spawn::run_blocking_thread,
            spawn::release_finished_job,
        ));
        let hooks = Hooks {
            on_start: self.on_thread_start.clone(),
            on_stop: self.on_thread_stop.clone(),
            on_park: self.on_thread_park.clone(),
            on_unpark: self.on_thread_unpark.clone(),
        };
        let mut shared = Shared::new(reactor, blocking, workers, config, hooks);
        shared.name = self.name.clone();
        let shared = Arc::new(shared);
        let handle = Handle { shared };
        if self.start_paused {
            crate::time::pause::pause_runtime_clock(&handle);
        }
        let mut threads = Threads::default();
        if !self.current_thread {
            for index in 0..workers {
                let thread_handle = handle.clone();
                let exit = threads.exit_signal();
                let name = match (&self.thread_name_fn, &self.thread_name) {
                    (Some(name), _) => thread_name(name),
                    (None, Some(name)) => name.clone(),
                    (None, None) => format!("edgeio-worker-{index}"),
                };
                let mut builder = thread::Builder::new().name(name);
                if let Some(size) = self.thread_stack_size {
                    builder = builder.stack_size(size);
                }
                let spawned = builder.spawn(move || {
                    // Declared first, dropped last: the exit is reported
                    // only once this thread holds nothing of the runtime.
                    let _exit = exit;
                    let shared = thread_handle.shared;
                    context::run_thread(shared.clone(), || worker::run(shared, index));
                });
                match spawned {
                    Ok(thread) => threads.push(thread),
                    Err(e) => {
                        // Stop the threads started so far.
                        drop(Runtime::new_parts(handle, threads));
                        return Err(e);
                    }
                }
            }
        }
        Ok(Runtime::new_parts(handle, threads))
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field(
                "flavor",
                &if self.current_thread {
                    "current_thread"
                } else {
                    "multi_thread"
                },
            )
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.blocking_keep_alive)
            .field("thread_name", &self.thread_name)
            .field("name", &self.name)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .finish_non_exhaustive()
    }
}

/// Defined here, beside what it calls, so that `runtime.rs` (which the
/// builder builds) does not depend back on the builder.
impl Runtime {
    /// A multi-thread runtime with the default configuration (see
    /// [`Builder`]).
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }
}
