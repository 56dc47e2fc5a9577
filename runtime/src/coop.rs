//! Cooperative scheduling budget.
//!
//! A task that reads from a socket which always has data would never see
//! `Pending` and could keep its worker forever. Each task poll gets a budget
//! of I/O operations; once it is spent, I/O resources return `Pending` (after
//! waking the task), so the task goes to the back of the queue and the
//! others get their turn.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations a task may perform in one poll before it must yield.
const BUDGET: u8 = 128;

thread_local! {
    static REMAINING: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Gives the task about to be polled on this thread a fresh budget.
pub(crate) fn reset() {
    REMAINING.with(|r| r.set(Some(BUDGET)));
}

/// Spends one unit of budget, or yields if none is left. Threads that are
/// not running a task of ours have no budget and are never throttled.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    REMAINING.with(|r| match r.get() {
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            r.set(Some(n - 1));
            Poll::Ready(())
        }
        None => Poll::Ready(()),
    })
}
