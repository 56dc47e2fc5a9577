//! Per-fd state shared between the reactor and the I/O object: readiness
//! bits plus the wakers of the tasks waiting in each direction.
//!
//! Readiness lives in one atomic word: the low bits say what the last events
//! reported, the high bits count dispatches (a "tick"). An I/O operation that
//! hits `EAGAIN` clears readiness *only if the tick is still the one it saw*:
//! if an event arrived in between, the bits stay set and the next attempt
//! proceeds. Without the tick, an edge that lands between the syscall and the
//! clear would be erased, and under edge triggering it never comes again.

use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use slab::Slab;

use crate::io::interest::Interest;
use crate::io::ready::Ready;
use crate::loom::{AtomicUsize, Mutex};
use crate::sys::Event;

const READABLE: usize = 1 << 0;
const WRITABLE: usize = 1 << 1;
const READ_CLOSED: usize = 1 << 2;
const WRITE_CLOSED: usize = 1 << 3;
/// An `EPOLLERR` sets both error bits, one per direction, so that each
/// direction forgets the error on its own `EAGAIN`: a reader's `EAGAIN`
/// says nothing about what a writer would see (a pending error, or a
/// closed peer, that the writer must still be told about).
const READ_ERROR: usize = 1 << 4;
const WRITE_ERROR: usize = 1 << 5;
const ERROR: usize = READ_ERROR | WRITE_ERROR;
/// What an `EPOLLPRI` sets, beside `READABLE` (see `Direction::Priority`).
const PRIORITY: usize = 1 << 6;
const READINESS_MASK: usize = (1 << 7) - 1;
const TICK_SHIFT: u32 = 7;

/// The direction an operation waits on. (`pub` only so the loom models can
/// name it; the module itself is private.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Reading, accepting or receiving: made possible by incoming data, the
    /// peer's end of stream, or an error.
    Read,
    /// Writing, sending or connecting: made possible by buffer space, a
    /// closed write side, or an error.
    Write,
    /// Urgent data alone (`Interest::PRIORITY`). Its waits join the
    /// readers, whom every `EPOLLPRI` wakes (it sets readable too).
    Priority,
    /// A pending error alone (`Interest::ERROR`). Its waits join the
    /// readers, whom every `EPOLLERR` wakes.
    Error,
}

impl Direction {
    /// Every direction, in the order of [`Direction::index`].
    pub(crate) const ALL: [Direction; 4] = [
        Direction::Read,
        Direction::Write,
        Direction::Priority,
        Direction::Error,
    ];

    /// Whether `interest` asks for this direction.
    pub(crate) fn in_interest(self, interest: Interest) -> bool {
        match self {
            Direction::Read => interest.is_readable(),
            Direction::Write => interest.is_writable(),
            Direction::Priority => interest.is_priority(),
            Direction::Error => interest.is_error(),
        }
    }

    /// The direction's place in [`Direction::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Bits that make an operation in this direction worth attempting.
    fn ready_mask(self) -> usize {
        match self {
            Direction::Read => READABLE | READ_CLOSED | READ_ERROR,
            Direction::Write => WRITABLE | WRITE_CLOSED | WRITE_ERROR,
            Direction::Priority => PRIORITY,
            Direction::Error => ERROR,
        }
    }

    /// The waiter list the direction's waits join: the readers, but for
    /// writing (see the variants).
    fn queue(self) -> Direction {
        match self {
            Direction::Write => Direction::Write,
            Direction::Read | Direction::Priority | Direction::Error => Direction::Read,
        }
    }

    /// Bits a short transfer disproves: the buffer was emptied (or
    /// filled), but a hang-up or an error reported with it is still to be
    /// seen by the next call (a short read can be followed by end of
    /// stream at once).
    fn drained_mask(self) -> usize {
        match self {
            Direction::Read => READABLE,
            Direction::Write => WRITABLE,
            Direction::Priority => PRIORITY,
            Direction::Error => ERROR,
        }
    }
}

/// Proof that a direction looked ready at a given tick. (`pub` only so the
/// loom models can name it; the module itself is private.)
#[derive(Clone, Copy, Debug)]
pub struct ReadyEvent {
    tick: usize,
    direction: Direction,
}

