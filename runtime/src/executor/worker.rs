//! A worker: runs tasks from its LIFO slot, its local queue, the injector
//! and other workers' queues, and when there is nothing to do, drives the
//! reactor or sleeps.
//!
//! # The protocol
//!
//! The multi-thread runtime has N workers, each a dedicated thread; the
//! current-thread runtime has one, run by the thread inside `block_on`
//! for the length of the call. Both run the loop below.
//!
//! ## Queues
//!
//! - **LIFO slot**: a task woken (or spawned) by the task being polled
//!   runs next, while the data it was sent is in cache. At most
//!   [`MAX_LIFO_POLLS`] in a row, so two tasks waking each other cannot
//!   starve the rest; other workers cannot steal it. On the current-thread
//!   runtime it takes a task only while nothing else waits (slot and
//!   queue empty), so tasks run in the order they were woken, as in
//!   tokio's current-thread scheduler: there the slot only spares the next
//!   task a trip through the queue (see `Worker::lifo_may_take`).
//! - **Local queue** (FIFO): tasks woken or spawned on this worker's
//!   thread. Two kinds, behind one interface ([`RunQueue`]), so the loop
//!   is the same:
//!   - *multi-thread*, stealable: bounded ([`LOCAL_QUEUE_CAPACITY`]);
//!     full, its older half moves to the injector. Searching workers
//!     steal half of it, so every push and pop is atomic.
//!   - *current-thread*, owned: a plain `VecDeque`, unbounded, touched
//!     only by the thread holding the core (the one inside `block_on`).
//!     A task woken or spawned on that thread goes there with no atomic
//!     operation and no wake-up of anybody (there is no other worker);
//!     from any other thread it goes to the injector, which unparks the
//!     core. The injector gives its tasks one at a time (no batch moves
//!     to the local queue: there is nobody to share them with). When
//!     `block_on` returns (or unwinds), the LIFO slot goes to the back of
//!     the queue and the queue waits in `Shared::core_queue` for the next
//!     `block_on`, on whichever thread: a core handed over keeps its
//!     queue. The hand-back happens after the thread stops being the
//!     worker, so nothing can be pushed to a queue that has left.
//! - **Injector** (FIFO): tasks woken from other threads, and overflow.
//!
//! ## Fairness, as bounds in polls
//!
//! Each *tick* takes one task and polls it, plus at most
//! [`MAX_LIFO_POLLS`] tasks of the LIFO slot. Every `global_queue_interval`
//! ticks the worker counts both queues, and of the next
//! `global_queue_interval` ticks, the injector's share of the waiting
//! tasks (at least one, at most one in [`INJECTOR_SHARE_LIMIT`]) take their
//! task from the injector first; the others take from the local queue,
//! then the injector, then by stealing. So:
//!
//! - a task in the local queue is polled after at most
//!   `n × (1 + MAX_LIFO_POLLS)` other polls, plus the injector's turns
//!   meanwhile, where `n` is the number of tasks ahead of it: at most
//!   `LOCAL_QUEUE_CAPACITY` on the stealable queue; on the owned one, as
//!   many as were queued (it has no bound, as in tokio's current-thread
//!   runtime, so a burst of spawns waits there rather than going through
//!   the injector and back);
//! - under overload a task in the injector waits for at most about
//!   `INJECTOR_SHARE_LIMIT` times as many ticks as there are tasks ahead
//!   of it in either queue, and is not overtaken indefinitely by tasks the
//!   reactor keeps waking: the injector is served in proportion to the
//!   queues' lengths up to one tick in `INJECTOR_SHARE_LIMIT`;
//! - the reactor and timers are polled (without blocking) every
//!   `event_interval` ticks and whenever the queues run dry, and by a
//!   `block_in_place` stand-in at its first tick (so that a stream of
//!   tasks that each block in place, each getting a fresh stand-in, cannot
//!   keep the count from ever reaching a poll).
//!
//! Why a limit on the injector's share: serving the two queues strictly in
//! proportion to their lengths, every task waits one pass over all of
//! them, which is the fairest order, but then every poll of an overloaded
//! worker touches a task (and its connection's buffers) last touched a
//! whole pass ago, out of the CPU's caches. Tokio goes the other way: it
//! serves its local queue 60 ticks in 61, so the tasks there, the ones its
//! worker woke last, stay in cache, and a task in its injector may wait 61
//! times its turn. The limit keeps most ticks on the local queue while no
//! task waits more than a fixed multiple of its fair turn.
//!
//! None of these bounds depends on the speed of the host.
//!
//! ## Deferred tasks
//!
//! A task that calls `yield_now`, or whose budget ran out, is not queued
//! again at once: the worker keeps it aside, *deferred*, and queues it
//! only after its next poll of the reactor and timers (the task itself
//! when the yield was its own, otherwise the waker it yielded with; see
//! `defer.rs`). So a task that keeps yielding (or a socket that is always
//! ready) cannot keep I/O and timers of the other tasks from being
//! noticed. While a task is deferred the worker never blocks in the
//! reactor. A worker that lets its place go (`block_in_place`, the end of
//! `block_on`) first queues its deferred tasks there with its LIFO slot.
//!
//! ## Idle protocol (see `idle.rs`)
//!
//! A worker without local work becomes *searching* (at most half the
//! workers at once) and steals. A searcher that finds work stops searching
//! and, if it was the last searcher, wakes a sleeper to carry on: a burst
//! of work reaches every worker in as many hops, one wake-up at a time. A
//! worker that wakes tasks with the reactor and has more than one queued
//! also wakes a sleeper. Work pushed from outside wakes a sleeper only if
//! nobody searches. A worker parks only after counting itself out of the
//! unparked (and searching) workers; the last searcher to park checks
//! every queue once more, so no work is left with everybody asleep. It
//! then runs its `on_thread_park` hook, and if that handed it work (a task,
//! a deferred wake-up) only polls the reactor without blocking. Otherwise
//! it blocks unless a notification is already there, or arrives, while
//! a thread that may hand it work is awake (another worker, or the one
//! whose notification ended its last sleep), within a watch of the state
//! word as long as one yield and then a few yields of its thread (see
//! `park.rs`).
//!
//! ## Shutdown: the closed state
//!
//! `Shared::close` sets one flag, `closed`, and wakes every worker.
//! Invariants once it is set:
//!
//! 1. No task is polled again, and no queue keeps one. A worker drops,
//!    instead of polling, any task it takes (from a queue or its LIFO
//!    slot) once the flag is set. `schedule` and `push_remote` drop
//!    (cancel) the task they are given instead of queueing it; one that
//!    pushed before seeing the flag re-checks it after the push and drains
//!    the queue itself. Each worker, at its next tick, drops its LIFO slot,
//!    its deferred list and its local queue and exits; the runtime's
//!    shutdown drains the injector, every stealable queue and a
//!    current-thread queue waiting in `Shared::core_queue` before it
//!    waits for any thread (a blocking job may be waiting on one of those
//!    tasks), and once more after. A
//!    `block_on` handing that queue back re-checks the flag after putting
//!    it there and drops its tasks itself if it is set (as a push does).
//! 2. No spawn adds a task: `Shared::spawn` returns a handle to a task
//!    that is cancelled at once and in no set.
//! 3. Every unfinished task is woken once (the task set), so each is
//!    scheduled, and so dropped: its future is dropped, its `JoinHandle`
//!    resolves as cancelled. A task running while that happens (it may be
//!    the one that dropped the runtime) is scheduled when its poll ends,
//!    and dropped then.
//! 4. The reactor refuses new registrations and new timers, and hands
//!    back every stored waker to be woken (and so cancelled).
//!
//! The runtime's `shutdown` waits for every worker thread but its own (a
//! runtime may be dropped from one of its tasks; on a `block_in_place`
//! stand-in, "its own" is the worker whose place it holds, which waits for
//! the stand-in), and for the blocking pool (likewise, but for the current
//! blocking thread). On the current-thread runtime, whose worker a
//! `block_on` on another thread may hold, it waits likewise until that
//! thread has dropped its tasks (at its next tick) or handed the worker
//! back.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use async_task::ScheduleInfo;

