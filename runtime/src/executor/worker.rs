//! A worker thread: runs tasks from its local queue, its LIFO slot, the
//! injector and other workers' queues, and when there is nothing to do,
//! drives the reactor or sleeps (after a short spin, when a thread outside
//! the runtime has just been handing it work).

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_task::ScheduleInfo;

use crate::executor::coop;
use crate::executor::scheduler::{Runnable, Shared, LOCAL_QUEUE_CAPACITY};
use crate::trace::trace;

/// About this much polling separates two checks of the injector before the
/// local queue, so tasks spawned from outside (and connections past the hot
/// limit) are not starved by a busy local queue. Tokio's target, and for
/// the same reason a time rather than a count of ticks: the injector then
/// turns over at the same rate on a fast host or a slow one, at 64 B
/// requests or 16 KiB ones. Under overload every task it yields is a cold
/// one, so that rate is a trade between throughput and the tail, and at
/// tokio's rate the two runtimes tie on both (benches/FINDINGS.md, finding
/// 20). A fixed count of 61 ticks drained slower than tokio where ticks
/// were slow and faster where they were quick (finding 22).
const GLOBAL_QUEUE_TARGET: Duration = Duration::from_micros(200);
/// Bounds of the interval, in ticks, between two checks of the injector.
const MIN_GLOBAL_QUEUE_INTERVAL: u32 = 2;
const MAX_GLOBAL_QUEUE_INTERVAL: u32 = 127;
/// The interval before the first measurement of how long a tick takes.
const INITIAL_GLOBAL_QUEUE_INTERVAL: u32 = 61;
/// Every this many ticks a busy worker polls the reactor without blocking,
/// so I/O is noticed even when no worker is idle.
const EVENT_INTERVAL: u32 = 61;
/// Tasks run in a row from the LIFO slot before it yields to the queue, so
/// two tasks waking each other cannot starve the rest.
const MAX_LIFO_POLLS: usize = 3;
/// A task woken by the reactor joins the local queue while it holds fewer
/// tasks than this, and the back of the injector otherwise. Under overload
/// (more ready connections than this) the connections in the local queue
/// cycle quickly and their sockets and tasks stay in cache, which serving
/// every ready task in turn gives up (benches/FINDINGS.md, finding 18).
/// Half the local queue, so that moderate loads (64 or 100 busy
/// connections per worker) never reach it.
const HOT_QUEUE_LIMIT: usize = LOCAL_QUEUE_CAPACITY / 2;
/// How long a task may wait in the injector while fresher tasks run, unless
/// the builder says otherwise: each poll of the reactor first moves the
/// injector's oldest tasks to the local queue, as many as this bound
/// requires (see [`Worker::refill_from_injector_due`]). This is what keeps
/// [`HOT_QUEUE_LIMIT`] from starving the connections beyond it.
///
/// Every task moved early is a cold one (its socket's data has left the
/// cache while it waited), and what a cold request costs depends on the
/// host and the message size: on one 2-vCPU VM a 50 ms bound cost 1000
/// connections × 16 KiB on one worker a quarter of tokio's throughput,
/// where another VM had lost about 5 % at 64 B. On the first, 250 ms
/// brought 16 KiB level with tokio's throughput and p99, and 64 B within
/// 1–3 % of tokio's throughput at 0.6–0.75 times its p99
/// (benches/FINDINGS.md, finding 20).
pub(crate) const DEFAULT_MAX_INJECTOR_WAIT: Duration = Duration::from_millis(250);
/// How long a worker spins for work before parking, when its last wait
/// was ended by work from another thread. A park and the wake-up that
/// ends it cost far more than this (an eventfd write, `epoll_wait`
/// returning, the kernel switching the thread back in: about 12 µs on a
/// 2-vCPU VM), so a spin that fails wastes less than the park it tried to
/// save; one that succeeds saves the round trip.
const SPIN_LIMIT: Duration = Duration::from_micros(2);
/// Checks of the queues between two clock reads while spinning.
const SPIN_CHECKS: u32 = 32;
/// Most outside wakes let pass without a spin after spins that failed.
const MAX_SPIN_BACKOFF: u32 = 64;

