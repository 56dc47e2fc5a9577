//! The core of edgeio: a work-stealing executor and an edge-triggered epoll
//! reactor.
//!
//! Most users depend on the `edgeio` facade crate instead, which re-exports
//! this crate together with sockets and the `#[main]`/`#[test]` macros.
//!
//! # How it fits together
//!
//! - [`Runtime`] owns one reactor, a blocking pool, and its workers: N
//!   worker threads ([`Builder::new_multi_thread`]) or one worker run by
//!   the thread inside `block_on` ([`Builder::new_current_thread`]).
//!   Tasks (`async-task` runnables) wait in a per-worker local queue, a
//!   LIFO slot for the task most recently woken, or a global injector;
//!   idle workers search other workers' queues, waking each other one at
//!   a time (tokio's idle protocol). The scheduling protocol, its
//!   fairness bounds (counted in polls) and the shutdown's closed state
//!   are written down at the top of `executor/worker.rs`.
//! - The reactor is one epoll instance. Every fd is registered once,
//!   edge-triggered, for both directions; readiness is tracked in user space
//!   ([`Registration`]). There is no reactor thread: a worker that runs out
//!   of tasks blocks in `epoll_wait` on behalf of all, and busy workers
//!   poll it without blocking every 61 tasks.
//! - A task that yields, or spends its cooperative budget, runs again only
//!   after the next poll of the reactor and timers.
//! - Timers live in a hierarchical timing wheel kept by the reactor, which
//!   bounds its `epoll_wait` timeout by the next expiry; tasks arm, move and
//!   cancel them without taking a shared lock (see [`time`]).
//!
//! # Features
//!
//! - `tracing`: a `tracing` span (target `edgeio`) around every task poll,
//!   and events for task spawns, reactor polls, fd registrations and worker
//!   parking. [`Runtime::metrics`] is always
//!   available.

mod blocking;
mod executor;
mod io;
mod loom;
mod runtime;
pub mod signal;
mod sys;
pub mod task;
pub mod time;
mod trace;

pub use executor::join_error::JoinError;
pub use executor::join_handle::JoinHandle;
pub use executor::local_set::{spawn_local, LocalEnterGuard, LocalSet};
pub use executor::worker::block_in_place;
pub use executor::yield_now::{yield_now, YieldNow};
pub use io::async_fd::{AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, AsyncFdTryNewError, TryIoError};
pub use io::interest::Interest;
pub use io::ready::Ready;
pub use io::registration::{IoWait, Registration};
pub use io::shutdown_error::is_rt_shutdown_err;
pub use runtime::Id as RuntimeId;
pub use runtime::{
    spawn, spawn_blocking, Builder, EnterGuard, Handle, LocalOptions, LocalRuntime, LocalRuntimeEnterGuard,
    Metrics, Runtime, RuntimeFlavor,
};

/// The internals the loom models in `runtime/tests/loom_*.rs` drive. Only
/// exists under `RUSTFLAGS="--cfg loom"`; not an API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    pub use crate::executor::idle::loom_api::Idle;
    pub use crate::io::source::loom_api::{
        Direction, ReadyEvent, Source, WaitKey, ERROR, READABLE, READ_CLOSED, WRITABLE,
    };
}