use crate::executor::park::PARK_YIELDS;
use crate::executor::scheduler::{Runnable, Shared, LOCAL_QUEUE_CAPACITY};
use crate::executor::{context, coop, defer, local_set};
use crate::io::reactor::Reactor;
use crate::trace::trace;

/// Tasks run in a row from the LIFO slot before it yields to the queue, so
/// two tasks waking each other cannot starve the rest (tokio's value).
const MAX_LIFO_POLLS: usize = 3;

/// The injector takes at most one tick in this many (rounded up) ahead of
/// the local queue, however long it is (see "Fairness, as bounds in
/// polls" above): a task there then waits at most about 8 times its fair
/// turn, where tokio's may wait 61 times (it takes one task from its
/// injector every 61 ticks), and 7 ticks in 8 serve the tasks this worker
/// woke last. A power of two between the fair order (1) and tokio's 61;
/// `benches/FINDINGS.md` (29) has what the choice was measured to buy.
const INJECTOR_SHARE_LIMIT: u32 = 8;

/// Ticks between two counts of the injector against the local queue (see
/// [`injector_share`]), on the multi-thread runtime. Tokio's starting
/// value for its interval between checks of the injector (its self-tuning,
/// by time, is left out on purpose: the bound stays a count of polls on
/// any host).
pub(crate) const MULTI_THREAD_GLOBAL_QUEUE_INTERVAL: u32 = 61;
/// The same on the current-thread runtime, tokio's value: with one worker,
/// every task spawned or woken from another thread waits in the injector.
pub(crate) const CURRENT_THREAD_GLOBAL_QUEUE_INTERVAL: u32 = 31;
/// Ticks between two non-blocking polls of the reactor while tasks keep
/// coming (tokio's value).
pub(crate) const EVENT_INTERVAL: u32 = 61;

/// Of the next `interval` ticks, how many take their task from the
/// injector ahead of the local queue: at least one, and under overload the
/// injector's share of the tasks waiting in both, rounded up, but at most
/// one tick in [`INJECTOR_SHARE_LIMIT`]. Up to that limit the two queues
/// drain at the same rate relative to their lengths; beyond it the local
/// queue goes faster, and a task in the injector waits at most
/// `INJECTOR_SHARE_LIMIT` times as long as in the fair order. Either way
/// the injector is never starved by a local queue that the reactor keeps
/// refilling. (When the local queue runs dry, the ticks left take from the
/// injector too, whatever its share.)
fn injector_share(interval: u32, injector: usize, local: usize) -> u32 {
    if injector == 0 {
        return 0;
    }
    let (injector, local) = (injector as u128, local as u128);
    let share = (u128::from(interval) * injector).div_ceil(injector + local);
    let limit = interval.div_ceil(INJECTOR_SHARE_LIMIT);
    share.clamp(1, limit.into()) as u32
}

