//! The timer driver: the wheel, the queue of changes to file into it, and
//! the clock, kept by the reactor.
//!
//! # Who touches what
//!
//! - A `Sleep` (the *owner*) changes its
//!   [`TimerEntry`](crate::time::entry::TimerEntry) with atomics. A
//!   change the wheel must see (a new timer, an earlier deadline, a
//!   cancellation) pushes the entry onto a lock-free queue, once however
//!   many changes pile up before the driver looks. Re-polling a `Sleep`
//!   whose deadline did not change only stores its waker in its entry;
//!   moving a deadline later only stores the new deadline.
//! - Whichever worker holds the reactor's driver applies the queue to the
//!   wheel, fires what is due and sizes `epoll_wait`'s timeout to the next
//!   expiry ([`Timers::process`]). The wheel's lock is only ever taken
//!   there, by an owner that finds the queue full (see *Bursts*) and at
//!   shutdown, so it is contended at most once per [`QUEUE_CAPACITY`]
//!   changes.
//! - An owner that arms a timer earlier than the driver's current sleep
//!   interrupts it. The driver publishes when it will wake
//!   (`driver_wakes_at`) before its final look at the queue, and the owner
//!   reads it after pushing: one of the two sees the other (both sides
//!   are `SeqCst`).
//!
//! # Memory
//!
//! A pending timer costs one allocation, its entry, 56 bytes on 64-bit
//! targets (the state, the task's waker, the wheel's two list links and a
//! word of counters and flags; malloc serves it from a 64-byte chunk), as
//! `bytes_per_pending_timer` computes and the test
//! `memory_per_pending_timer` checks. Nothing else grows with the number
//! of timers: the wheel links the entries themselves into its slots'
//! lists, and the queue of changes is a fixed array of
//! [`QUEUE_CAPACITY`] slots per runtime. The `Sleep` holding the timer is
//! 40 bytes besides.
//!
//! # Bursts
//!
//! The queue is bounded. An owner that finds it full takes the wheel's
//! lock and applies the queue and its own change itself (async-io does
//! the same), then interrupts the driver so that it recomputes its sleep.
//! A task arming or cancelling timers by the thousand between two driver
//! passes thus files them as it goes, at the cost of a lock per
//! [`QUEUE_CAPACITY`] changes, and a driver pass never applies more than
//! that many before it looks at I/O; otherwise the whole burst would land
//! on the next pass, and on whatever task runs the driver then.
//!
//! # Resolution
//!
//! One tick is a millisecond, `epoll_wait`'s own resolution. Deadlines
//! round up to the next tick, so a timer never fires early.

use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::Waker;
use std::time::Duration;

use crossbeam_queue::ArrayQueue;

use crate::time::clock::Clock;
use crate::time::entry::{armed, EntryRef, FIRED, IDLE, MAX_TICK};
use crate::time::instant::Instant;
use crate::time::wheel::Wheel;

/// `driver_wakes_at` while no driver is blocked: no tick is earlier, so no
/// owner interrupts it.
const DRIVER_AWAKE: u64 = 0;
/// `driver_wakes_at` while the driver blocks with no timeout.
const DRIVER_FOREVER: u64 = u64::MAX;

/// Changes the queue holds before an owner applies them itself: async-io's
/// bound for its queue of timer operations (1000), rounded to a power of
/// two. It bounds the queue's memory (16 KiB) and the changes the driver
/// applies in one pass before it looks at I/O, and lets a task that arms
/// timers in a burst pay for filing them as it goes, where a burst would
/// otherwise be filed all at once by the next task to run the driver.
const QUEUE_CAPACITY: usize = 1024;

pub(crate) struct Timers {
    clock: Clock,
    /// Tick 0: ticks count milliseconds from here.
    origin: std::time::Instant,
    wheel: Mutex<Wheel>,
    /// Entries whose change the wheel has yet to see.
    queue: ArrayQueue<EntryRef>,
    /// Armed timers, for `Metrics::pending_timers`.
    armed: AtomicUsize,
    /// The tick at which a driver blocked in `epoll_wait` wakes by itself.
    driver_wakes_at: AtomicU64,
    shutdown: AtomicBool,
}