/// The per-thread half of a worker.
struct Worker {
    index: usize,
    shared: Arc<Shared>,
    /// The task most recently woken by the running task: it is likely to
    /// touch the data the running task just wrote, so it runs next, while
    /// that data is still in cache (request/response ping-pong).
    lifo: Cell<Option<Runnable>>,
    /// A task is being polled right now (wakes go to the LIFO slot).
    polling: Cell<bool>,
    /// The last wait ended because a thread outside the runtime queued
    /// work (it lands in the injector), without any I/O or timer: such a
    /// producer may well hand over more work shortly, so the next wait
    /// spins first (see [`SPIN_LIMIT`]). Work shared by another worker
    /// does not count: a worker that spins for its peers' queues steals
    /// from them sooner and in smaller pieces, which measured slower
    /// (spawn+join on 2 workers).
    spin_before_park: Cell<bool>,
    /// Outside wakes still to let pass without arming the spin. Every
    /// failed spin doubles the count (up to [`MAX_SPIN_BACKOFF`]) and a
    /// successful one resets it, so a producer that answers a little too
    /// slowly for the spin (every 5–30 µs, say) costs a failed spin once
    /// in 64 wakes rather than at every one (measured: 3 µs of extra
    /// worker CPU per wake without this).
    spin_backoff: Cell<u32>,
    spins_to_skip: Cell<u32>,
    /// Ticks between two checks of the injector, tuned from how long ticks
    /// take (see [`GLOBAL_QUEUE_TARGET`]).
    global_interval: Cell<u32>,
    /// Ticks since the injector was last checked.
    since_global: Cell<u32>,
    /// Tasks those checks took since the last refill: they count towards
    /// what the bound asks of it.
    global_pops: Cell<usize>,
    /// When the injector was last drawn on by a poll of the reactor.
    last_refill: Cell<Instant>,
    /// The fraction of a task the injector was owed at the last refill
    /// (see [`due_from_injector`]).
    injector_owed: Cell<u128>,
    polled: Cell<u64>,
    stolen: Cell<u64>,
    spins: Cell<u64>,
}

thread_local! {
    static WORKER: RefCell<Option<Rc<Worker>>> = const { RefCell::new(None) };
}

/// Whether the current thread is a worker (of any runtime).
pub(crate) fn is_worker_thread() -> bool {
    WORKER.with(|w| w.borrow().is_some())
}

/// Queues a woken task on the current worker, if the current thread is a
/// worker of the task's runtime; otherwise gives the task back.
pub(crate) fn schedule_local(
    shared: *const Shared,
    runnable: Runnable,
    info: ScheduleInfo,
) -> Result<(), Runnable> {
    WORKER.with(|w| {
        let w = w.borrow();
        match &*w {
            Some(worker) if std::ptr::eq(shared, Arc::as_ptr(&worker.shared)) => {
                worker.schedule(runnable, info);
                Ok(())
            }
            _ => Err(runnable),
        }
    })
}

/// Body of a worker thread; returns when the runtime shuts down.
pub(crate) fn run(shared: Arc<Shared>, index: usize) {
    let worker = Rc::new(Worker {
        index,
        shared,
        lifo: Cell::new(None),
        polling: Cell::new(false),
        spin_before_park: Cell::new(false),
        spin_backoff: Cell::new(0),
        spins_to_skip: Cell::new(0),
        global_interval: Cell::new(INITIAL_GLOBAL_QUEUE_INTERVAL),
        since_global: Cell::new(0),
        global_pops: Cell::new(0),
        last_refill: Cell::new(Instant::now()),
        injector_owed: Cell::new(0),
        polled: Cell::new(0),
        stolen: Cell::new(0),
        spins: Cell::new(0),
    });
    WORKER.with(|w| *w.borrow_mut() = Some(worker.clone()));
    worker.run();
    // Tasks left here are cancelled by dropping them, while this thread's
    // locals still exist (their futures may use them in `Drop`).
    drop(worker.lifo.take());
    WORKER.with(|w| w.borrow_mut().take());
}

impl Worker {
    fn local(&self) -> &crossbeam_queue::ArrayQueue<Runnable> {
        &self.shared.locals[self.index]
    }

    fn schedule(&self, runnable: Runnable, info: ScheduleInfo) {
        if !self.polling.get() {
            // Woken by the reactor on this worker: the caller notifies
            // others once for the whole batch. Past the hot limit, to the
            // back of the injector, whose wait is bounded.
            if self.local().len() < HOT_QUEUE_LIMIT {
                self.push_local(runnable);
            } else {
                self.shared.injector.push(runnable);
            }
            return;
        }
        if info.woken_while_running {
            // A yield: to the back of the queue.
            self.push_local(runnable);
        } else {
            // Woken or spawned by the running task: keep it hot.
            match self.lifo.replace(Some(runnable)) {
                Some(previous) => self.push_local(previous),
                None => return,
            }
        }
        self.shared.idle.notify_one(&self.shared.reactor);
    }