/// Counts a tick down on `left`; true on every `interval`th tick, when
/// it starts over. A decrement, where `tick % interval` would be an
/// integer division (by a value known only at run time) on every tick.
fn count_down(left: &Cell<u32>, interval: u32) -> bool {
    let next = left.get().saturating_sub(1);
    if next == 0 {
        left.set(interval);
        true
    } else {
        left.set(next);
        false
    }
}

/// The per-thread half of a worker.
struct Worker {
    index: usize,
    shared: Arc<Shared>,
    /// Where tasks woken on this worker wait.
    queue: RunQueue,
    /// The task most recently woken by the running task.
    lifo: Cell<Option<Runnable>>,
    /// Tasks that deferred themselves while polled (see `defer.rs`): they
    /// are queued after the next reactor poll, with the deferred wakers.
    deferred: RefCell<Vec<Runnable>>,
    /// A task is being polled right now (wakes go to the LIFO slot).
    polling: Cell<bool>,
    /// Counted among the searching workers (see `idle.rs`).
    searching: Cell<bool>,
    /// Ticks left until the next non-blocking poll of the reactor.
    until_event: Cell<u32>,
    /// Ticks left until the next count of the injector against the local
    /// queue.
    until_injector_count: Cell<u32>,
    /// Of the ticks until the next check of the injector, how many still
    /// take their task from it first (see [`injector_share`]).
    injector_turns: Cell<u32>,
    /// The current-thread runtime's `block_on` future was woken: it counts
    /// as work, like a queued task.
    main_woken: Option<Arc<MainWaker>>,
    /// Set on a stand-in (see [`block_in_place`]): when it turns true, the
    /// stand-in hands its place back.
    stop: RefCell<Option<Arc<AtomicBool>>>,
    /// State of the generator that picks the first victim to steal from.
    rng: Cell<u32>,
    polled: Cell<u64>,
    stolen: Cell<u64>,
    parks: Cell<u64>,
    /// Whether the last sleep was ended by a notification: another thread
    /// handed this worker work (see `park::PARK_YIELDS`).
    woken_by_thread: Cell<bool>,
    /// Since when the worker has been busy (out of park) without that time
    /// being added to its place's `busy_nanos`.
    busy_since: Cell<Instant>,
}

/// A worker's own run queue. The loop is the same on both; only the
/// queue, and who may take from it, differ.
enum RunQueue {
    /// The multi-thread runtime's: this worker's `Shared::locals` entry,
    /// bounded, which searching workers steal from.
    Stealable,
    /// The current-thread runtime's: a deque only the thread holding the
    /// core ever touches, so pushes and pops are plain memory operations.
    /// Unbounded, as there is no other worker to overflow to. Between two
    /// `block_on` calls it waits in `Shared::core_queue`.
    Owned(RefCell<VecDeque<Runnable>>),
}

thread_local! {
    static WORKER: RefCell<Option<Rc<Worker>>> = const { RefCell::new(None) };
}

/// The worker the current thread is, if any (none while the thread's
/// locals are being destroyed).
fn current() -> Option<Rc<Worker>> {
    WORKER.try_with(|w| w.borrow().clone()).ok().flatten()
}

/// Whether the current thread is a worker (of any runtime).
pub(crate) fn is_worker_thread() -> bool {
    WORKER.try_with(|w| w.borrow().is_some()).unwrap_or(false)
}

/// Queues a woken task on the current worker, if the current thread is a
/// worker of the task's runtime; otherwise gives the task back.
pub(crate) fn schedule_local(
    shared: *const Shared,
    runnable: Runnable,
    info: ScheduleInfo,
) -> Result<(), Runnable> {
    let worker = WORKER.try_with(|w| {
        w.borrow()
            .as_ref()
            .filter(|w| std::ptr::eq(shared, Arc::as_ptr(&w.shared)))
            .cloned()
    });
    match worker {
        Ok(Some(worker)) => {
            worker.schedule(runnable, info);
            Ok(())
        }
        _ => Err(runnable),
    }
}

/// Body of a worker thread; returns when the runtime shuts down.
pub(crate) fn run(shared: Arc<Shared>, index: usize) {
    let worker = Rc::new(Worker::new(shared, index, RunQueue::Stealable, None));
    let _installed = Installed::new(worker.clone());
    worker.run();
}

/// Runs `future` on the current thread as the current-thread runtime's one
/// worker, running the runtime's tasks and driving its reactor meanwhile.
/// Returns `None` at once if another thread holds the worker.
pub(crate) fn block_on<F: Future + ?Sized>(shared: &Arc<Shared>, future: Pin<&mut F>) -> Option<F::Output> {
    if shared
        .core_taken
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return None;
    }
    let main = Arc::new(MainWaker {
        woken: AtomicBool::new(true),
        shared: Arc::downgrade(shared),
    });
    let queue = RunQueue::Owned(RefCell::new(shared.take_core_queue()));
    let worker = Rc::new(Worker::new(shared.clone(), 0, queue, Some(main.clone())));
    // Dropped after `_installed`: the queue is handed back only once no
    // wake on this thread can reach the worker any more (they go to the
    // injector then).
    let _core = CoreGuard(&worker);
    let _installed = Installed::new(worker.clone());
    let waker = Waker::from(main);
    Some(worker.block_on(future, &waker))
}