/// Tasks waiting per direction. Usually one each, but several tasks may
/// share one socket (accept loops on one listener, `recv` on one UDP
/// socket): every one of them must be woken by the next edge, because under
/// edge triggering a forgotten waiter is never woken again.
///
/// There are two kinds of waiter:
///
/// - A *polled* waiter is a `poll_*` call (`AsyncRead::poll_read` and the
///   like), which has nowhere to keep anything between polls. Its waker
///   stays until the next edge takes it; a task that polls again before
///   that is recognised (`Waker::will_wake`) and not stored twice.
/// - An *owned* waiter is a future (`readable()`, `accept()`, `recv()`)
///   holding a [`WaitKey`]: its slot is its own, re-polls overwrite it in
///   place, and dropping the future frees it. So a wait that is cancelled
///   (a `select!` branch that lost, a timed-out `recv`) leaves nothing
///   behind, however many distinct tasks start and abandon waits on a
///   quiet socket.
///
/// The first polled waker of each direction is stored inline and the rest
/// behind one box, so the common case (one task per direction, reading
/// through `AsyncRead`) keeps the whole [`Source`] in one cache line.
#[derive(Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    more: Option<Box<MoreWaiters>>,
}

/// Waiters beyond the first polled one of each direction.
#[derive(Default)]
struct MoreWaiters {
    readers: DirectionWaiters,
    writers: DirectionWaiters,
}

#[derive(Default)]
struct DirectionWaiters {
    polled: Vec<Waker>,
    /// Slots stay while their future lives, emptied (`None`) by each edge,
    /// so a key never comes to name another future's slot.
    owned: Slab<Option<Waker>>,
}

/// Slots an empty slab of owned waiters keeps allocated: enough for the
/// usual handful of tasks sharing a socket.
const SLAB_CAPACITY_KEPT: usize = 16;

/// An owned waiter's slot in a [`Source`]'s waiter list: `None` until the
/// wait first has to park. Whoever holds it must hand it back with
/// [`Source::release`] when the wait ends.
#[derive(Debug, Default)]
pub(crate) struct WaitKey(Option<usize>);

impl MoreWaiters {
    fn direction(&mut self, direction: Direction) -> &mut DirectionWaiters {
        match direction.queue() {
            Direction::Write => &mut self.writers,
            _ => &mut self.readers,
        }
    }
}

impl Waiters {
    fn more(&mut self, direction: Direction) -> &mut DirectionWaiters {
        self.more.get_or_insert_with(Box::default).direction(direction)
    }

    /// Adds a polled waiter unless it would wake a task already waiting (a
    /// task polled again before the edge must not be queued twice).
    fn insert_polled(&mut self, direction: Direction, waker: &Waker) {
        let first = match direction.queue() {
            Direction::Write => &mut self.writer,
            _ => &mut self.reader,
        };
        match first {
            None => *first = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                let rest = &mut self.more(direction).polled;
                if !rest.iter().any(|w| w.will_wake(waker)) {
                    rest.push(waker.clone());
                }
            }
        }
    }

    /// Stores an owned waiter's waker in its slot, taking a slot first if
    /// it has none. Returns the waker it replaced, for the caller to drop
    /// outside the lock.
    fn insert_owned(&mut self, direction: Direction, key: &mut WaitKey, waker: &Waker) -> Option<Waker> {
        let owned = &mut self.more(direction).owned;
        match key.0.and_then(|k| owned.get_mut(k)) {
            Some(Some(stored)) if stored.will_wake(waker) => None,
            Some(slot) => slot.replace(waker.clone()),
            None => {
                key.0 = Some(owned.insert(Some(waker.clone())));
                None
            }
        }
    }

    /// Frees an owned waiter's slot, returning its waker (if an edge has
    /// not taken it) for the caller to drop outside the lock.
    ///
    /// Once the last slot is free, the slab is emptied of its vacant
    /// entries (which every edge would walk) and, after a burst of many
    /// waiters, of its memory too.
    fn remove_owned(&mut self, direction: Direction, key: usize) -> Option<Waker> {
        let owned = &mut self.more.as_mut()?.direction(direction).owned;
        let waker = owned.try_remove(key).flatten();
        if owned.is_empty() {
            if owned.capacity() > SLAB_CAPACITY_KEPT {
                *owned = Slab::new();
            } else {
                owned.clear();
            }
        }
        waker
    }

    /// Moves every waiter of `direction` to `out`. Owned slots stay, empty,
    /// until their futures drop.
    fn take_into(&mut self, direction: Direction, out: &mut Vec<Waker>) {
        let first = match direction.queue() {
            Direction::Write => &mut self.writer,
            _ => &mut self.reader,
        };
        out.extend(first.take());
        if let Some(more) = self.more.as_mut() {
            let rest = more.direction(direction);
            out.append(&mut rest.polled);
            out.extend(rest.owned.iter_mut().filter_map(|(_, waker)| waker.take()));
        }
    }
}

