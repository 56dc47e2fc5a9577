//! Async I/O traits, helpers and standard streams, in the shape of
//! `tokio::io`, built on `futures-io`'s traits.
//!
//! edgeio's I/O objects implement the `futures-io` traits
//! ([`AsyncRead`], [`AsyncWrite`], [`AsyncBufRead`], [`AsyncSeek`]), and
//! the extension traits that give them `read`, `write_all`, `read_line`,
//! `seek`, ... come from `futures-util`; both are re-exported here, so
//!
//! ```
//! use edgeio::io::{AsyncReadExt, AsyncWriteExt};
//! ```
//!
//! is all a module needs. Unlike tokio's `AsyncRead`, `futures-io`'s reads
//! into a plain `&mut [u8]`, and its `AsyncWrite` names shutdown `close`.
//!
//! On top of those:
//!
//! - [`copy`]: a reader into a writer, tokio's way (no read after end of
//!   file, a flush whenever the reader waits, the budget spent).
//! - [`copy_bidirectional`]: a proxy's two copy loops, with half-close.
//! - [`split`]: read and write halves of any stream, for two tasks.
//! - [`duplex`] and [`simplex`]: in-memory pipes (two-way and one-way)
//!   with backpressure.
//! - [`join`]: a reader and a writer as one stream, the opposite of
//!   [`split`].
//! - [`BufStream`]: a stream buffered both ways.
//! - [`empty`], [`repeat`], [`sink`]: streams that never wait, and spend
//!   the cooperative budget as sockets do (tokio's, not `futures-util`'s).
//! - [`stdin`], [`stdout`], [`stderr`]: the standard streams, on the
//!   blocking pool (see [`Stdin`] for why).
//! - [`unix::AsyncFd`]: readiness of any file descriptor, tokio's way.

mod always_ready;
pub(crate) mod blocking;
pub(crate) mod buf;
mod buf_stream;
mod copy;
mod copy_bidirectional;
mod duplex;
mod join;
mod simplex;
mod split;
mod stdio;
#[cfg(feature = "tokio-io")]
mod tokio_io;

pub use always_ready::{empty, repeat, sink, Empty, Repeat, Sink};
pub use buf_stream::BufStream;
pub use copy::copy;
pub use copy_bidirectional::{copy_bidirectional, copy_bidirectional_with_sizes};
pub use duplex::{duplex, DuplexStream};
pub use join::{join, Join};
pub use simplex::{simplex, SimplexStream};
pub use split::{split, ReadHalf, ReuniteError, WriteHalf};
pub use stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    copy_buf, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter, Chain,
    Cursor, Lines, Take,
};
pub use std::io::{Error, ErrorKind, Result, SeekFrom};

/// Readiness a socket is asked for, and what it reported (tokio's
/// `io::Interest` and `io::Ready`), for the sockets' `ready` methods.
pub use edgeio_runtime::{Interest, Ready};

/// tokio's `tokio::io::unix`: [`AsyncFd`](unix::AsyncFd) and its guards,
/// for file descriptors no socket type covers (a tun device, an inotify
/// or netlink socket, a pipe from another library).
/// [`edgeio::net::Async`](crate::net::Async) does the same job with
/// async-io's interface.
pub mod unix {
    pub use edgeio_runtime::{
        AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, AsyncFdTryNewError, TryIoError,
    };
}