/// Runs the blocking function `f` on the current worker thread, after
/// handing the worker's place to a stand-in thread, as tokio does: the
/// stand-in runs this worker's queue and drives the reactor meanwhile, so
/// every other task keeps running even on a runtime with one worker
/// thread, and `f` may itself block on the runtime
/// (`Handle::current().block_on(...)`).
///
/// When `f` returns, the stand-in finishes the task it is polling and
/// hands the place back; the current task then goes on. (Tokio lets the
/// task go on at once on a thread without a worker's place; waiting for
/// the stand-in keeps one thread per place.) If no thread can be started,
/// the other workers steal this one's queue instead. Outside a runtime
/// worker, `f` just runs.
///
/// # Panics
///
/// On the current-thread runtime, whose one thread would stall every task,
/// and inside a [`LocalSet`](crate::LocalSet), whose `!Send` tasks would
/// stall with it, the set being bound to this thread (both as in tokio).
///
/// ```
/// # edgeio_runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap().block_on(async {
/// # edgeio_runtime::spawn(async {
/// let handle = edgeio_runtime::Handle::current();
/// // Blocks this worker's thread, not the runtime: the stand-in runs the
/// // spawned task.
/// let answer = edgeio_runtime::block_in_place(|| {
///     handle.block_on(async { edgeio_runtime::spawn(async { 42 }).await.unwrap() })
/// });
/// assert_eq!(answer, 42);
/// # }).await.unwrap();
/// # });
/// ```
#[track_caller]
pub fn block_in_place<F: FnOnce() -> R, R>(f: F) -> R {
    const NOT_HERE: &str = "can call blocking only when running on the multi-threaded runtime";
    // Checked first: a set may be run by `block_on`'s thread, no worker.
    assert!(!local_set::is_entered(), "{NOT_HERE}");
    let Some(worker) = current() else {
        return f();
    };
    assert!(!worker.shared.config.current_thread, "{NOT_HERE}");
    worker.requeue_held();
    // This thread is no worker until `f` returns: wakes from it go to the
    // injector, and yields inside `f` (a `block_on` there) are not kept
    // for a reactor poll this thread will not make.
    let installed = WORKER.with(|w| w.borrow_mut().take());
    let deferred = defer::disable();
    let stand_in = StandIn::start(&worker);
    if stand_in.is_none() {
        worker.shared.notify_parked();
    }
    let _back = HandBack {
        installed,
        stand_in,
        _deferred: deferred,
    };
    f()
}

/// A thread in a blocked worker's place (see [`block_in_place`]).
struct StandIn {
    shared: Arc<Shared>,
    index: usize,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl StandIn {
    fn start(worker: &Worker) -> Option<StandIn> {
        let shared = worker.shared.clone();
        let index = worker.index;
        let stop = Arc::new(AtomicBool::new(false));
        let mut builder = std::thread::Builder::new();
        if let Some(name) = std::thread::current().name() {
            builder = builder.name(name.to_owned());
        }
        let thread = {
            let (shared, stop) = (shared.clone(), stop.clone());
            builder
                .spawn(move || {
                    context::run_thread(shared.clone(), || {
                        let worker = Rc::new(Worker::new(shared, index, RunQueue::Stealable, None));
                        // Its first tick polls the reactor and timers. The
                        // place's worker may have been near its next poll,
                        // and a chain of stand-ins that each run a task or
                        // two (every task blocking in place) would otherwise
                        // never count up to one: the interval bounds a
                        // place's ticks between polls only if a new
                        // stand-in does not start the count afresh.
                        worker.until_event.set(1);
                        *worker.stop.borrow_mut() = Some(stop);
                        worker.load_stats();
                        let _installed = Installed::new(worker.clone());
                        worker.run();
                    });
                })
                .ok()?
        };
        Some(StandIn {
            shared,
            index,
            stop,
            thread,
        })
    }

    /// Asks the stand-in to hand the place back, and waits until it has.
    fn stop(self) {
        self.stop.store(true, Ordering::Release);
        self.shared.unparkers[self.index].unpark(&self.shared.reactor);
        let _ = self.thread.join();
    }
}

/// Takes the worker's place back when `f` returns or unwinds.
struct HandBack {
    installed: Option<Rc<Worker>>,
    stand_in: Option<StandIn>,
    _deferred: defer::Enabled,
}

impl Drop for HandBack {
    fn drop(&mut self) {
        if let Some(stand_in) = self.stand_in.take() {
            stand_in.stop();
        }
        if let Some(worker) = &self.installed {
            // Count on from where the stand-in left the place's counters.
            worker.load_stats();
        }
        let worker = self.installed.take();
        let _ = WORKER.try_with(|w| *w.borrow_mut() = worker);
    }
}

/// Makes a worker the current thread's for as long as it lives, with a
/// deferred list of its own.
struct Installed {
    previous: Option<Rc<Worker>>,
    _deferred: defer::Enabled,
}

impl Installed {
    fn new(worker: Rc<Worker>) -> Installed {
        let previous = WORKER.with(|w| w.borrow_mut().replace(worker));
        Installed {
            previous,
            _deferred: defer::enable(),
        }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = WORKER.try_with(|w| *w.borrow_mut() = previous);
    }
}

/// Hands the current-thread runtime's worker back when `block_on` ends,
/// or unwinds: what it still holds stays queued for the next `block_on`.
struct CoreGuard<'a>(&'a Rc<Worker>);

impl Drop for CoreGuard<'_> {
    fn drop(&mut self) {
        let worker = self.0;
        worker.requeue_held();
        // Leave the idle counts as a running worker's: a next `block_on`
        // starts afresh, not searching.
        worker.transition_from_searching();
        worker.publish_stats();
        if let RunQueue::Owned(queue) = &worker.queue {
            worker.shared.put_core_queue(queue.take());
        }
        worker.shared.core_taken.store(false, Ordering::SeqCst);
        // Other threads in `block_on` may take the worker now, and a
        // shutdown waiting for its tasks to go may return.
        worker.shared.core_released(false);
        let waiting = std::mem::take(&mut *worker.shared.lock_core_waiters());
        for waker in waiting {
            waker.wake();
        }
    }
}