    /// Pushes to the local queue, or to the back of the injector when it is
    /// full, so tasks keep the order in which they became ready.
    fn push_local(&self, runnable: Runnable) {
        if let Err(runnable) = self.local().push(runnable) {
            self.shared.injector.push(runnable);
        }
    }

    fn run(&self) {
        let mut tick: u32 = 0;
        while !self.shared.is_shutdown() {
            tick = tick.wrapping_add(1);
            if tick % EVENT_INTERVAL == 0 {
                self.poll_reactor_now();
                self.publish_stats();
            }
            match self.next_task() {
                Some(runnable) => self.run_task(runnable),
                None => self.park(),
            }
        }
        self.publish_stats();
    }

    fn next_task(&self) -> Option<Runnable> {
        let since = self.since_global.get() + 1;
        if since >= self.global_interval.get() {
            self.since_global.set(0);
            if let Some(runnable) = self.shared.injector.pop() {
                self.global_pops.set(self.global_pops.get() + 1);
                return Some(runnable);
            }
        } else {
            self.since_global.set(since);
        }
        self.local()
            .pop()
            .or_else(|| self.take_from_injector())
            .or_else(|| self.steal())
    }

    /// Takes a batch from the injector: one to run, a fair share into the
    /// local queue.
    fn take_from_injector(&self) -> Option<Runnable> {
        let first = self.shared.injector.pop()?;
        self.refill_from_injector();
        Some(first)
    }

    /// Moves this worker's fair share of the injector into the local queue,
    /// up to half its capacity.
    fn refill_from_injector(&self) {
        let share = self.shared.injector.len() / self.shared.locals.len() + 1;
        let room = (self.local().capacity() / 2).saturating_sub(self.local().len());
        self.move_from_injector(share.min(room));
    }

