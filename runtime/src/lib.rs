//! The core of edgeio: a work-stealing executor and an edge-triggered epoll
//! reactor.
//!
//! Most users depend on the `edgeio` facade crate instead, which re-exports
//! this crate together with sockets and the `#[main]`/`#[test]` macros.
//!
//! # How it fits together
//!
//! - [`Runtime`] owns one reactor and N worker threads. Tasks
//!   (`async-task` runnables) wait in a per-worker local queue, a LIFO slot
//!   for the task most recently woken, or a global injector; idle workers
//!   steal from each other. Under overload a worker keeps up to 128 tasks
//!   woken by the reactor in its local queue and sends the rest to the
//!   injector, which it drains fast enough that none waits there much
//!   longer than 250 ms ([`Builder::max_injector_wait`]).
//! - The reactor is one epoll instance. Every fd is registered once,
//!   edge-triggered, for both directions; readiness is tracked in user space
//!   ([`Registration`]). There is no reactor thread: a worker that runs out
//!   of tasks blocks in `epoll_wait` on behalf of all. While threads outside
//!   the runtime keep waking it within microseconds, a worker spins for up
//!   to 2 µs before it blocks, and backs off when those spins find nothing.
//! - Timers live in the reactor and bound its `epoll_wait` timeout.
//!
//! # Features
//!
//! - `tracing`: a `tracing` span (target `edgeio`) around every task poll,
//!   and events for task spawns, reactor polls, fd registrations and worker
//!   parking. [`Runtime::metrics`] is always
//!   available.

mod block_on;
mod blocking;
mod context;
mod coop;
mod idle;
mod io_wait;
mod join_handle;
mod reactor;
mod registration;
mod registry;
mod runtime;
mod scheduler;
pub mod signal;
mod source;
mod sync;
mod sys;
mod task_future;
mod task_set;
pub mod time;
mod timers;
mod trace;
mod worker;
mod yield_now;

pub use blocking::spawn_blocking;
pub use io_wait::IoWait;
pub use join_handle::{JoinError, JoinHandle};
pub use registration::Registration;
pub use runtime::{spawn, Builder, Handle, Metrics, Runtime};
pub use yield_now::{yield_now, YieldNow};

/// The internals the loom models in `runtime/tests/loom_*.rs` drive. Only
/// exists under `RUSTFLAGS="--cfg loom"`; not an API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    pub use crate::idle::loom_api::Idle;
    pub use crate::source::loom_api::{
        Direction, ReadyEvent, Source, WaitKey, READABLE, READ_CLOSED, WRITABLE,
    };
}