/// The waker of the current-thread runtime's `block_on` future.
struct MainWaker {
    woken: AtomicBool,
    shared: Weak<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.woken.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(shared) = self.shared.upgrade() {
            // From the worker's own thread it is running, not asleep; from
            // another thread, it may sleep.
            let here = schedule_is_local(&shared);
            if !here {
                shared.unparkers[0].unpark(&shared.reactor);
            }
        }
    }
}

/// Whether the current thread is a worker of `shared`.
fn schedule_is_local(shared: &Arc<Shared>) -> bool {
    current().is_some_and(|w| Arc::ptr_eq(&w.shared, shared))
}

/// The index of the worker place the current thread holds in `shared`'s
/// runtime, as its worker or as a `block_in_place` stand-in, if any.
pub(crate) fn current_place(shared: &Arc<Shared>) -> Option<usize> {
    current()
        .filter(|w| Arc::ptr_eq(&w.shared, shared))
        .map(|w| w.index)
}

/// Whether the current thread is a worker of the runtime whose reactor is
/// `reactor`, polling one of its spawned tasks: after that runtime's
/// shutdown, such a task is on its way to being cancelled. Not the
/// current-thread runtime's `block_on` future, nor the `spawn_local` tasks
/// it runs: those belong to the caller, not to the runtime's task set.
pub(crate) fn is_polling_task_of(reactor: &Arc<Reactor>) -> bool {
    current().is_some_and(|w| w.polling.get() && Arc::ptr_eq(&w.shared.reactor, reactor))
}

impl Worker {
    fn new(shared: Arc<Shared>, index: usize, queue: RunQueue, main_woken: Option<Arc<MainWaker>>) -> Worker {
        let config = shared.config;
        Worker {
            index,
            shared,
            queue,
            lifo: Cell::new(None),
            deferred: RefCell::new(Vec::new()),
            polling: Cell::new(false),
            searching: Cell::new(false),
            until_event: Cell::new(config.event_interval),
            until_injector_count: Cell::new(config.global_queue_interval),
            injector_turns: Cell::new(0),
            main_woken,
            stop: RefCell::new(None),
            // Any odd seed will do; the index spreads first victims apart.
            rng: Cell::new(0x9E37_79B9 ^ (index as u32).wrapping_mul(0x85EB_CA6B) | 1),
            polled: Cell::new(0),
            stolen: Cell::new(0),
            parks: Cell::new(0),
            woken_by_thread: Cell::new(false),
            busy_since: Cell::new(Instant::now()),
        }
    }

    fn local(&self) -> &crossbeam_queue::ArrayQueue<Runnable> {
        &self.shared.locals[self.index]
    }

    /// Whether other workers can take what this one queues (and so may
    /// have to be woken for it). The current-thread runtime's one worker
    /// has nobody to wake: it runs its queue itself.
    fn shares_queue(&self) -> bool {
        matches!(self.queue, RunQueue::Stealable)
    }

    fn schedule(&self, runnable: Runnable, info: ScheduleInfo) {
        if self.shared.is_closed() {
            // Dropping the runnable cancels the task.
            return;
        }
        if !self.polling.get() {
            // Woken by the reactor, the timers or the deferred list on
            // this worker: the park that did it notifies others once for
            // the whole batch.
            self.push_local(runnable);
            return;
        }
        if info.woken_while_running {
            if defer::take_polled_task_deferred() {
                // It yielded: it runs after the next reactor poll.
                self.deferred.borrow_mut().push(runnable);
                return;
            }
            // The task woke itself: to the back of the queue.
            self.push_local(runnable);
        } else if !self.lifo_may_take() {
            // The current-thread queue's order: behind the tasks waiting.
            self.push_local(runnable);
        } else {
            // Woken or spawned by the running task: keep it hot.
            match self.lifo.replace(Some(runnable)) {
                Some(previous) => self.push_local(previous),
                None => return,
            }
        }
        if self.shares_queue() {
            self.shared.notify_parked();
        }
    }

    /// Whether a task woken by the running task may go to the LIFO slot,
    /// ahead of the local queue. Always with a stealable queue. With the
    /// owned one, only while nothing waits, in the slot or the queue: its
    /// tasks then run in the order they were woken, as in tokio's
    /// current-thread scheduler (which has no LIFO slot), and the slot is
    /// only a shortcut past the queue for the next task when it is the
    /// only one. Running a woken task ahead of all the others would make
    /// a task that joins many others (a `JoinSet`, a loop over
    /// `JoinHandle`s) run again after each of them finishes, instead of
    /// once after all of them; with one worker, nobody else runs them
    /// meanwhile.
    fn lifo_may_take(&self) -> bool {
        let RunQueue::Owned(queue) = &self.queue else {
            return true;
        };
        !self.lifo_occupied() && queue.borrow().is_empty()
    }

    /// Whether the LIFO slot holds a task.
    fn lifo_occupied(&self) -> bool {
        // A `Cell` is peeked at by taking its value and putting it back.
        let lifo = self.lifo.take();
        let occupied = lifo.is_some();
        self.lifo.set(lifo);
        occupied
    }

