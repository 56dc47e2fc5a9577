//! Synchronization primitives for async code, under the names of tokio's
//! `sync` module: these *are* tokio's.
//!
//! # Which crate, and why
//!
//! Everything here is re-exported from [`tokio`](https://docs.rs/tokio)
//! built with only its `sync` feature (and `macros`, for
//! [`select!`](crate::select)): no tokio runtime, reactor or timer is
//! compiled in, and none is needed. tokio's primitives are written against
//! `std::task::Waker` alone, so they work on any executor, and they are
//! among the most used and most tested async primitives there are (their
//! internals are model-checked with loom). Re-exporting them, rather than
//! writing them again or taking `async-lock` / `async-channel` /
//! `async-broadcast` (well kept too), keeps the exact semantics code
//! ported from tokio depends on, with nothing to rename:
//!
//! - `broadcast` receivers that fall behind get `RecvError::Lagged(n)` and
//!   skip ahead; the sender never waits for them (`async-broadcast` by
//!   default makes the sender wait for the slowest receiver).
//! - `Mutex` and `RwLock` are fair (first come, first served), `RwLock`
//!   writers are not starved by readers, and guards can be owned
//!   (`lock_owned`) or mapped (`MutexGuard::map`).
//! - `Semaphore` permits can be acquired many at a time, owned, forgotten
//!   and added back; `Notify` stores one permit for a `notify_one` that
//!   found nobody waiting.
//! - `watch` keeps only the latest value and tells receivers whether it
//!   changed since they last looked.
//!
//! Types from this module and tokio's `tokio::sync` are the same types: a
//! library taking a `tokio::sync::mpsc::Sender` takes this one.
//!
//! # Tokio names and edgeio names
//!
//! | tokio | edgeio |
//! |---|---|
//! | `tokio::sync::Mutex`, `MutexGuard`, `OwnedMutexGuard`, `MappedMutexGuard`, `TryLockError` | `edgeio::sync::` the same |
//! | `tokio::sync::RwLock` and its read/write guards | `edgeio::sync::` the same |
//! | `tokio::sync::Semaphore`, `SemaphorePermit`, `OwnedSemaphorePermit`, `AcquireError`, `TryAcquireError` | `edgeio::sync::` the same |
//! | `tokio::sync::Notify` | [`edgeio::sync::Notify`](Notify) |
//! | `tokio::sync::Barrier`, `BarrierWaitResult` | [`edgeio::sync::Barrier`](Barrier), `BarrierWaitResult` |
//! | `tokio::sync::OnceCell`, `SetError` | [`edgeio::sync::OnceCell`](OnceCell), `SetError` |
//! | `tokio::sync::mpsc` (bounded and unbounded, permits, `error::*`) | [`edgeio::sync::mpsc`](mpsc) |
//! | `tokio::sync::oneshot` | [`edgeio::sync::oneshot`](oneshot) |
//! | `tokio::sync::broadcast` | [`edgeio::sync::broadcast`](broadcast) |
//! | `tokio::sync::watch` | [`edgeio::sync::watch`](watch) |
//!
//! Everything else in `tokio::sync` is here under its own name too.
//!
//! # Differences from tokio
//!
//! - **The cooperative budget.** Inside a tokio runtime, receiving from a
//!   channel or taking a lock spends the task's coop budget, so a task
//!   that always finds a message ready still yields now and then. These
//!   primitives know only tokio's budget, which is never set on edgeio's
//!   threads, so here they never force a yield: a loop that only
//!   receives from an always-full channel keeps its worker until the
//!   channel runs dry. Such a loop should wrap the receive in
//!   [`task::coop::cooperative`](crate::task::coop::cooperative) (which
//!   makes any future spend edgeio's budget as edgeio's sockets do), or
//!   call [`task::consume_budget`](crate::task::consume_budget).
//! - **Timeouts.** `mpsc::Sender::send_timeout` needs tokio's timer: it
//!   is absent, unless another crate in the build turns on tokio's `time`
//!   feature, and then it panics when called (no tokio runtime). Use
//!   [`edgeio::time::timeout`](crate::time::timeout) around `send`
//!   instead.
//! - **Blocking calls.** `blocking_recv`, `blocking_send`, `blocking_lock`
//!   and friends, meant for plain threads, panic when called inside a
//!   *tokio* runtime; tokio cannot tell an edgeio worker from a plain
//!   thread, so on one they block the worker instead. Call them only from
//!   plain threads or [`task::spawn_blocking`](crate::task::spawn_blocking).
//!
//! ```
//! use edgeio::sync::{mpsc, oneshot, Mutex};
//! use std::sync::Arc;
//!
//! # edgeio::block_on(async {
//! let (tx, mut rx) = mpsc::channel(16);
//! let total = Arc::new(Mutex::new(0));
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     edgeio::spawn(async move { tx.send(i).await.unwrap() }).detach();
//! }
//! drop(tx);
//! while let Some(i) = rx.recv().await {
//!     *total.lock().await += i;
//! }
//! let (done, answer) = oneshot::channel();
//! done.send(*total.lock().await).unwrap();
//! assert_eq!(answer.await.unwrap(), 6);
//! # });
//! ```

pub use tokio::sync::*;
