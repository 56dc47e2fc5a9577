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

use crate::executor::join_handle::JoinHandle;
use crate::executor::scheduler::{Runnable, Shared};
use crate::executor::task_future::TaskFuture;

/// Runs a thread's body as one of `runtime`'s threads: in its context,
/// between its start and stop hooks. The runtime passes it in, so this
/// module needs nothing above the scheduler.
pub(crate) type RunThread = fn(Arc<Shared>, &mut dyn FnMut());
use crate::executor::task_id::Id;
use crate::io::reactor::Reactor;

/// Holds off the paused clock's auto-advance while it lives.
struct InhibitAutoAdvance(Arc<Reactor>);

impl InhibitAutoAdvance {
    fn new(reactor: &Arc<Reactor>) -> InhibitAutoAdvance {
        reactor.inhibit_auto_advance();
        InhibitAutoAdvance(reactor.clone())
    }
}

impl Drop for InhibitAutoAdvance {
    fn drop(&mut self) {
        self.0.allow_auto_advance();
    }
}

pub(crate) struct BlockingPool {
    state: Mutex<State>,
    /// Signalled when a job is queued or the pool shuts down.
    work: Condvar,
    /// Signalled when a thread exits.
    exited: Condvar,
    max_threads: usize,
    keep_alive: Duration,
    thread_name: String,
    stack_size: Option<usize>,
    run_thread: RunThread,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Runnable>,
    threads: usize,
    /// Join handles of live threads: shutdown joins them, so that when it
    /// returns no pool thread still holds the runtime (and its epoll fd).
    /// A thread that exits while the runtime runs drops its own.
    handles: HashMap<ThreadId, thread::JoinHandle<()>>,
    idle: usize,
    /// Idle threads already signalled for a queued job.
    notified: usize,
    shutdown: bool,
}

impl BlockingPool {
    pub(crate) fn new(
        max_threads: usize,
        keep_alive: Duration,
        thread_name: String,
        stack_size: Option<usize>,
        run_thread: RunThread,
    ) -> BlockingPool {
        BlockingPool {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            exited: Condvar::new(),
            max_threads: max_threads.max(1),
            keep_alive,
            thread_name,
            stack_size,
            run_thread,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `f` on `runtime`'s pool. The job holds only a weak reference
    /// to the runtime (its metadata, as for any task), so a `JoinHandle`
    /// kept around keeps neither the runtime nor its pool alive; once the
    /// runtime is gone, scheduling the job drops (cancels) it.
    pub(crate) fn spawn<F, R>(runtime: &Arc<Shared>, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let schedule = |runnable: Runnable| {
            if let Some(shared) = runnable.metadata().upgrade() {
                shared.blocking.schedule(runnable, &shared);
            }
        };
        // A blocking job is work in progress a paused clock must wait for
        // (it may be about to arm a timer): no auto-advance until it ends.
        let inhibit = InhibitAutoAdvance::new(&runtime.reactor);
        let id = Id::next();
        let (runnable, task) = async_task::Builder::new()
            .metadata(Arc::downgrade(runtime))
            .spawn(
                |_| {
                    TaskFuture::new(
                        async move {
                            let _inhibit = inhibit;
                            f()
                        },
                        id,
                    )
                },
                schedule,
            );
        runnable.schedule();
        JoinHandle::new(task.fallible(), id)
    }

    fn schedule(self: &Arc<Self>, runnable: Runnable, runtime: &Arc<Shared>) {
        let mut state = self.lock();
        if state.shutdown {
            // Dropping the runnable cancels the job.
            return;
        }
        let mut unrunnable = None;
        state.queue.push_back(runnable);
        if state.idle > state.notified {
            state.notified += 1;
            self.work.notify_one();
        } else if state.threads < self.max_threads {
            let runtime = runtime.clone();
            let pool = self.clone();
            let run_thread = self.run_thread;
            let mut builder = thread::Builder::new().name(self.thread_name.clone());
            if let Some(size) = self.stack_size {
                builder = builder.stack_size(size);
            }
            let spawned = builder.spawn(move || run_thread(runtime, &mut || pool.run()));
            match spawned {
                Ok(thread) => {
                    state.threads += 1;
                    state.handles.insert(thread.thread().id(), thread);
                }
                // Without a new thread the job waits for a busy one to
                // finish. With no thread at all, nothing would ever run
                // it: cancel it, so that its handle reports that instead
                // of waiting forever.
                Err(_) if state.threads == 0 => unrunnable = state.queue.pop_back(),
                Err(_) => {}
            }
        }
        drop(state);
        // Dropped (cancelled) without the lock: that drops the closure.
        drop(unrunnable);
    }

    fn run(&self) {
        let mut state = self.lock();
        loop {
            if let Some(runnable) = state.queue.pop_front() {
                drop(state);
                runnable.run();
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

    /// Cancels queued jobs and waits until `deadline` for running ones.
    /// Returns whether every thread exited in time.
    ///
    /// Called from one of the pool's own threads (a job dropped the
    /// runtime), it does not wait for that thread, which cannot exit
    /// before this returns.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>) -> bool {
        let mut state = self.lock();
        state.shutdown = true;
        let queued = std::mem::take(&mut state.queue);
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
