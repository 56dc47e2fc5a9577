//! The timer driver: the wheel, the queue of changes to file into it, and
//! the clock, kept by the reactor.
//!
//! # Who touches what
//!
//! - A `Sleep` (the *owner*) changes its [`TimerEntry`] with atomics. A
//!   change the wheel must see (a new timer, an earlier deadline, a
//!   cancellation) pushes the entry onto a lock-free queue, once however
//!   many changes pile up before the driver looks. Re-polling a `Sleep`
//!   whose deadline did not change only stores its waker in its entry;
//!   moving a deadline later only stores the new deadline.
//! - Whichever worker holds the reactor's driver applies the queue to the
//!   wheel, fires what is due and sizes `epoll_wait`'s timeout to the next
//!   expiry ([`Timers::process`]). The wheel's lock is only ever taken
//!   there (and at shutdown), so it is never contended.
//! - An owner that arms a timer earlier than the driver's current sleep
//!   interrupts it. The driver publishes when it will wake
//!   (`driver_wakes_at`) before its final look at the queue, and the owner
//!   reads it after pushing: one of the two sees the other (both sides
//!   are `SeqCst`).
//!
//! # Memory
//!
//! A pending timer costs one `Arc<TimerEntry>` allocation (two counters
//! and the entry: 16 + 40 = 56 bytes on 64-bit targets) and one slab slot
//! of the wheel (a 32-byte node, 40 bytes if the slot's tag needs a word
//! of its own): at most 96 bytes in all besides the `Sleep` itself, as
//! `bytes_per_pending_timer` computes and the test
//! `memory_per_pending_timer` checks. The slab is released once the wheel
//! is empty.
//!
//! # Resolution
//!
//! One tick is a millisecond, `epoll_wait`'s own resolution. Deadlines
//! round up to the next tick, so a timer never fires early.

use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Duration;

use crossbeam_queue::SegQueue;

use crate::time::clock::Clock;
use crate::time::entry::{armed, TimerEntry, FIRED, IDLE, MAX_TICK, NOT_FILED};
use crate::time::instant::Instant;
use crate::time::wheel::Wheel;

/// `driver_wakes_at` while no driver is blocked: no tick is earlier, so no
/// owner interrupts it.
const DRIVER_AWAKE: u64 = 0;
/// `driver_wakes_at` while the driver blocks with no timeout.
const DRIVER_FOREVER: u64 = u64::MAX;

pub(crate) struct Timers {
    clock: Clock,
    /// Tick 0: ticks count milliseconds from here.
    origin: std::time::Instant,
    wheel: Mutex<Wheel<Arc<TimerEntry>>>,
    /// Entries whose change the wheel has yet to see.
    queue: SegQueue<Arc<TimerEntry>>,
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
            queue: SegQueue::new(),
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

    fn lock_wheel(&self) -> MutexGuard<'_, Wheel<Arc<TimerEntry>>> {
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

    // ---- The owner's side: atomics and a queue push, never the wheel. ----

    /// Arms `entry` for `deadline` or moves its deadline. Returns whether
    /// the driver sleeps past it and must be interrupted. After shutdown it
    /// leaves the entry idle and stores nothing.
    pub(crate) fn set(&self, entry: &Arc<TimerEntry>, deadline: Instant) -> bool {
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
        self.enqueue(entry);
        fence(Ordering::SeqCst);
        if self.shutdown.load(Ordering::SeqCst) {
            // Shutdown may have drained the queue before the push: take
            // the waker back so nothing of the task stays behind.
            self.disarm(entry);
            drop(entry.waker.take());
            return false;
        }
        tick < self.driver_wakes_at.load(Ordering::SeqCst)
    }

    /// Disarms `entry` (cancelled, or its deadline moved into the past).
    /// Returns whether it was armed.
    pub(crate) fn disarm(&self, entry: &Arc<TimerEntry>) -> bool {
        let state = entry.swap(IDLE);
        if armed(state).is_none() {
            return false;
        }
        self.armed.fetch_sub(1, Ordering::Relaxed);
        self.enqueue(entry);
        true
    }

