//! A runtime-agnostic, reusable one-slot signal ("baton") built on an
//! atomic flag and `futures`' `AtomicWaker`, used by the wake benchmarks.

use std::future::{poll_fn, Future};
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use futures_util::task::AtomicWaker;

/// One pending signal at most; one waiting task at a time.
///
/// Aligned to two cache lines (the unit x86 prefetches in pairs): a thread
/// spinning on one baton must not slow down writes to its neighbour. With
/// the two batons of the cross-thread benchmark adjacent on the heap, runs
/// were bimodal (about 165 or 330 ns per round trip) depending on where the
/// allocator happened to place them.
///
/// The waker sits in an `AtomicWaker`, as in the channels real code wakes
/// tasks with, not behind a `Mutex`: with a mutex, the signalling thread
/// and the task storing its next waker met on the lock so often in the
/// cross-thread benchmark that the futex's contended path took 6–9 % of
/// the worker's time (finding 15).
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct Baton {
    set: AtomicBool,
    waker: AtomicWaker,
}

impl Baton {
    /// Sets the signal and wakes the waiting task, if any.
    pub fn signal(&self) {
        self.set.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Consumes the signal if it is set. Reads before swapping, so a
    /// thread polling an unset baton in a loop does not keep taking its
    /// cache line away from the signalling side.
    pub fn try_take(&self) -> bool {
        self.set.load(Ordering::Relaxed) && self.set.swap(false, Ordering::Acquire)
    }

    /// Waits until the signal is set, then consumes it.
    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(|cx| {
            if self.try_take() {
                return Poll::Ready(());
            }
            self.waker.register(cx.waker());
            // A signal between the first check and storing the waker found
            // no waker to wake: check again.
            if self.try_take() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}
