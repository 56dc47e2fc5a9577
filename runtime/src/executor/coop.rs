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

/// Gives the task about to be polled on this thread a fresh budget, until
/// the guard is dropped (after the poll). The thread's budget then goes
/// back to what it was: usually none, so that I/O polled on this thread
/// later by some other executor is never throttled.
#[must_use]
pub(crate) fn budget() -> Budget {
    Budget(REMAINING.with(|r| r.replace(Some(BUDGET))))
}

/// Restores the budget [`budget`] replaced.
pub(crate) struct Budget(Option<u8>);

impl Drop for Budget {
    fn drop(&mut self) {
        // `try_with`: a task may be dropped while the thread's locals are.
        let _ = REMAINING.try_with(|r| r.set(self.0));
    }
}

/// Runs one operation under the task's budget. If the budget is spent,
/// wakes the task and yields without running `op`; otherwise runs it, and
/// a `Ready` result spends one unit. A `Pending` one made no progress and
/// costs nothing (as in tokio): a task may wait on as many things as it
/// likes in one poll, but not complete operations forever. Threads that
/// are not running a task of ours have no budget and are never throttled.
#[inline]
pub(crate) fn budgeted<T>(cx: &mut Context<'_>, op: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
    if REMAINING.with(Cell::get) == Some(0) {
        cx.waker().wake_by_ref();
        return Poll::Pending;
    }
    let result = op(cx);
    if result.is_ready() {
        REMAINING.with(|r| r.set(r.get().map(|n| n.saturating_sub(1))));
    }
    result
}

/// Whether the task polled on this thread may still perform an operation
/// (`true` on threads without a budget).
#[inline]
pub(crate) fn has_budget_remaining() -> bool {
    REMAINING.with(Cell::get) != Some(0)
}

/// Runs `f` with no budget, then restores the task's. For `Timeout`: its
/// deadline must be checked even after its future spent the budget.
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    let _restore = Budget(REMAINING.with(|r| r.replace(None)));
    f()
}
