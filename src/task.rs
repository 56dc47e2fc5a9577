//! Asynchronous tasks, under the names of tokio's `task` module.
//!
//! | tokio | edgeio |
//! |---|---|
//! | `task::spawn` | [`task::spawn`](spawn) |
//! | `task::spawn_blocking` | [`task::spawn_blocking`](spawn_blocking) |
//! | `task::yield_now` | [`task::yield_now`](yield_now) |
//! | `task::JoinHandle`, `JoinError` | [`JoinHandle`], [`JoinError`] |
//! | `task::AbortHandle` | [`AbortHandle`] |
//! | `task::JoinSet` | [`JoinSet`] |
//! | `task::Id`, `task::id`, `task::try_id` | [`Id`], [`id`], [`try_id`] |
//! | `task_local!`, `task::LocalKey` | [`task_local!`](crate::task_local), [`LocalKey`] |
//! | `task::futures::TaskLocalFuture` | [`futures::TaskLocalFuture`] |
//! | `task::consume_budget`, `task::unconstrained` | [`consume_budget`], [`unconstrained`] |
//! | `task::coop::{cooperative, has_budget_remaining, poll_proceed, ...}` | [`coop`] |
//! | `task::spawn_local`, `task::LocalSet` | [`spawn_local`], [`LocalSet`] |
//! | `task::block_in_place` | [`block_in_place`] |
//!
//! Differences from tokio, on purpose:
//!
//! - [`JoinHandle::abort_handle`] asks for `T: Send` (edgeio's handle
//!   shares the task's output slot with the `AbortHandle`).
//! - [`JoinHandle::detach`] says "let it run" explicitly; dropping the
//!   handle does the same, as in tokio.
//! - The cooperative budget is spent, as in tokio, by I/O operations that
//!   complete, by a `JoinHandle` yielding its output and by
//!   `JoinSet::join_next` yielding a task; the [`edgeio::sync`](crate::sync)
//!   primitives, tokio's own, do not spend it (see that module). As in
//!   tokio, [`select!`](crate::select) does not start while the budget is
//!   spent.

pub use edgeio_runtime::task::{
    consume_budget, id, spawn, spawn_blocking, try_id, unconstrained, yield_now, AbortHandle, AccessError,
    Id, JoinError, JoinHandle, JoinSet, LocalKey, Unconstrained, YieldNow,
};

/// The cooperative budget (tokio's `task::coop`).
pub mod coop {
    pub use edgeio_runtime::task::coop::{
        consume_budget, cooperative, has_budget_remaining, poll_proceed, unconstrained, Coop,
        RestoreOnPending, Unconstrained,
    };
}

/// Futures returned by this module's functions (tokio's `task::futures`).
pub mod futures {
    pub use edgeio_runtime::task::futures::TaskLocalFuture;
}

/// `!Send` tasks and blocking on a worker (tokio's `spawn_local`,
/// `LocalSet`, `block_in_place`). On the current-thread runtime
/// `spawn_local` also works without a `LocalSet` (its tasks then belong to
/// the `block_on` call); `block_in_place` hands the worker's place to a
/// stand-in thread, as tokio's does, and takes it back when the closure
/// returns (see the function's doc).
pub use edgeio_runtime::{block_in_place, spawn_local, LocalEnterGuard, LocalSet};
