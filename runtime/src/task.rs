//! Tasks, under tokio's `task` module names: spawning, handles, sets of
//! tasks, ids, task-local values and the cooperative budget.

pub use crate::executor::abort_handle::AbortHandle;
pub use crate::executor::coop::{consume_budget, unconstrained, Unconstrained};
pub use crate::executor::join_error::JoinError;
pub use crate::executor::join_handle::JoinHandle;
pub use crate::executor::join_set::JoinSet;
pub use crate::executor::task_id::{id, try_id, Id};
pub use crate::executor::task_local::{AccessError, LocalKey};
pub use crate::executor::yield_now::{yield_now, YieldNow};
pub use crate::runtime::spawn;
pub use crate::runtime::spawn_blocking;

/// The cooperative budget, as tokio's `task::coop`: each task poll may
/// complete a bounded number of operations before it has to yield.
pub mod coop {
    pub use crate::executor::coop::{
        consume_budget, cooperative, has_budget_remaining, poll_proceed, unconstrained, Coop,
        RestoreOnPending, Unconstrained,
    };
}

/// Futures returned by this module's functions, as in tokio's
/// `task::futures`.
pub mod futures {
    pub use crate::executor::task_local::TaskLocalFuture;
}