    fn enqueue(&self, entry: &Arc<TimerEntry>) {
        if entry.mark_queued() {
            self.queue.push(entry.clone());
        }
    }

    // ---- The driver's side. ----

    /// Applies the queued changes, moves every waker of a timer due at
    /// `now` into `wake`, and returns when the next timer is due.
    pub(crate) fn process(&self, now: Instant, wake: &mut Vec<Waker>) -> Option<Instant> {
        let now = self.now_tick(now);
        let mut wheel = self.lock_wheel();
        // Only what is queued now: entries pushed meanwhile are seen by the
        // check before the driver blocks, or by the next pass.
        for _ in 0..self.queue.len() {
            let Some(entry) = self.queue.pop() else { break };
            entry.clear_queued();
            self.apply(&mut wheel, entry, now, wake);
        }
        while let Some((_, entry)) = wheel.pop_expired(now) {
            entry.set_node(NOT_FILED);
            self.expire(&mut wheel, entry, now, wake);
        }
        let next = wheel.next_expiration();
        drop(wheel);
        next.map(|tick| self.tick_instant(tick))
    }

    /// Brings the wheel in line with the entry's state.
    fn apply(
        &self,
        wheel: &mut Wheel<Arc<TimerEntry>>,
        entry: Arc<TimerEntry>,
        now: u64,
        wake: &mut Vec<Waker>,
    ) {
        let node = entry.node();
        match armed(entry.state()) {
            Some(tick) => {
                if node != NOT_FILED {
                    if tick >= wheel.when(node) {
                        return;
                    }
                    drop(wheel.remove(node));
                    entry.set_node(NOT_FILED);
                }
                self.file(wheel, entry, tick, now, wake);
            }
            None if node != NOT_FILED => {
                entry.set_node(NOT_FILED);
                drop(wheel.remove(node));
            }
            None => {}
        }
    }

    fn file(
        &self,
        wheel: &mut Wheel<Arc<TimerEntry>>,
        entry: Arc<TimerEntry>,
        tick: u64,
        now: u64,
        wake: &mut Vec<Waker>,
    ) {
        match wheel.insert(tick, entry.clone()) {
            Ok(node) => entry.set_node(node),
            // Due already (`tick <= elapsed <= now`).
            Err(entry) => self.expire(wheel, entry, now, wake),
        }
    }

    /// The wheel handed out `entry` (or it was due when filed): fire it if
    /// its deadline has come, else (moved later, or beyond the wheel's
    /// reach) file it again.
    fn expire(
        &self,
        wheel: &mut Wheel<Arc<TimerEntry>>,
        entry: Arc<TimerEntry>,
        now: u64,
        wake: &mut Vec<Waker>,
    ) {
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
    /// stays pending (see `Sleep`'s docs).
    pub(crate) fn shutdown(&self, wake: &mut Vec<Waker>) {
        self.shutdown.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let mut wheel = self.lock_wheel();
        let filed: Vec<_> = wheel.drain().collect();
        drop(wheel);
        let queued = std::iter::from_fn(|| self.queue.pop());
        for entry in filed.into_iter().chain(queued) {
            entry.set_node(NOT_FILED);
            if armed(entry.swap(IDLE)).is_some() {
                self.armed.fetch_sub(1, Ordering::Relaxed);
            }
            wake.extend(entry.waker.take());
        }
    }
}

/// Bytes one pending timer costs the runtime (its entry's allocation and
/// its slot in the wheel), computed from type sizes.
#[cfg(test)]
pub(crate) const fn bytes_per_pending_timer() -> usize {
    // An `Arc` allocation holds two counters before the value.
    let entry = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<TimerEntry>();
    // A slab slot: the node, or a vacant link, plus the enum's tag.
    let slot = crate::time::wheel::node_size::<Arc<TimerEntry>>() + std::mem::size_of::<usize>();
    entry + slot
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
            assert_eq!(std::mem::size_of::<TimerEntry>(), 40);
            assert_eq!(crate::time::wheel::node_size::<Arc<TimerEntry>>(), 32);
            assert_eq!(bytes_per_pending_timer(), 96);
        }
    }
}
