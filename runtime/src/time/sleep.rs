//! [`sleep`], [`sleep_until`] and the [`Sleep`] future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::executor::{context, coop, worker};
use crate::io::reactor::Reactor;
use crate::runtime::handle::Handle;
use crate::time::entry::{armed, EntryRef, FIRED};
use crate::time::instant::Instant;

/// Waits until `duration` has elapsed on the runtime's clock.
///
/// A duration too long to add to the clock's reading waits "forever"
/// (about 30 years, as tokio), rather than panic. The timer has 1 ms
/// resolution and never fires early.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use std::time::Duration;
/// use edgeio_runtime::time::{sleep, Instant};
/// let start = Instant::now();
/// sleep(Duration::from_millis(10)).await;
/// assert!(start.elapsed() >= Duration::from_millis(10));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now().saturating_add(duration))
}

/// Waits until `deadline` on the runtime's clock.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        reactor: context::with_current(|shared| shared.reactor.clone()),
        entry: None,
        completed: false,
    }
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// The timer is registered with the runtime on the first poll that finds
/// the deadline ahead; until then a `Sleep` holds no timer. Re-polling it,
/// or moving its deadline later with [`Sleep::reset`], touches only its own
/// timer entry (atomics), never a lock shared with other timers.
///
/// Unlike tokio's, this `Sleep` is `Unpin`, so it can be awaited by
/// reference without pinning; code written for tokio's (pinned) `Sleep`
/// works unchanged.
///
/// After its runtime shut down, a `Sleep` polled again completes if its
/// deadline has passed and otherwise panics, as tokio's does: nothing is
/// left to wake it at its deadline, and a panic that says why beats a
/// thread blocked for ever in [`Handle::block_on`]. Shutdown wakes every
/// `Sleep` armed at the time, so one being waited on panics at once. The
/// runtime's own tasks, which shutdown is cancelling, see it pending
/// instead (a task that dropped its own runtime, say).
///
/// A `Sleep` made inside a runtime belongs to it, as tokio's does, so it
/// can be handed to another thread or executor and still fire. Unlike
/// tokio's, one made outside any runtime does not panic: it finds its
/// runtime when first polled, so `rt.block_on(timeout(..))` works, and a
/// `timeout` around a future that is ready at once never touches a timer.
///
/// # Panics
///
/// When first polled with its deadline ahead outside of an edgeio runtime,
/// if it was made outside one too; or with its deadline ahead after its
/// runtime shut down.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    /// The runtime whose wheel gets the timer: the one current where the
    /// `Sleep` was made, or, if none was, the one current at the first
    /// poll that needs a timer. Set whenever `entry` is.
    reactor: Option<Arc<Reactor>>,
    /// The timer, once registered.
    entry: Option<EntryRef>,
    /// A poll returned `Ready` for the current deadline.
    completed: bool,
}

impl Sleep {
    /// The instant this sleep completes.
    #[must_use]
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether this sleep has completed: its timer fired, or a poll found
    /// its deadline passed. Changing the deadline with [`Sleep::reset`]
    /// clears it.
    #[must_use]
    pub fn is_elapsed(&self) -> bool {
        self.completed || self.entry.as_ref().is_some_and(|entry| entry.state() == FIRED)
    }

    /// The registered timer and the reactor that has it.
    fn timer(&self) -> Option<(&Arc<Reactor>, &EntryRef)> {
        self.reactor.as_ref().zip(self.entry.as_ref())
    }

    /// Moves the deadline, whether or not the sleep has completed.
    ///
    /// The task waiting on it, if any, keeps its wake-up: it is woken at
    /// the new deadline (at once if that has passed), even when another
    /// task (sharing the `Sleep` behind a lock) called `reset`. Moving the
    /// deadline later costs an atomic store; earlier, also a message to the
    /// timer driver, as does the first registration.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.deadline = deadline;
        this.completed = false;
        let Some((reactor, entry)) = this.timer() else {
            // Never registered: the next poll will.
            return;
        };
        if deadline <= reactor.clock().now() {
            // Due: no timer needed. Wake the waiting task so that it polls
            // and completes.
            reactor.cancel_timer(entry);
            entry.waker.wake();
        } else {
            reactor.set_timer(entry, deadline);
        }
    }

    /// Ready once the deadline has passed; until then keeps the timer armed
    /// with the latest waker.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(entry) = &self.entry {
            let state = entry.state();
            if state == FIRED {
                return Poll::Ready(());
            }
            if armed(state).is_some() {
                // The fast path: no clock read, no shared lock. Register,
                // then look again, so a fire in between is not missed.
                entry.waker.register(cx.waker());
                match entry.state() {
                    FIRED => return Poll::Ready(()),
                    state if armed(state).is_some() => return Poll::Pending,
                    // Disarmed meanwhile (shutdown): decide below.
                    _ => {}
                }
            }
        }
        // Not armed: the clock decides.
        let reactor = match &self.reactor {
            Some(reactor) => reactor,
            None => self.reactor.insert(
                context::with_current(|shared| shared.reactor.clone())
                    .unwrap_or_else(|| Handle::current().reactor().clone()),
            ),
        };
        if self.deadline <= reactor.clock().now() {
            return Poll::Ready(());
        }
        if reactor.is_shutdown() {
            if worker::is_polling_task_of(reactor) {
                // One of the runtime's own tasks (one that dropped its
                // runtime, say): shutdown cancels it after this poll.
                return Poll::Pending;
            }
            // Documented on `Sleep`, and tokio's words, so that code
            // ported from tokio recognises it.
            panic!("An edgeio runtime context was found, but it is being shutdown: a timer cannot wait after its runtime shut down.");
        }
        let entry = self.entry.get_or_insert_with(EntryRef::new);
        entry.waker.register(cx.waker());
        reactor.set_timer(entry, self.deadline);
        Poll::Pending
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A loop of expired sleeps (`sleep(ZERO)`, an interval that fell
        // behind) must yield to other tasks like a loop of I/O does.
        let result = coop::budgeted(cx, |cx| self.poll_deadline(cx));
        if result.is_ready() {
            self.completed = true;
        }
        result
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (Some(reactor), Some(entry)) = (&self.reactor, self.entry.take()) {
            reactor.cancel_timer(&entry);
            // The task's waker goes now, not when the driver gets to the
            // entry.
            drop(entry.waker.take());
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("is_elapsed", &self.is_elapsed())
            .finish()
    }
}
