//! A pool of threads for blocking work (file I/O, DNS, CPU-heavy calls),
//! so it never runs on, and stalls, a worker.
//!
//! Threads are started on demand up to a limit and exit after idling for
//! a while. Each job is an `async-task` task like any other, so
//! `spawn_blocking` hands back the same awaitable, abortable [`JoinHandle`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use async_task::Runnable;

/// Runs a thread's body as one of the runtime's threads: in its context,
/// between its start and stop hooks. `M` is how a job refers to its
/// runtime (its task's metadata); the runtime passes the function in, so
/// the pool knows nothing of the scheduler.
pub(crate) type RunThread<M> = fn(M, &mut dyn FnMut());

/// Run by a pool thread after each job, once the job's output is stored
/// and its awaiting task woken (the runtime passes it in, as [`RunThread`]).
pub(crate) type AfterJob = fn();

/// Names a thread the runtime starts: `Builder::thread_name_fn`, or the
/// default built from `Builder::thread_name`.
pub(crate) type NameFn = Arc<dyn Fn() -> String + Send + Sync>;

/// The next thread's name from `name`, without the NUL bytes the OS cannot
/// take (`std` would panic on them): a name is only a label.
pub(crate) fn thread_name(name: &NameFn) -> String {
    let mut name = name();
    name.retain(|c| c != '\0');
    name
}

/// The pool. Its jobs are `async-task` runnables whose metadata `M` is
/// their runtime; `spawn_blocking` (in `executor/spawn.rs`) makes them.
pub(crate) struct BlockingPool<M> {
    state: Mutex<State<M>>,
    /// Signalled when a job is queued or the pool shuts down.
    work: Condvar,
    /// Signalled when a thread exits.
    exited: Condvar,
    max_threads: usize,
    keep_alive: Duration,
    thread_name: NameFn,
    stack_size: Option<usize>,
    run_thread: RunThread<M>,
    after_job: AfterJob,
}

struct State<M> {
    queue: VecDeque<Runnable<M>>,
    threads: usize,
    /// Join handles of live threads: shutdown joins them, so that when it
    /// returns no pool thread still holds the runtime (and its epoll fd).
    /// A thread that exits while the runtime runs drops its own.
    handles: HashMap<ThreadId, thread::JoinHandle<()>>,
    idle: usize,
    /// Idle threads already signalled for a queued job.
    notified: usize,
    /// Threads started for a queued job that have not taken one yet.
    starting: usize,
    shutdown: bool,
}

impl<M> Default for State<M> {
    fn default() -> State<M> {
        State {
            queue: VecDeque::new(),
            threads: 0,
            handles: HashMap::new(),
            idle: 0,
            notified: 0,
            starting: 0,
            shutdown: false,
        }
    }
}

impl<M: Clone + Send + Sync + 'static> BlockingPool<M> {
    pub(crate) fn new(
        max_threads: usize,
        keep_alive: Duration,
        thread_name: NameFn,
        stack_size: Option<usize>,
        run_thread: RunThread<M>,
        after_job: AfterJob,
    ) -> BlockingPool<M> {
        BlockingPool {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            exited: Condvar::new(),
            max_threads: max_threads.max(1),
            keep_alive,
            thread_name,
            stack_size,
            run_thread,
            after_job,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<M>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a job, waking an idle thread or starting one, which runs in
    /// the job's runtime (its metadata, see [`RunThread`]).
    pub(crate) fn schedule(self: &Arc<Self>, runnable: Runnable<M>) {
        let mut state = self.lock();
        if state.shutdown {
            // Dropping the runnable cancels the job.
            return;
        }
        let mut unrunnable = None;
        if state.idle > state.notified {
            state.queue.push_back(runnable);
            state.notified += 1;
            self.work.notify_one();
        } else if state.threads < self.max_threads {
            let runtime = runnable.metadata().clone();
            state.queue.push_back(runnable);
            let pool = self.clone();
            let run_thread = self.run_thread;
            let mut builder = thread::Builder::new().name(thread_name(&self.thread_name));
            if let Some(size) = self.stack_size {
                builder = builder.stack_size(size);
            }
            let spawned = builder.spawn(move || run_thread(runtime, &mut || pool.run()));
            match spawned {
                Ok(thread) => {
                    state.threads += 1;
                    state.starting += 1;
                    state.handles.insert(thread.thread().id(), thread);
                }
                // Without a new thread the job waits for a busy one to
                // finish. With no thread at all, nothing would ever run
                // it: cancel it, so that its handle reports that instead
                // of waiting forever.
                Err(_) if state.threads == 0 => unrunnable = state.queue.pop_back(),
                Err(_) => {}
            }
        } else {
            state.queue.push_back(runnable);
        }
        drop(state);
        // Dropped (cancelled) without the lock: that drops the closure.
        drop(unrunnable);
    }

    fn run(&self) {
        let mut state = self.lock();
        state.starting -= 1;
        loop {
            if let Some(runnable) = state.queue.pop_front() {
                drop(state);
                runnable.run();
                (self.after_job)();
                state = self.lock();
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (next, timeout) = self
                .work
                .wait_timeout(state, self.keep_alive)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            state.idle -= 1;
            if state.notified > 0 {
                state.notified -= 1;
            } else if timeout.timed_out() && state.queue.is_empty() {
                break;
            }
        }
        state.threads -= 1;
        if !state.shutdown {
            // Nobody will join this thread: detach it.
            state.handles.remove(&thread::current().id());
        }
        self.exited.notify_all();
    }

    /// Cancels the queued jobs no thread was promised to, and waits until
    /// `deadline` for the others and for running ones. Returns whether
    /// every thread exited in time.
    ///
    /// A job for which a thread was started or an idle one signalled still
    /// runs, as in tokio, whose pool threads take their job before they
    /// look at the shutdown flag: a `spawn_blocking` call that returned
    /// before the shutdown began has its job run.
    ///
    /// Called from one of the pool's own threads (a job dropped the
    /// runtime), it does not wait for that thread, which cannot exit
    /// before this returns.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>) -> bool {
        let mut state = self.lock();
        state.shutdown = true;
        let promised = (state.starting + state.notified).min(state.queue.len());
        let queued = state.queue.split_off(promised);
        self.work.notify_all();
        drop(state);
        drop(queued);
        let mut state = self.lock();
        let current = thread::current().id();
        let own = usize::from(state.handles.contains_key(&current));
        while state.threads > own {
            state = match deadline {
                None => self.exited.wait(state).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) => {
                        self.exited
                            .wait_timeout(state, left)
                            .unwrap_or_else(|e| e.into_inner())
                            .0
                    }
                    None => break,
                },
            };
        }
        let all_exited = state.threads == own;
        let mut handles = std::mem::take(&mut state.handles);
        // Joining itself would deadlock: the thread detaches instead.
        handles.remove(&current);
        drop(state);
        // Threads that left `run` finish by dropping their runtime handle;
        // wait for that. Ones still running a job past the deadline are
        // left to finish in the background.
        for thread in handles.into_values() {
            if all_exited || thread.is_finished() {
                let _ = thread.join();
            }
        }
        all_exited
    }

    pub(crate) fn threads(&self) -> usize {
        self.lock().threads
    }
}