    /// Puts the LIFO slot's task, if any, back in the local queue: at the
    /// back of a stealable queue (it is the newest task there), at the
    /// front of the owned one (it is the oldest: the slot takes a task
    /// only while that queue is empty).
    fn requeue_lifo(&self) {
        let Some(task) = self.lifo.take() else {
            return;
        };
        match &self.queue {
            RunQueue::Owned(queue) => queue.borrow_mut().push_front(task),
            RunQueue::Stealable => self.push_local(task),
        }
    }

    /// Before this worker lets its place go (to a stand-in, back from
    /// one, or at the end of `block_on`): puts every task only it holds,
    /// in the LIFO slot and among the deferred, in the place's queue,
    /// where whoever runs the place next finds them.
    fn requeue_held(&self) {
        self.requeue_lifo();
        self.queue_deferred();
    }

    /// Queues the tasks that deferred themselves, in the order they did.
    fn queue_deferred(&self) {
        // Queueing never defers a task, so the list stays borrowed (and
        // keeps its capacity) throughout.
        for runnable in self.deferred.borrow_mut().drain(..) {
            self.push_local(runnable);
        }
    }

    /// Whether tasks wait for the next reactor poll.
    fn has_deferred(&self) -> bool {
        !defer::is_empty() || !self.deferred.borrow().is_empty()
    }

    /// Pushes to the local queue. A full stealable queue first moves its
    /// older half to the injector, where any worker can take it.
    fn push_local(&self, runnable: Runnable) {
        let RunQueue::Owned(queue) = &self.queue else {
            return self.push_stealable(runnable);
        };
        queue.borrow_mut().push_back(runnable);
    }

    fn push_stealable(&self, runnable: Runnable) {
        let Err(runnable) = self.local().push(runnable) else {
            return;
        };
        for _ in 0..LOCAL_QUEUE_CAPACITY / 2 {
            match self.local().pop() {
                Some(older) => self.shared.injector.push(older),
                None => break,
            }
        }
        if let Err(runnable) = self.local().push(runnable) {
            self.shared.injector.push(runnable);
        }
        self.shared.notify_parked();
    }

    fn pop_local(&self) -> Option<Runnable> {
        match &self.queue {
            RunQueue::Owned(queue) => queue.borrow_mut().pop_front(),
            RunQueue::Stealable => self.local().pop(),
        }
    }

    fn local_len(&self) -> usize {
        match &self.queue {
            RunQueue::Owned(queue) => queue.borrow().len(),
            RunQueue::Stealable => self.local().len(),
        }
    }

    /// Whether the local queue is empty: on the stealable queue, one look
    /// at its two ends, where `len` reads them until they agree.
    fn local_is_empty(&self) -> bool {
        match &self.queue {
            RunQueue::Owned(queue) => queue.borrow().is_empty(),
            RunQueue::Stealable => self.local().is_empty(),
        }
    }

    fn wake_deferred(&self) {
        defer::wake_all();
        self.queue_deferred();
    }

    /// The loop of a dedicated worker thread.
    fn run(&self) {
        while !self.shared.is_closed() && !self.stopped() {
            if !self.tick_once() {
                self.park();
            }
        }
        if self.shared.is_closed() {
            self.shutdown_local();
        } else {
            // A stand-in handing its place back: what it holds stays in
            // the place's queue, and it counts as neither searching nor
            // asleep, like the worker that takes the place back.
            self.requeue_held();
            self.transition_from_searching();
            self.publish_stats();
        }
    }