/// State of one registered fd. `generation` tells this registration apart
/// from an earlier one that used the same slab slot.
///
/// Exactly one cache line, aligned to one: an event and the operation it
/// enables touch the generation, the readiness word and the waiters
/// together, and with a thousand busy sockets each extra line per socket
/// is one more cache miss per request.
#[repr(align(64))]
pub(crate) struct Source {
    pub(crate) generation: u32,
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

// The loom build swaps in larger model-checked primitives.
#[cfg(not(loom))]
const _: () = assert!(std::mem::size_of::<Source>() == 64);

impl Source {
    pub(crate) fn new(generation: u32) -> Source {
        Source {
            generation,
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Records an event and returns the wakers to call (outside any lock).
    pub(crate) fn dispatch(&self, event: &Event, wake: &mut Vec<Waker>) {
        let mut bits = 0;
        if event.is_readable() {
            bits |= READABLE;
        }
        if event.is_writable() {
            bits |= WRITABLE;
        }
        if event.is_read_closed() {
            bits |= READ_CLOSED;
        }
        if event.is_write_closed() {
            bits |= WRITE_CLOSED;
        }
        if event.is_error() {
            bits |= ERROR;
        }
        if event.is_priority() {
            bits |= PRIORITY;
        }
        self.dispatch_bits(bits, wake);
    }

    /// [`Source::dispatch`] with the event already turned into readiness
    /// bits (a separate step so the loom models can drive it).
    fn dispatch_bits(&self, bits: usize, wake: &mut Vec<Waker>) {
        self.set_readiness(bits);
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        if bits & (Direction::Read.ready_mask() | PRIORITY) != 0 {
            waiters.take_into(Direction::Read, wake);
        }
        if bits & Direction::Write.ready_mask() != 0 {
            waiters.take_into(Direction::Write, wake);
        }
    }

    fn set_readiness(&self, bits: usize) {
        let mut current = self.readiness.load(Ordering::Acquire);
        loop {
            let tick = (current >> TICK_SHIFT).wrapping_add(1);
            let next = (tick << TICK_SHIFT) | (current & READINESS_MASK) | bits;
            match self
                .readiness
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Ready if the last events say the direction may make progress;
    /// otherwise stores the waker and returns `Pending`. With `key`, the
    /// waker goes into that owned slot (see [`Waiters`]); without, it is a
    /// polled waiter.
    #[inline]
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        key: Option<&mut WaitKey>,
    ) -> Poll<ReadyEvent> {
        match self.ready_event(direction) {
            Some(event) => Poll::Ready(event),
            None => self.register_waiter(cx, direction, key),
        }
    }

    /// The slow half of [`Source::poll_ready`]: stores the waker, then
    /// checks readiness once more.
    fn register_waiter(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        key: Option<&mut WaitKey>,
    ) -> Poll<ReadyEvent> {
        let replaced = {
            let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
            match key {
                Some(key) => waiters.insert_owned(direction, key, cx.waker()),
                None => {
                    waiters.insert_polled(direction, cx.waker());
                    None
                }
            }
        };
        drop(replaced);
        // An event may have been dispatched between the first check and the
        // waker being stored; it would have found no waker to call.
        match self.ready_event(direction) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Ends an owned wait: frees its slot, if it ever took one.
    pub(crate) fn release(&self, direction: Direction, key: &mut WaitKey) {
        let Some(key) = key.0.take() else { return };
        let waker = {
            let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
            waiters.remove_owned(direction, key)
        };
        drop(waker);
    }

    /// The direction's readiness without waiting, stamped with the current
    /// tick so a later `clear_*` can tell whether a newer event came since.
    #[inline]
    pub(crate) fn ready_event(&self, direction: Direction) -> Option<ReadyEvent> {
        let current = self.readiness.load(Ordering::Acquire);
        (current & direction.ready_mask() != 0).then_some(ReadyEvent {
            tick: current >> TICK_SHIFT,
            direction,
        })
    }

    /// The readiness last reported in the directions of `interest`, for
    /// `Registration::ready`: the read direction's bits if it is readable,
    /// the write direction's if writable.
    ///
    /// A direction's error bit shows as `ERROR` *and* as that direction
    /// being ready: the next operation reports the error, and a caller
    /// that only tries when `is_readable()` (`is_writable()`) must not
    /// spin on a readiness it never acts on.
    pub(crate) fn ready(&self, interest: Interest) -> Ready {
        let current = self.readiness.load(Ordering::Acquire);
        let mut ready = Ready::EMPTY;
        let mut add = |bit: usize, as_ready: Ready| {
            if current & bit != 0 {
                ready |= as_ready;
            }
        };
        if interest.is_readable() {
            add(READABLE, Ready::READABLE);
            add(READ_CLOSED, Ready::READ_CLOSED);
            add(READ_ERROR, Ready::ERROR | Ready::READABLE);
        }
        if interest.is_writable() {
            add(WRITABLE, Ready::WRITABLE);
            add(WRITE_CLOSED, Ready::WRITE_CLOSED);
            add(WRITE_ERROR, Ready::ERROR | Ready::WRITABLE);
        }
        if interest.is_priority() {
            add(PRIORITY, Ready::PRIORITY);
        }
        if interest.is_error() {
            add(ERROR, Ready::ERROR);
        }
        ready
    }

    /// An operation hit `EAGAIN`: forget the readiness it acted on, unless a
    /// newer event has arrived since.
    ///
    /// All of the direction's bits go, its hang-up and error bits too: the
    /// syscall has just said there is nothing to report *in this
    /// direction*. The other direction's bits stay, the error included
    /// (each direction has its own copy of it): a read's `EAGAIN` on a
    /// socket with a full send buffer must not hide from a waiting writer
    /// the error that will fail its next write. Sockets that hang
    /// up or fail for good never say `EAGAIN` again (a TCP read returns 0,
    /// a write `EPIPE`), but some do: a connected UDP socket once `recv`
    /// has returned the ICMP error behind `EPOLLERR`, a datagram socket
    /// shut down for reading, a FIFO that a new writer reopened. Kept, the
    /// bits would make every retry look ready and the wait would spin
    /// instead of parking. Whatever changes next raises a fresh edge.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.clear(event, event.direction.ready_mask());
    }

    /// A transfer came up short, which proves the buffer empty (or full):
    /// forget that the direction was readable (writable), unless a newer
    /// event has arrived since. See [`Direction::drained_mask`].
    pub(crate) fn clear_drained(&self, event: ReadyEvent) {
        self.clear(event, event.direction.drained_mask());
    }

    /// Forgets the bits of `ready` in the event's direction, unless a
    /// newer event has arrived since: for `AsyncFd`'s guards, whose
    /// `clear_ready_matching` names the bits. A hang-up bit stays, as in
    /// tokio: a closed direction stays closed, and a wait for it must keep
    /// returning at once (no edge would ever come to end it).
    pub(crate) fn clear_matching(&self, event: ReadyEvent, ready: Ready) {
        let named = [
            (Ready::READABLE, READABLE),
            (Ready::WRITABLE, WRITABLE),
            (Ready::PRIORITY, PRIORITY),
            (Ready::ERROR, ERROR),
        ];
        let bits = named
            .into_iter()
            .filter(|&(name, _)| ready.contains(name))
            .fold(0, |bits, (_, bit)| bits | bit);
        self.clear(event, event.direction.ready_mask() & bits);
    }

    fn clear(&self, event: ReadyEvent, mask: usize) {
        let mut current = self.readiness.load(Ordering::Acquire);
        while current >> TICK_SHIFT == event.tick {
            let next = current & !mask;
            match self
                .readiness
                .compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Takes any stored wakers so they can be dropped outside the lock,
    /// e.g. when the I/O object goes away.
    pub(crate) fn take_waiters(&self, out: &mut Vec<Waker>) {
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        waiters.take_into(Direction::Read, out);
        waiters.take_into(Direction::Write, out);
    }
}

/// What the loom models (`runtime/tests/loom_*.rs`) drive; see `lib.rs`'s
/// `__loom` module.
#[cfg(loom)]
pub mod loom_api {
    use std::task::{Context, Poll, Waker};

    pub use super::Direction;
    pub use super::ReadyEvent;

    /// What an `EPOLLIN` (or `EPOLLPRI`) sets: there is data to read.
    pub const READABLE: usize = super::READABLE;
    /// What an `EPOLLOUT` sets: there is room to write.
    pub const WRITABLE: usize = super::WRITABLE;
    /// What an `EPOLLRDHUP` (or `EPOLLHUP`) sets: the peer will send nothing more.
    pub const READ_CLOSED: usize = super::READ_CLOSED;
    /// What an `EPOLLERR` sets (both directions' error bits).
    pub const ERROR: usize = super::ERROR;

    /// An owned waiter's slot ([`super::WaitKey`] behind a public face).
    #[derive(Default)]
    pub struct WaitKey(super::WaitKey);

    /// A [`super::Source`] behind a public face.
    pub struct Source(super::Source);

    impl Source {
        /// A freshly registered source: no readiness, no waiters.
        pub fn new() -> Source {
            Source(super::Source::new(0))
        }

        /// The reactor's side: records an event with these readiness bits
        /// and returns the wakers to call.
        pub fn dispatch(&self, bits: usize, wake: &mut Vec<Waker>) {
            self.0.dispatch_bits(bits, wake)
        }

        /// The task's side, as a polled waiter: ready if the last events
        /// allow progress in `direction`, else stores the waker.
        pub fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<ReadyEvent> {
            self.0.poll_ready(cx, direction, None)
        }

        /// [`Source::poll_ready`] as an owned waiter holding `key`.
        pub fn poll_ready_owned(
            &self,
            cx: &mut Context<'_>,
            direction: Direction,
            key: &mut WaitKey,
        ) -> Poll<ReadyEvent> {
            self.0.poll_ready(cx, direction, Some(&mut key.0))
        }

        /// Ends the owned wait that holds `key`.
        pub fn release(&self, direction: Direction, key: &mut WaitKey) {
            self.0.release(direction, &mut key.0)
        }

        /// The direction's readiness without waiting (the I/O fast path).
        pub fn ready_event(&self, direction: Direction) -> Option<ReadyEvent> {
            self.0.ready_event(direction)
        }

        /// The operation hit `EAGAIN`: forgets the readiness `event` saw,
        /// unless a newer event has arrived since.
        pub fn clear_readiness(&self, event: ReadyEvent) {
            self.0.clear_readiness(event)
        }

        /// Takes every stored waker, as deregistration does.
        pub fn take_waiters(&self, out: &mut Vec<Waker>) {
            self.0.take_waiters(out)
        }
    }

    impl Default for Source {
        fn default() -> Source {
            Source::new()
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::task::Context;

    use super::*;

    fn owned_capacity(source: &Source) -> usize {
        let waiters = source.waiters.lock().unwrap();
        waiters
            .more
            .as_ref()
            .map_or(0, |more| more.readers.owned.capacity())
    }

    /// Issue 19, item 7: a read's `EAGAIN` on a socket with a pending
    /// error (and a full send buffer, so not writable) must not erase the
    /// error a waiting writer is to be woken for and then see.
    #[test]
    fn read_eagain_keeps_the_error_for_writers() {
        let source = Source::new(0);
        let mut wake = Vec::new();
        source.dispatch_bits(ERROR, &mut wake);
        let read = source.ready_event(Direction::Read).expect("an error is readable");
        source.clear_readiness(read);
        assert!(
            source.ready_event(Direction::Read).is_none(),
            "the reader's EAGAIN counts"
        );
        assert!(
            source.ready_event(Direction::Write).is_some(),
            "a read's EAGAIN hid the error from writers"
        );
        assert!(source.ready(Interest::WRITABLE).is_error());
        assert!(!source.ready(Interest::READABLE).is_error());

        // And the other way round: a writer's EAGAIN leaves the reader's.
        source.dispatch_bits(ERROR, &mut wake);
        let write = source.ready_event(Direction::Write).unwrap();
        source.clear_readiness(write);
        assert!(source.ready_event(Direction::Write).is_none());
        assert!(source.ready_event(Direction::Read).is_some());
    }

    #[test]
    fn owned_slots_are_freed_with_their_waits() {
        let source = Source::new(0);
        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        // A burst of a thousand waits at once, then all of them cancelled.
        let mut keys: Vec<WaitKey> = (0..1000).map(|_| WaitKey::default()).collect();
        for key in &mut keys {
            assert!(source
                .poll_ready(&mut cx, Direction::Read, Some(key))
                .is_pending());
        }
        assert!(owned_capacity(&source) >= 1000);
        for key in &mut keys {
            source.release(Direction::Read, key);
        }
        assert_eq!(owned_capacity(&source), 0, "the burst's memory was kept");

        // A few waits at a time keep their small slab, and reuse its slots.
        let mut a = WaitKey::default();
        let mut b = WaitKey::default();
        let _ = source.poll_ready(&mut cx, Direction::Read, Some(&mut a));
        let _ = source.poll_ready(&mut cx, Direction::Read, Some(&mut b));
        source.release(Direction::Read, &mut a);
        source.release(Direction::Read, &mut b);
        let kept = owned_capacity(&source);
        assert!(kept > 0 && kept <= SLAB_CAPACITY_KEPT);
        let _ = source.poll_ready(&mut cx, Direction::Read, Some(&mut a));
        assert_eq!(a.0, Some(0), "slots are handed out from the start again");
        assert_eq!(owned_capacity(&source), kept);
        source.release(Direction::Read, &mut a);
    }
}