    /// Moves the injector's oldest tasks into the local queue: the share of
    /// its length that the time since the last call is of the runtime's
    /// `max_injector_wait`. Called between equal stretches of work, this
    /// turns the whole injector over within that bound however long it is,
    /// while the local queue's tasks keep running in between. Tasks the
    /// regular checks of the injector took meanwhile count towards that
    /// share: the bound adds to their rate only where they fall short of
    /// it.
    ///
    /// Also tunes the interval between those checks to the time ticks take
    /// now: this runs every [`EVENT_INTERVAL`] ticks.
    fn refill_from_injector_due(&self) {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.last_refill.replace(now));
        self.global_interval
            .set(global_queue_interval(elapsed / EVENT_INTERVAL));
        let waiting = self.shared.injector.len();
        let mut owed = self.injector_owed.get();
        let due = due_from_injector(waiting, elapsed, self.shared.max_injector_wait, &mut owed);
        let popped = self.global_pops.replace(0);
        // All of it due (a zero bound, an overdue window): the pops came
        // before `waiting` was counted, so they owe nothing of it.
        let due = if due >= waiting {
            due
        } else {
            due.saturating_sub(popped)
        };
        self.injector_owed.set(owed);
        let room = self.local().capacity().saturating_sub(self.local().len());
        self.move_from_injector(due.min(room));
    }

    /// Moves up to `count` tasks from the front of the injector to the back
    /// of the local queue.
    fn move_from_injector(&self, count: usize) {
        for _ in 0..count {
            match self.shared.injector.pop() {
                Some(runnable) => self.push_local(runnable),
                None => break,
            }
        }
    }

    /// Takes half of some other worker's queue.
    fn steal(&self) -> Option<Runnable> {
        let workers = self.shared.locals.len();
        for offset in 1..workers {
            let victim = &self.shared.locals[(self.index + offset) % workers];
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
        None
    }

    fn run_task(&self, runnable: Runnable) {
        self.poll_task(runnable);
        for _ in 0..MAX_LIFO_POLLS {
            match self.lifo.take() {
                Some(next) => self.poll_task(next),
                None => return,
            }
        }
        if let Some(next) = self.lifo.take() {
            self.push_local(next);
        }
    }

    fn poll_task(&self, runnable: Runnable) {
        #[cfg(feature = "tracing")]
        let _span = tracing::trace_span!(target: "edgeio", "poll", worker = self.index).entered();
        self.polling.set(true);
        let _budget = coop::budget();
        // The task's own panics are caught inside it (they go to its
        // JoinHandle); this catches the rest, e.g. a panicking `Drop` of its
        // output, so one bad task never takes the worker down.
        let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
        self.polling.set(false);
        self.polled.set(self.polled.get() + 1);
    }

    /// Collects I/O and timer events without blocking, if no other worker
    /// is doing so.
    ///
    /// The injector's tasks that are due move to the local queue first,
    /// ahead of what this poll finds: otherwise fresh events would keep the
    /// local queue busy and the injector, checked only every
    /// `global_interval` ticks, would starve (seen as a p99 latency
    /// of 0.3–0.5 s with 1000 busy connections on one worker).
    fn poll_reactor_now(&self) {
        self.refill_from_injector_due();
        if let Some(mut driver) = self.shared.reactor.try_driver() {
            if driver.wait(Some(Duration::ZERO)).is_ok() && driver.wake() > 0 {
                drop(driver);
                self.share_surplus();
            }
        }
    }

    /// More queued than this worker will run soon: let a sleeping worker
    /// take some (and the driver, if it is free).
    fn share_surplus(&self) {
        if self.local().len() > 1 && self.shared.idle.has_waiting() {
            self.shared.idle.notify_one(&self.shared.reactor);
        }
    }

    /// Nothing to run: drive the reactor if nobody else does, else sleep.
    fn park(&self) {
        if self.spin_before_park.get() {
            self.spins.set(self.spins.get() + 1);
            if self.spin_for_work() {
                self.spin_backoff.set(0);
                return;
            }
            self.spin_before_park.set(false);
            let backoff = (self.spin_backoff.get() * 2).clamp(1, MAX_SPIN_BACKOFF);
            self.spin_backoff.set(backoff);
            self.spins_to_skip.set(backoff);
        }
        trace!(worker = self.index, "parking");
        self.publish_stats();
        let shared = &self.shared;
        match shared.reactor.try_driver() {
            Some(mut driver) => {
                if !shared.idle.park_driver(|| shared.has_work()) {
                    return;
                }
                let result = driver.wait(None);
                shared.idle.unpark_driver();
                let woken = driver.wake();
                drop(driver);
                if woken == 0 && !shared.injector.is_empty() {
                    self.arm_spin();
                }
                if result.is_err() {
                    // epoll_wait fails only on programming errors (EBADF,
                    // EFAULT, EINVAL); never turn that into a hot loop.
                    std::thread::sleep(Duration::from_millis(1));
                }
                self.share_surplus();
            }
            None => shared.idle.sleep(|| shared.has_work()),
        }
    }

    /// A wake from outside ended the last wait: spin before the next one,
    /// unless failed spins say to let this wake pass.
    fn arm_spin(&self) {
        match self.spins_to_skip.get() {
            0 => self.spin_before_park.set(true),
            n => self.spins_to_skip.set(n - 1),
        }
    }

    /// Spins for up to [`SPIN_LIMIT`]; returns whether work showed up.
    /// Spinning announces no sleep, so whoever queues work meanwhile skips
    /// the wake-up syscall too.
    fn spin_for_work(&self) -> bool {
        // The clock is first read after one round of checks: a producer
        // that answers within it, the case worth spinning for, costs no
        // clock read at all.
        let mut start = None;
        loop {
            for _ in 0..SPIN_CHECKS {
                if self.shared.has_work() {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.get_or_insert_with(Instant::now).elapsed() >= SPIN_LIMIT {
                return false;
            }
        }
    }

    fn publish_stats(&self) {
        let stats = &self.shared.stats[self.index];
        stats.polled.store(self.polled.get(), Ordering::Relaxed);
        stats.stolen.store(self.stolen.get(), Ordering::Relaxed);
        stats.spins.store(self.spins.get(), Ordering::Relaxed);
    }
}

/// The interval, in ticks, between two checks of the injector that spaces
/// them [`GLOBAL_QUEUE_TARGET`] apart, when a tick takes `per_tick` (a
/// task taken from the queues and the LIFO polls it leads to, or a park,
/// with the reactor polls in between: all of it delays the injector).
fn global_queue_interval(per_tick: Duration) -> u32 {
    let interval = GLOBAL_QUEUE_TARGET.as_nanos() / per_tick.as_nanos().max(1);
    interval.clamp(MIN_GLOBAL_QUEUE_INTERVAL.into(), MAX_GLOBAL_QUEUE_INTERVAL.into()) as u32
}

/// How many of `waiting` injector tasks are due after `elapsed`, for a
/// bound of `max_wait`: the fraction `elapsed / max_wait` of them. Polls
/// come far more often than `max_wait / waiting`, so most owe a fraction of
/// a task; `owed` carries that fraction (in task-nanoseconds, always less
/// than one task's worth) from call to call, so the fractions add up to the
/// rate the bound needs. Rounding each poll up to a whole task instead drew
/// on the injector at one task per poll at least, on top of the regular
/// checks of the injector: more cold tasks than a long bound needs. A zero bound makes every waiting task due.
fn due_from_injector(waiting: usize, elapsed: Duration, max_wait: Duration, owed: &mut u128) -> usize {
    if waiting == 0 || max_wait.is_zero() {
        *owed = 0;
        return waiting;
    }
    let bound = max_wait.as_nanos();
    let total = owed.saturating_add((waiting as u128).saturating_mul(elapsed.as_nanos()));
    let due = total / bound;
    if due >= waiting as u128 {
        *owed = 0;
        return waiting;
    }
    *owed = total - due * bound;
    due as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `due_from_injector` starting from nothing owed.
    fn due(waiting: usize, elapsed: Duration, max_wait: Duration) -> usize {
        due_from_injector(waiting, elapsed, max_wait, &mut 0)
    }

    #[test]
    fn the_injector_is_checked_every_200_us_of_ticks() {
        let us = Duration::from_micros;
        assert_eq!(global_queue_interval(us(3) + Duration::from_nanos(300)), 60);
        assert_eq!(global_queue_interval(us(20)), 10);
        // Slow ticks (a park, say) and quick ones stay in bounds.
        assert_eq!(global_queue_interval(us(150)), MIN_GLOBAL_QUEUE_INTERVAL);
        assert_eq!(global_queue_interval(Duration::MAX), MIN_GLOBAL_QUEUE_INTERVAL);
        assert_eq!(global_queue_interval(Duration::ZERO), MAX_GLOBAL_QUEUE_INTERVAL);
        assert_eq!(global_queue_interval(us(1)), MAX_GLOBAL_QUEUE_INTERVAL);
    }

    #[test]
    fn the_whole_injector_is_due_within_the_bound() {
        let bound = DEFAULT_MAX_INJECTOR_WAIT;
        assert_eq!(due(0, bound, bound), 0);
        assert_eq!(due(800, bound, bound), 800);
        assert_eq!(due(800, bound * 3, bound), 800);
        assert_eq!(due(800, bound / 4, bound), 200);
        assert_eq!(due(800, Duration::MAX, bound), 800);
        assert_eq!(due(usize::MAX, Duration::MAX, bound), usize::MAX);
    }

    #[test]
    fn fractions_of_a_task_add_up_across_polls() {
        let bound = Duration::from_millis(100);
        let mut owed = 0;
        // 10 waiting, polled every 100 µs for the length of the bound: each
        // poll owes a hundredth of a task, and the ten are due by the end.
        let mut moved = 0;
        for _ in 0..1000 {
            moved += due_from_injector(10, Duration::from_micros(100), bound, &mut owed);
            assert!(owed < bound.as_nanos());
        }
        assert_eq!(moved, 10);
        // A first poll owes less than a task and moves none.
        assert_eq!(due(800, Duration::from_micros(1), Duration::from_millis(50)), 0);
        assert_eq!(due(800, Duration::ZERO, Duration::MAX), 0);
    }

    #[test]
    fn an_empty_injector_forgets_what_it_was_owed() {
        let bound = Duration::from_millis(100);
        let mut owed = 0;
        assert_eq!(
            due_from_injector(10, Duration::from_millis(5), bound, &mut owed),
            0
        );
        assert!(owed > 0);
        assert_eq!(
            due_from_injector(0, Duration::from_millis(5), bound, &mut owed),
            0
        );
        assert_eq!(owed, 0);
    }

    #[test]
    fn a_zero_bound_makes_every_waiting_task_due() {
        assert_eq!(due(0, Duration::ZERO, Duration::ZERO), 0);
        assert_eq!(due(800, Duration::ZERO, Duration::ZERO), 800);
        assert_eq!(due(800, Duration::MAX, Duration::ZERO), 800);
    }
}
