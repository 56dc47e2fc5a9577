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
pub mod time;
mod trace;

pub use blocking::spawn_blocking;
pub use executor::join_handle::{JoinError, JoinHandle};
pub use executor::yield_now::{yield_now, YieldNow};
pub use io::io_wait::IoWait;
pub use io::registration::Registration;
pub use runtime::{spawn, Builder, Handle, Metrics, Runtime};

/// The internals the loom models in `runtime/tests/loom_*.rs` drive. Only
/// exists under `RUSTFLAGS="--cfg loom"`; not an API.
#[cfg(loom)]
#[doc(hidden)]
pub mod __loom {
    pub use crate::executor::idle::loom_api::Idle;
    pub use crate::io::source::loom_api::{
        Direction, ReadyEvent, Source, WaitKey, READABLE, READ_CLOSED, WRITABLE,
    };
}
