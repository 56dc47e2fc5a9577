//! edgeio: an async runtime for Linux built on an edge-triggered epoll
//! reactor.
//!
//! ```no_run
//! use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
//! use futures_util::io::{AsyncReadExt, AsyncWriteExt};
//!
//! #[edgeio::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = AsyncTcpListener::bind("127.0.0.1:7000")?;
//!     loop {
//!         let (mut stream, _peer) = listener.accept().await?;
//!         edgeio::spawn(async move {
//!             let mut buf = vec![0; 4096];
//!             while let Ok(n @ 1..) = stream.read(&mut buf).await {
//!                 if stream.write_all(&buf[..n]).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         })
//!         .detach();
//!     }
//! }
//! ```
//!
//! The pieces: [`Runtime`] (executor and reactor, see `edgeio-runtime`),
//! [`net`] (TCP, UDP and Unix sockets implementing `futures-io`'s
//! `AsyncRead`/`AsyncWrite`), [`time`] (sleep, timeout, interval), [`task`]
//! (spawning, `JoinSet`, abort handles, task ids, task-locals, `!Send`
//! tasks), [`sync`] (tokio's channels and locks), [`fs`] (files on the
//! blocking pool), [`io`] (the I/O traits, `copy`, `copy_bidirectional`,
//! `split`, `join`, `duplex`, `simplex`, `BufStream`, standard streams), [`signal`] (Ctrl-C and any Unix signal),
//! [`process`] (child processes with async pipes), [`select!`], [`join!`]
//! and [`try_join!`], and the [`main`] and [`test`] attribute macros.
//! Porting from tokio: `docs/TOKIO-PORTING.md` maps each tokio name to
//! edgeio's.
//!
//! Optional features: `hyper` (the `edgeio::hyper` module: hyper 1.x,
//! axum and tonic on edgeio) and `tokio-io` (tokio's
//! `AsyncRead`/`AsyncWrite` for the sockets, files, a child's pipes,
//! stdio and the in-memory streams). What else of the
//! ecosystem runs on edgeio, and how: `docs/ECOSYSTEM.md`.

use std::future::Future;

pub use edgeio_macros::{main, test};
pub use edgeio_runtime::{
    block_in_place, signal, spawn, spawn_blocking, spawn_local, time, yield_now, Builder, Handle, JoinError,
    JoinHandle, LocalSet, Metrics, Registration, Runtime, YieldNow,
};

/// The runtime, its builder and handle, at tokio's paths
/// (`tokio::runtime::{Builder, Runtime, Handle}`).
pub mod runtime {
    /// tokio's name for a runtime's id ([`Handle::id`]).
    pub use edgeio_runtime::RuntimeId as Id;
    pub use edgeio_runtime::{
        is_rt_shutdown_err, Builder, EnterGuard, Handle, LocalOptions, LocalRuntime, LocalRuntimeEnterGuard,
        Metrics, Runtime, RuntimeFlavor,
    };
    /// tokio's name for the counters of a runtime.
    pub type RuntimeMetrics = Metrics;
}

pub mod fs;
pub mod io;
pub mod process;
pub mod sync;
pub mod task;

/// Declares task-local values (tokio's `task_local!`); see
/// [`task::LocalKey`].
pub use edgeio_runtime::task_local;

/// Waits on several futures at once and runs the branch of the first to
/// complete, cancelling the others: tokio's `select!`, behind a check of
/// edgeio's cooperative budget.
///
/// Futures need no `.fuse()`; branches take the form
/// `pattern = future (, if precondition)? => handler,`, start in random
/// order unless the block begins with `biased;`, and an `else => ...`
/// branch runs when every future is disabled. See tokio's documentation of
/// `select!` for the details.
///
/// Like tokio's inside a tokio runtime, it does not start while the task's
/// budget is spent (see [`task::coop`]): it yields first, so a loop over a
/// `select!` whose branches are always ready still lets the worker's
/// other tasks, I/O and timers have their turn. tokio's macro alone
/// checks tokio's budget, which does not exist outside a tokio runtime, so
/// edgeio's checks its own before handing over to it. One difference: the
/// check is made when the `select!` starts, not again on each later poll
/// of a `select!` that waits (its branches are then waiting on something
/// anyway).
///
/// ```
/// # edgeio::block_on(async {
/// let (tx, mut rx) = edgeio::sync::mpsc::channel::<u32>(1);
/// tx.send(7).await.unwrap();
/// let got = edgeio::select! {
///     biased;
///     Some(n) = rx.recv() => n,
///     _ = edgeio::time::sleep(std::time::Duration::from_secs(5)) => 0,
/// };
/// assert_eq!(got, 7);
/// # });
/// ```
#[macro_export]
macro_rules! select {
    ($($branches:tt)*) => {{
        $crate::__private::budget_available().await;
        $crate::__private::tokio::select! { $($branches)* }
    }};
}

/// Waits for several futures concurrently, on the current task, and
/// returns all their outputs: tokio's `join!`, re-exported.
///
/// ```
/// # edgeio::block_on(async {
/// let (a, b) = edgeio::join!(async { 1 }, async { "two" });
/// assert_eq!((a, b), (1, "two"));
/// # });
/// ```
pub use tokio::join;

/// As [`join!`], for futures returning `Result`: returns the first error
/// (dropping the other futures) or all the values: tokio's `try_join!`,
/// re-exported.
///
/// ```
/// # edgeio::block_on(async {
/// let joined: Result<(u8, u8), &str> = edgeio::try_join!(async { Ok(1) }, async { Err("no") });
/// assert_eq!(joined, Err("no"));
/// # });
/// ```
pub use tokio::try_join;

/// Pins values on the stack (tokio's `pin!`, re-exported): after
/// `edgeio::pin!(fut);`, `fut` is a `Pin<&mut _>` that can be polled by
/// reference, e.g. in a `select!` loop.
///
/// ```
/// # edgeio::block_on(async {
/// let fut = async { 7 };
/// edgeio::pin!(fut);
/// assert_eq!((&mut fut).await, 7);
/// # });
/// ```
pub use tokio::pin;
#[cfg(feature = "hyper")]
pub mod hyper;

/// Sockets driven by the runtime's reactor.
pub mod net {
    pub use edgeio_net::*;
}

/// Runs `future` to completion on a new runtime with the default
/// configuration, which is shut down before returning.
///
/// # Panics
///
/// If the runtime cannot be created (the process is out of file
/// descriptors or threads), or when called from inside a runtime task.
///
/// ```
/// let sum = edgeio::block_on(async { edgeio::spawn(async { 2 + 2 }).await.unwrap() });
/// assert_eq!(sum, 4);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    Runtime::new()
        .expect("failed to start the edgeio runtime")
        .block_on(future)
}

#[doc(hidden)]
pub mod __private;
