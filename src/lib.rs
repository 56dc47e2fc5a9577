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
//! `AsyncRead`/`AsyncWrite`), [`time`] (sleep, timeout, interval), and the
//! [`main`] and [`test`] attribute macros.
//!
//! Optional features: `hyper` (the `edgeio::hyper` module: hyper 1.x,
//! axum and tonic on edgeio) and `tokio-io` (tokio's
//! `AsyncRead`/`AsyncWrite` for the stream types). What else of the
//! ecosystem runs on edgeio, and how: `docs/ECOSYSTEM.md`.

use std::future::Future;

pub use edgeio_macros::{main, test};
pub use edgeio_runtime::{
    signal, spawn, spawn_blocking, time, yield_now, Builder, Handle, JoinError, JoinHandle, Metrics,
    Registration, Runtime, YieldNow,
};

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