impl Timers {
    pub(crate) fn new() -> Timers {
        let clock = Clock::new();
        let origin = clock.origin();
        Timers {
            clock,
            origin,
            wheel: Mutex::new(Wheel::new()),
            queue: ArrayQueue::new(QUEUE_CAPACITY),
            armed: AtomicUsize::new(0),
            driver_wakes_at: AtomicU64::new(DRIVER_AWAKE),
            shutdown: AtomicBool::new(false),
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Timers armed and not yet fired or cancelled.
    pub(crate) fn len(&self) -> usize {
        self.armed.load(Ordering::Relaxed)
    }

    fn lock_wheel(&self) -> MutexGuard<'_, Wheel> {
        self.wheel.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tick of a deadline: rounded up, so that a timer never fires
    /// before it.
    fn deadline_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.into_std().saturating_duration_since(self.origin);
        // Whole milliseconds without 128-bit division: this runs on every
        // timer registration.
        let sub_ms = u64::from(since.subsec_nanos().div_ceil(1_000_000));
        since
            .as_secs()
            .saturating_mul(1000)
            .saturating_add(sub_ms)
            .min(MAX_TICK)
    }

    /// The tick `now` is in: rounded down.
    fn now_tick(&self, now: Instant) -> u64 {
        let since = now.into_std().saturating_duration_since(self.origin);
        let sub_ms = u64::from(since.subsec_millis());
        since
            .as_secs()
            .saturating_mul(1000)
            .saturating_add(sub_ms)
            .min(MAX_TICK)
    }

    fn tick_instant(&self, tick: u64) -> Instant {
        Instant::from_std(self.origin).saturating_add(Duration::from_millis(tick))
    }

    // ---- The owner's side: atomics and a queue push; the wheel only when
    // ---- the queue is full.

    /// Arms `entry` for `deadline` or moves its deadline. Returns whether
    /// the driver must be interrupted: it sleeps past the deadline, or the
    /// owner filed queued changes itself. After shutdown it leaves the
    /// entry idle and stores nothing.
    pub(crate) fn set(&self, entry: &EntryRef, deadline: Instant) -> bool {
        if self.shutdown.load(Ordering::SeqCst) {
            return false;
        }
        let tick = self.deadline_tick(deadline);
        let mut state = entry.state();
        while let Err(current) = entry.compare_exchange(state, tick) {
            state = current;
        }
        let needs_wheel = match armed(state) {
            // Later: the driver finds out when the old tick comes up.
            Some(old) => tick < old,
            None => {
                self.armed.fetch_add(1, Ordering::Relaxed);
                true
            }
        };
        if !needs_wheel {
            return false;
        }
        let filed = self.enqueue(entry);
        fence(Ordering::SeqCst);
        if self.shutdown.load(Ordering::SeqCst) {
            // Shutdown may have drained the queue before the push: take
            // the waker back so nothing of the task stays behind.
            self.disarm(entry);
            drop(entry.waker.take());
            return false;
        }
        filed || tick < self.driver_wakes_at.load(Ordering::SeqCst)
    }

    /// Disarms `entry` (cancelled, or its deadline moved into the past).
    /// Returns whether the driver must be interrupted (the owner filed
    /// queued changes itself).
    pub(crate) fn disarm(&self, entry: &EntryRef) -> bool {
        let state = entry.swap(IDLE);
        if armed(state).is_none() {
            return false;
        }
        self.armed.fetch_sub(1, Ordering::Relaxed);
        self.enqueue(entry)
    }

    /// Queues `entry` for the driver unless it is queued already. If the
    /// queue is full, applies it and `entry` to the wheel instead and
    /// returns `true`: the driver, perhaps asleep until a later timer than
    /// one just filed, must then look again.
    fn enqueue(&self, entry: &EntryRef) -> bool {
        if !entry.mark_queued() {
            return false;
        }
        let Err(entry) = self.queue.push(entry.clone()) else {
            return false;
        };
        let mut wake = Vec::new();
        let mut wheel = self.lock_wheel();
        if self.shutdown.load(Ordering::SeqCst) {
            // Shutdown has emptied the wheel and disarms what it finds in
            // the queue; this entry's owner disarms it (see `set`).
            entry.clear_queued();
            return false;
        }
        // Filing uses the wheel's tick as now: only timers due at or
        // before it fire here; the driver fires the rest.
        let now = wheel.elapsed();
        self.apply_queue(&mut wheel, now, &mut wake);
        entry.clear_queued();
        self.apply(&mut wheel, entry, now, &mut wake);
        drop(wheel);
        wake.into_iter().for_each(Waker::wake);
        true
    }

    // ---- The driver's side. ----

    /// Applies the queued changes, moves every waker of a timer due at
    /// `now` into `wake`, and returns when the next timer is due.
    pub(crate) fn process(&self, now: Instant, wake: &mut Vec<Waker>) -> Option<Instant> {
        let now = self.now_tick(now);
        let mut wheel = self.lock_wheel();
        self.apply_queue(&mut wheel, now, wake);
        while let Some(entry) = wheel.pop_expired(now) {
            self.expire(&mut wheel, entry, now, wake);
        }
        let next = wheel.next_expiration();
        drop(wheel);
        next.map(|tick| self.tick_instant(tick))
    }

    /// Applies what is queued now: entries pushed meanwhile are seen by the
    /// driver's check before it blocks, or by the next pass.
    fn apply_queue(&self, wheel: &mut Wheel, now: u64, wake: &mut Vec<Waker>) {
        for _ in 0..self.queue.len() {
            let Some(entry) = self.queue.pop() else { break };
            entry.clear_queued();
            self.apply(wheel, entry, now, wake);
        }
    }

    /// Brings the wheel in line with the entry's state.
    fn apply(&self, wheel: &mut Wheel, entry: EntryRef, now: u64, wake: &mut Vec<Waker>) {
        // An entry is only ever filed in the wheel of the runtime its
        // `Sleep` registered with, whose queue it came through: this one.
        let filed = Wheel::is_filed(&entry);
        match armed(entry.state()) {
            Some(tick) => {
                if filed {
                    if wheel.files_at(&entry, tick) {
                        return;
                    }
                    // SAFETY: filed, in this wheel (above).
                    drop(unsafe { wheel.remove(&entry) });
                }
                self.file(wheel, entry, tick, now, wake);
            }
            // SAFETY: filed, in this wheel (above).
            None if filed => drop(unsafe { wheel.remove(&entry) }),
            None => {}
        }
    }

    fn file(&self, wheel: &mut Wheel, entry: EntryRef, tick: u64, now: u64, wake: &mut Vec<Waker>) {
        if let Err(entry) = wheel.insert(entry, tick) {
            // Due already (`tick <= elapsed <= now`).
            self.expire(wheel, entry, now, wake);
        }
    }

    /// The wheel handed out `entry` (or it was due when filed): fire it if
    /// its deadline has come, else (a higher level's slot came up, the
    /// deadline moved later, or lies beyond the wheel's reach) file it
    /// again.
    fn expire(&self, wheel: &mut Wheel, entry: EntryRef, now: u64, wake: &mut Vec<Waker>) {
        let mut state = entry.state();
        loop {
            match armed(state) {
                Some(tick) if tick <= now => match entry.compare_exchange(state, FIRED) {
                    Ok(_) => {
                        self.armed.fetch_sub(1, Ordering::Relaxed);
                        wake.extend(entry.waker.take());
                        return;
                    }
                    Err(current) => state = current,
                },
                Some(tick) => return self.file(wheel, entry, tick, now, wake),
                None => return,
            }
        }
    }

    /// Paused clock, nothing to do: moves the clock to the next timer and
    /// fires it. Returns whether there was a timer to move to.
    pub(crate) fn auto_advance(&self, wake: &mut Vec<Waker>) -> bool {
        // A higher level's slot coming up only cascades its timers to lower
        // levels; each round goes down at least one level.
        for _ in 0..=crate::time::wheel::LEVELS {
            let next = self.process(self.clock.now(), wake);
            if !wake.is_empty() {
                return true;
            }
            let Some(next) = next else { return false };
            self.clock.advance_to(next);
        }
        self.process(self.clock.now(), wake);
        true
    }

    /// Announces that the driver blocks until `until` (`None`: until an
    /// event). Returns `false` if changes were queued meanwhile, which the
    /// driver must apply first instead of blocking.
    pub(crate) fn driver_sleeps(&self, until: Option<Instant>) -> bool {
        let tick = until.map_or(DRIVER_FOREVER, |t| self.deadline_tick(t).max(1));
        self.driver_wakes_at.store(tick, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if self.queue.is_empty() {
            return true;
        }
        self.driver_awake();
        false
    }

    /// The driver is no longer blocked.
    pub(crate) fn driver_awake(&self) {
        self.driver_wakes_at.store(DRIVER_AWAKE, Ordering::SeqCst);
    }

    /// Refuses new timers and moves the wakers of every pending one into
    /// `wake`; their entries are left idle, so a `Sleep` polled afterwards
    /// decides by the clock alone (see `Sleep`'s docs).
    pub(crate) fn shutdown(&self, wake: &mut Vec<Waker>) {
        self.shutdown.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        // Under the wheel's lock, so that no owner files the queue in the
        // middle (`enqueue` checks the flag under it).
        let mut wheel = self.lock_wheel();
        let filed = wheel.drain();
        let queued: Vec<_> = std::iter::from_fn(|| self.queue.pop()).collect();
        drop(wheel);
        for entry in filed.into_iter().chain(queued) {
            if armed(entry.swap(IDLE)).is_some() {
                self.armed.fetch_sub(1, Ordering::Relaxed);
            }
            wake.extend(entry.waker.take());
        }
    }
}

/// Bytes one pending timer costs the runtime besides its `Sleep`: its
/// entry, which is also the wheel's node, computed from type sizes.
#[cfg(test)]
pub(crate) const fn bytes_per_pending_timer() -> usize {
    std::mem::size_of::<crate::time::entry::TimerEntry>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_round_up_and_now_rounds_down() {
        let timers = Timers::new();
        let at = |ns: u64| Instant::from_std(timers.origin + Duration::from_nanos(ns));
        assert_eq!(timers.deadline_tick(at(0)), 0);
        assert_eq!(timers.deadline_tick(at(1)), 1);
        assert_eq!(timers.deadline_tick(at(1_000_000)), 1);
        assert_eq!(timers.deadline_tick(at(2_500_000_001)), 2501);
        assert_eq!(timers.now_tick(at(2_500_999_999)), 2500);
        assert_eq!(timers.now_tick(at(999_999)), 0);
        let before = Instant::from_std(timers.origin - Duration::from_millis(5));
        assert_eq!(timers.deadline_tick(before), 0);
        let far = Instant::from_std(timers.origin).saturating_add(Duration::MAX);
        assert!(timers.deadline_tick(far) <= MAX_TICK);
    }

    #[test]
    fn memory_per_pending_timer() {
        // The module's doc comment states these numbers.
        if cfg!(target_pointer_width = "64") {
            assert_eq!(bytes_per_pending_timer(), 56);
            assert_eq!(std::mem::size_of::<crate::time::Sleep>(), 40);
            assert_eq!(std::mem::size_of::<EntryRef>(), 8);
        }
    }
}
