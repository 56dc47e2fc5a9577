//! Cooperative scheduling budget.
//!
//! A task that reads from a socket which always has data would never see
//! `Pending` and could keep its worker forever. Each task poll gets a budget
//! of I/O operations; once it is spent, I/O resources return `Pending` and
//! the task is deferred (see `defer.rs`): it runs again only after the
//! worker has polled the reactor and timers, and after the tasks that poll
//! woke.

use std::cell::Cell;
use std::marker::PhantomData;
use std::task::{Context, Poll};

use crate::executor::defer;

/// Operations a task may perform in one poll before it must yield
/// (tokio's value).
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
        defer::defer(cx.waker());
        return Poll::Pending;
    }
    let result = op(cx);
    if result.is_ready() {
        REMAINING.with(|r| r.set(r.get().map(|n| n.saturating_sub(1))));
    }
    result
}

/// Spends one unit of the current task's budget, yielding first if it is
/// spent (tokio's `task::consume_budget`).
///
/// For a loop that does much work per iteration without ever awaiting
/// I/O (which spends the budget on its own), so that it still gives
/// other tasks their turn, but only once its budget is used up rather
/// than on every iteration as `yield_now` would. Outside a task of ours
/// there is no budget and it never yields.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let mut sum = 0u64;
/// for i in 0..10_000 {
///     sum += i;
///     edgeio_runtime::task::consume_budget().await;
/// }
/// assert_eq!(sum, 49_995_000);
/// # });
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(|cx| budgeted(cx, |_| Poll::Ready(()))).await;
}

/// Runs `future` without a budget: the I/O it does never yields because
/// the task spent its budget (tokio's `task::unconstrained`).
///
/// For a future that must not be interrupted, e.g. one draining a socket
/// to a deadline. It can keep its worker for as long as it never returns
/// `Pending` on its own, so use it with care.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let value = edgeio_runtime::task::unconstrained(async { 7 }).await;
/// assert_eq!(value, 7);
/// # });
/// ```
pub fn unconstrained<F: std::future::Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

pin_project_lite::pin_project! {
    /// The future [`unconstrained`] returns.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Unconstrained<F> {
        #[pin]
        future: F,
    }
}

impl<F: std::future::Future> std::future::Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // No budget for the inner poll; the task's own one, untouched,
        // comes back afterwards (the guard restores it, panic or not).
        let _unbudgeted = Budget(REMAINING.with(|r| r.replace(None)));
        self.project().future.poll(cx)
    }
}

/// Whether the current task has budget left (always true outside a task
/// of ours, or inside [`unconstrained`]); tokio's
/// `task::coop::has_budget_remaining`.
///
/// For a combinator that must tell whether its inner future used up the
/// budget, e.g. a timeout that should still fire.
#[must_use]
pub fn has_budget_remaining() -> bool {
    REMAINING.try_with(Cell::get) != Ok(Some(0))
}

/// Spends one unit of the current task's budget for an operation about
/// to be tried, or, if it is spent, arranges for the task to run again
/// after the reactor poll and returns `Pending` (tokio's
/// `task::coop::poll_proceed`).
///
/// For a hand-written future that should take part in the budget as
/// edgeio's sockets do: call it first in `poll`, and call
/// [`RestoreOnPending::made_progress`] once the operation did something.
/// Dropped without that (the operation returned `Pending`), the guard puts
/// the unit back, so waiting costs nothing.
///
/// ```
/// use std::future::poll_fn;
/// use std::task::{ready, Poll};
/// use edgeio_runtime::task::coop::poll_proceed;
///
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let mut left = 3;
/// poll_fn(|cx| loop {
///     let restore = ready!(poll_proceed(cx));
///     restore.made_progress();
///     left -= 1;
///     if left == 0 {
///         return Poll::Ready(());
///     }
/// })
/// .await;
/// # });
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let before = REMAINING.try_with(Cell::get).ok().flatten();
    match before {
        Some(0) => {
            defer::defer(cx.waker());
            Poll::Pending
        }
        Some(n) => {
            REMAINING.with(|r| r.set(Some(n - 1)));
            Poll::Ready(RestoreOnPending::new(before))
        }
        None => Poll::Ready(RestoreOnPending::new(None)),
    }
}

/// The guard [`poll_proceed`] returns: dropped without
/// [`made_progress`](Self::made_progress), it gives the unit back
/// (tokio's `task::coop::RestoreOnPending`).
///
/// Neither `Send` nor `Sync`, as tokio's: the budget it gives back is its
/// thread's.
#[must_use = "dropping the guard at once gives the unit back"]
#[derive(Debug)]
pub struct RestoreOnPending(Cell<Option<u8>>, PhantomData<*const ()>);

impl RestoreOnPending {
    fn new(before: Option<u8>) -> RestoreOnPending {
        RestoreOnPending(Cell::new(before), PhantomData)
    }

    /// The operation made progress: the unit stays spent.
    pub fn made_progress(&self) {
        self.0.set(None);
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(before) = self.0.get() {
            // Only into a budget still there: a guard kept past its
            // task's poll must not give a budget to whatever the thread
            // runs next. `try_with`: it may be dropped while the thread's
            // locals are.
            let _ = REMAINING.try_with(|r| {
                if r.get().is_some() {
                    r.set(Some(before));
                }
            });
        }
    }
}

/// Makes `future` spend the task's budget: each poll first checks it
/// (yielding if it is spent) and completing spends one unit, as edgeio's
/// sockets do; tokio's `task::coop::cooperative`.
///
/// For futures that know nothing of edgeio's budget, such as the
/// [`sync`](https://docs.rs/tokio/latest/tokio/sync/) primitives
/// `edgeio::sync` re-exports, so that a loop over an always-ready
/// channel still gives other tasks their turn:
///
/// ```
/// use edgeio_runtime::task::coop::cooperative;
///
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, rx) = std::sync::mpsc::channel::<u32>();
/// tx.send(1).unwrap();
/// let got = cooperative(async { rx.recv().unwrap() }).await;
/// assert_eq!(got, 1);
/// # });
/// ```
pub fn cooperative<F: std::future::Future>(future: F) -> Coop<F> {
    Coop { future }
}

pin_project_lite::pin_project! {
    /// The future [`cooperative`] returns.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Coop<F> {
        #[pin]
        future: F,
    }
}

impl<F: std::future::Future> std::future::Future for Coop<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let future = self.project().future;
        budgeted(cx, |cx| future.poll(cx))
    }
}

/// Runs `f` with no budget, then restores the task's. For `Timeout`: its
/// deadline must be checked even after its future spent the budget.
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    let _restore = Budget(REMAINING.with(|r| r.replace(None)));
    f()
}
