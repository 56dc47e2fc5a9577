//! hyper 1.x on edgeio (feature `hyper`): what hyper-util's `rt::tokio`
//! module and `axum::serve` give a tokio program.
//!
//! hyper does not depend on a runtime: it reads and writes through its own
//! [`rt::Read`](hyper::rt::Read)/[`rt::Write`](hyper::rt::Write) traits,
//! spawns through an [`rt::Executor`](hyper::rt::Executor) and sleeps
//! through an [`rt::Timer`](hyper::rt::Timer). This module implements
//! them on edgeio:
//!
//! - [`Io`] adapts any `futures-io` stream (edgeio's sockets, a TLS
//!   stream) to hyper's I/O traits, and hyper's upgraded connections back
//!   to `futures-io`;
//! - [`Executor`] and [`Timer`] run hyper's background tasks and timeouts
//!   on edgeio;
//! - [`Connector`] opens TCP connections for hyper-util's pooled client;
//! - [`serve`] runs an HTTP/1 + HTTP/2 server for any tower service (an
//!   `axum::Router`, a tonic service), with graceful shutdown.
//!
//! An `axum::Router` is served with `edgeio::hyper::serve(listener, app)`
//! (axum without its default `tokio` feature, which only adds
//! `axum::serve`, and that needs tokio's reactor); see the `axum`, `grpc`,
//! `https`, `http_client` and `hyper_server` examples, and
//! `docs/ECOSYSTEM.md`.

mod connector;
mod executor;
mod io;
mod listener;
mod read_window;
mod serve;
mod service;
mod timer;

pub use connector::{Connecting, Connector};
pub use executor::Executor;
pub use io::Io;
pub use listener::Listener;
pub use serve::{serve, Serve, WithGracefulShutdown};
pub use service::HyperToTowerService;
pub use timer::Timer;