    /// Whether this stand-in was asked to hand its place back.
    fn stopped(&self) -> bool {
        self.stop
            .borrow()
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::Acquire))
    }

    /// The loop of the current-thread runtime's worker: `future` is polled
    /// whenever its waker fires, between the tasks.
    fn block_on<F: Future + ?Sized>(&self, mut future: Pin<&mut F>, waker: &Waker) -> F::Output {
        let main = self
            .main_woken
            .as_ref()
            .expect("block_on runs on the main worker");
        let mut cx = Context::from_waker(waker);
        loop {
            // A load first: the swap, a read-modify-write, only once woken.
            if main.woken.load(Ordering::Acquire) && main.woken.swap(false, Ordering::AcqRel) {
                let _budget = coop::budget();
                if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
            }
            if self.shared.is_closed() {
                // Shut down from another thread while we run: no task is
                // left to run, only the future to finish.
                self.shutdown_local();
                self.shared.core_released(true);
                if !main.woken.load(Ordering::Acquire) {
                    let _ = self.shared.unparkers[0].park(&self.shared.reactor, 0);
                }
                continue;
            }
            if !self.tick_once() {
                self.park();
            }
        }
    }

    /// Runs one task if there is one; returns `false` if there was none.
    fn tick_once(&self) -> bool {
        if count_down(&self.until_event, self.shared.config.event_interval) {
            self.poll_driver();
            self.publish_stats();
        }
        let task = self.next_task().or_else(|| self.steal_work());
        match task {
            Some(runnable) => {
                self.run_task(runnable);
                true
            }
            None => false,
        }
    }

    fn next_task(&self) -> Option<Runnable> {
        let interval = self.shared.config.global_queue_interval;
        if count_down(&self.until_injector_count, interval) {
            self.injector_turns.set(injector_share(
                interval,
                self.shared.injector.len(),
                self.local_len(),
            ));
        }
        let turns = self.injector_turns.get();
        if turns > 0 {
            self.injector_turns.set(turns - 1);
            if let Some(runnable) = self.shared.injector.pop() {
                return Some(runnable);
            }
        }
        self.pop_local().or_else(|| self.take_from_injector())
    }

    /// Takes a batch from the injector: one to run, and on a stealable
    /// queue this worker's fair share into it (up to half its capacity),
    /// where other workers can steal it. The current-thread worker takes
    /// one at a time: it has nobody to share with, and moving tasks to its
    /// own queue would only cost a push and a pop each.
    fn take_from_injector(&self) -> Option<Runnable> {
        let first = self.shared.injector.pop()?;
        if !self.shares_queue() {
            return Some(first);
        }
        let share = self.shared.injector.len() / self.shared.locals.len() + 1;
        let room = (LOCAL_QUEUE_CAPACITY / 2).saturating_sub(self.local().len());
        for _ in 0..share.min(room) {
            match self.shared.injector.pop() {
                Some(runnable) => self.push_local(runnable),
                None => break,
            }
        }
        Some(first)
    }

    /// Becomes a searcher (unless half the workers already search) and
    /// steals half of some other worker's queue, or takes from the
    /// injector.
    fn steal_work(&self) -> Option<Runnable> {
        if !self.searching.get() {
            if !self.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.searching.set(true);
        }
        let workers = self.shared.locals.len();
        let start = self.next_random() as usize % workers;
        for offset in 0..workers {
            let victim = (start + offset) % workers;
            if victim == self.index {
                continue;
            }
            let victim = &self.shared.locals[victim];
            let Some(first) = victim.pop() else { continue };
            let mut taken = 1;
            for _ in 0..victim.len() / 2 {
                match victim.pop() {
                    Some(runnable) => self.push_local(runnable),
                    None => break,
                }
                taken += 1;
            }
            self.stolen.set(self.stolen.get() + taken);
            return Some(first);
        }
        self.take_from_injector()
    }

    /// xorshift32: spreads the searchers' first victims, no more.
    fn next_random(&self) -> u32 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        x
    }

    /// Stops searching; the last searcher to find work wakes the next.
    fn transition_from_searching(&self) {
        if self.searching.replace(false) && self.shared.idle.transition_worker_from_searching() {
            self.shared.notify_parked();
        }
    }

    fn run_task(&self, runnable: Runnable) {
        self.transition_from_searching();
        self.poll_task(runnable);
        for _ in 0..MAX_LIFO_POLLS {
            match self.lifo.take() {
                Some(next) => self.poll_task(next),
                None => return,
            }
        }
        self.requeue_lifo();
    }

    fn poll_task(&self, runnable: Runnable) {
        if self.shared.is_closed() {
            // Taken from a queue (or the LIFO slot) just as the runtime
            // closed: cancelled, never polled again (invariant 1).
            drop(runnable);
            return;
        }
        #[cfg(feature = "tracing")]
        let _span = tracing::trace_span!(target: "edgeio", "poll", worker = self.index).entered();
        self.polling.set(true);
        let _budget = coop::budget();
        let task = runnable.into_raw();
        // SAFETY: `task` comes from `into_raw` on a runnable of this very
        // type, and is made into a runnable again only here, once.
        let runnable = unsafe { Runnable::from_raw(task) };
        // Its waker's data pointer is the task's (async-task's), which
        // lets a yield tell the task's own waker from any other.
        defer::polling(task.as_ptr());
        // The task's own panics are caught inside it (they go to its
        // JoinHandle); this catches the rest, e.g. a panicking `Drop` of its
        // output, so one bad task never takes the worker down.
        let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
        self.polling.set(false);
        self.polled.set(self.polled.get() + 1);
    }

    /// Work this worker has of its own.
    fn has_tasks(&self) -> bool {
        self.lifo_occupied()
            || !self.local_is_empty()
            || self
                .main_woken
                .as_ref()
                .is_some_and(|main| main.woken.load(Ordering::Acquire))
    }

    /// More queued here than this worker will run soon, and nobody
    /// searching: another worker should come and steal.
    fn should_notify_others(&self) -> bool {
        self.shares_queue() && !self.searching.get() && self.local().len() > 1
    }

    /// Polls I/O and timers without blocking, if no other worker holds the
    /// reactor's driver (it then either waits in `epoll_wait` and will see
    /// the events, or is about to), then wakes the deferred tasks behind
    /// what that poll woke.
    fn poll_driver(&self) {
        self.poll_reactor_now();
        self.wake_deferred();
        if self.should_notify_others() {
            self.shared.notify_parked();
        }
    }

    /// Polls I/O and timers without blocking, if no other worker holds the
    /// reactor's driver.
    fn poll_reactor_now(&self) {
        if let Some(mut driver) = self.shared.reactor.try_driver() {
            let _ = driver.wait(Some(Duration::ZERO));
            driver.wake();
        }
    }

    /// Nothing to run. With deferred tasks, only polls the reactor (they
    /// run after it); otherwise sleeps, in the reactor if its driver is
    /// free, until notified or woken by I/O or a timer.
    fn park(&self) {
        if self.has_deferred() {
            self.poll_driver();
            return;
        }
        if self.has_tasks() {
            return;
        }
        trace!(worker = self.index, "parking");
        let was_searching = self.searching.replace(false);
        if self
            .shared
            .idle
            .transition_worker_to_parked(self.index, was_searching)
            && self.shared.has_work_elsewhere(self.index)
        {
            // The last searcher leaves: whatever was pushed while it
            // searched must not wait for a worker that sleeps.
            self.shared.notify_parked();
        }
        self.parks.set(self.parks.get() + 1);
        self.publish_stats();
        let stats = &self.shared.stats[self.index];
        stats.park_unparks.fetch_add(1, Ordering::Relaxed);
        // Yields first only while a thread that may hand it work is awake:
        // another worker, or whichever thread ended the last sleep (see
        // `park::PARK_YIELDS`). The count is read once, as the yields only
        // save a wake-up and never decide one.
        let yields = if self.woken_by_thread.get() || self.shared.idle.unparked() > 0 {
            PARK_YIELDS
        } else {
            0
        };
        let hooks = &self.shared.hooks;
        loop {
            if let Some(on_park) = &hooks.on_park {
                on_park();
            }
            // The hook may have handed this worker work: spawned or woken
            // a task, or deferred a wake-up (a `yield_now` polled there).
            // Then it only looks at I/O and timers, as tokio's does, since
            // blocking would leave that work waiting for an unrelated event.
            let notified = if self.has_tasks() || self.has_deferred() {
                self.poll_reactor_now();
                false
            } else {
                self.shared.unparkers[self.index].park(&self.shared.reactor, yields)
            };
            self.woken_by_thread.set(notified);
            if let Some(on_unpark) = &hooks.on_unpark {
                on_unpark();
            }
            self.wake_deferred();
            if self.stopped() {
                self.unparked();
                // Off the sleepers; counted as searching if a notification
                // took it off first, which `run` then undoes.
                let was_asleep = self.shared.idle.unpark_worker_by_id(self.index);
                self.searching.set(!was_asleep);
                return;
            }
            if self.shared.is_closed() || self.transition_from_park() {
                break;
            }
        }
        self.unparked();
        if self.should_notify_others() {
            self.shared.notify_parked();
        }
    }

    /// After a wake-up: whether to run again. A worker woken by its own I/O
    /// or timers takes itself off the sleepers; one woken by a
    /// notification was taken off (and counted as searching) by its
    /// notifier; one woken for neither sleeps again.
    fn transition_from_park(&self) -> bool {
        if self.has_tasks() {
            let was_asleep = self.shared.idle.unpark_worker_by_id(self.index);
            self.searching.set(!was_asleep);
            return true;
        }
        if self.shared.idle.is_parked(self.index) {
            return false;
        }
        self.searching.set(true);
        true
    }

    /// The closed state: cancels what this worker holds.
    fn shutdown_local(&self) {
        drop(self.lifo.take());
        self.wake_deferred();
        while let Some(runnable) = self.pop_local() {
            drop(runnable);
        }
        self.publish_stats();
    }

    /// Takes the counters from what the worker's place last published.
    fn load_stats(&self) {
        let stats = &self.shared.stats[self.index];
        self.polled.set(stats.polled.load(Ordering::Relaxed));
        self.stolen.set(stats.stolen.load(Ordering::Relaxed));
        self.parks.set(stats.parks.load(Ordering::Relaxed));
        self.busy_since.set(Instant::now());
    }

    /// Publishes the counters, and the busy time since the last call
    /// (only ever called while the worker is out of park).
    fn publish_stats(&self) {
        let stats = &self.shared.stats[self.index];
        stats.polled.store(self.polled.get(), Ordering::Relaxed);
        stats.stolen.store(self.stolen.get(), Ordering::Relaxed);
        stats.parks.store(self.parks.get(), Ordering::Relaxed);
        let now = Instant::now();
        let busy = now.saturating_duration_since(self.busy_since.replace(now));
        let nanos = u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX);
        stats.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Back from park: counts the unpark, and busy time starts again.
    fn unparked(&self) {
        let stats = &self.shared.stats[self.index];
        stats.park_unparks.fetch_add(1, Ordering::Relaxed);
        self.busy_since.set(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Poll;

    use super::injector_share;

    /// `poll_task` notes a runnable's raw pointer so that a yield can tell
    /// the polled task's own waker from any other (`defer.rs`): that holds
    /// only while async-task's wakers carry the same pointer. Were that to
    /// change, every yield would take the slower path, unnoticed but here.
    #[test]
    fn a_task_waker_carries_its_runnable_pointer() {
        let seen = Arc::new(AtomicUsize::new(0));
        let (runnable, task) = {
            let seen = seen.clone();
            async_task::spawn(
                poll_fn(move |cx| {
                    seen.store(cx.waker().data() as usize, Ordering::SeqCst);
                    Poll::Ready(())
                }),
                |_| {},
            )
        };
        let raw = runnable.into_raw();
        // SAFETY: `raw` comes from `into_raw` on a runnable of this type,
        // and is made into one again only here, once.
        let runnable = unsafe { async_task::Runnable::<()>::from_raw(raw) };
        runnable.run();
        task.detach();
        assert_eq!(seen.load(Ordering::SeqCst), raw.as_ptr() as usize);
    }

    #[test]
    fn the_injector_gets_its_share_of_the_waiting_tasks() {
        assert_eq!(injector_share(61, 0, 200), 0);
        // At least one turn, whatever the local queue holds.
        assert_eq!(injector_share(61, 1, 256), 1);
        // In proportion to the lengths, rounded up...
        assert_eq!(injector_share(61, 20, 256), 5);
        assert_eq!(injector_share(61, 30, 200), 8);
        // ...up to one tick in `INJECTOR_SHARE_LIMIT`.
        assert_eq!(injector_share(61, 1744, 256), 8);
        assert_eq!(injector_share(61, 100, 100), 8);
        assert_eq!(injector_share(61, 5, 0), 8);
        assert_eq!(injector_share(31, usize::MAX, usize::MAX), 4);
        assert_eq!(injector_share(1, 5, 5), 1);
    }
}
