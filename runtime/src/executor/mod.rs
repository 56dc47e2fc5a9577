//! The executor: tasks, the queues they wait in, the workers that run
//! them, and the cooperative budget that keeps one task from holding a
//! worker.

pub(crate) mod abort_handle;
pub(crate) mod abort_panic;
pub(crate) mod block_on;
pub(crate) mod context;
pub(crate) mod coop;
pub(crate) mod defer;
pub(crate) mod idle;
pub(crate) mod join_error;
pub(crate) mod join_handle;
pub(crate) mod join_set;
pub(crate) mod local_set;
pub(crate) mod park;
pub(crate) mod scheduler;
pub(crate) mod spawn;
pub(crate) mod task_future;
pub(crate) mod task_id;
pub(crate) mod task_local;
pub(crate) mod task_set;
pub(crate) mod worker;
pub(crate) mod yield_now;
