//! [`stdin`], [`stdout`], [`stderr`]: the process's standard streams, read
//! and written on the blocking pool. Why: see [`Stdin`].

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::blocking::Blocking;

/// The process's standard input, read on the blocking pool (tokio's
/// `tokio::io::Stdin`). From [`stdin`].
///
/// # Why the blocking pool (for all three)
///
/// Registering fds 0, 1 and 2 with the reactor would need `O_NONBLOCK`, a
/// flag of the *open file description*, which these fds usually share with
/// the parent shell and with every other process started from it. Setting
/// it would make their blocking reads and writes fail with `EAGAIN` (a
/// shell or `cat` that gets `EAGAIN` on a terminal gives up), and it would
/// stay set after this process exits. A redirected stream may also be a
/// regular file, which epoll refuses (`EPERM`). So, as tokio, each read or
/// write is a blocking call on a pool thread, whatever the stream is. To
/// drive a pipe or socket you own (not shared) through the reactor, wrap
/// it in [`net::Async`](crate::net::Async).
///
/// # Consequences
///
/// - Writes are buffered: `write` returns once the bytes are copied, and
///   its error is reported by the next `write` or `flush`. `flush` before
///   exiting, or output may be lost.
/// - A read in flight cannot be cancelled: a pool thread stays blocked in
///   `read(0)` until input arrives or stdin closes, even if the future is
///   dropped (what it then reads is lost with the dropped handle), and a
///   runtime shutting down waits for it (use
///   [`Runtime::shutdown_timeout`](crate::Runtime::shutdown_timeout) or
///   `shutdown_background` to not).
/// - These go through `std::io::stdin()`/`stdout()`/`stderr()` and their
///   locks, so output interleaves with `println!` at whole-write
///   granularity, and `std`'s line buffering of stdout applies.
pub struct Stdin(Blocking<io::Stdin>);

/// The process's standard output, written on the blocking pool (tokio's
/// `tokio::io::Stdout`). From [`stdout`]. Writes are buffered: `flush`.
/// See [`Stdin`] for why the blocking pool and what that implies.
pub struct Stdout(Blocking<io::Stdout>);

/// The process's standard error, written on the blocking pool (tokio's
/// `tokio::io::Stderr`). From [`stderr`]. Writes are buffered: `flush`.
/// See [`Stdin`] for why the blocking pool and what that implies.
pub struct Stderr(Blocking<io::Stderr>);

/// A handle to standard input. Several handles read the same stream, in
/// no defined order.
#[must_use]
pub fn stdin() -> Stdin {
    Stdin(Blocking::new(io::stdin))
}

/// A handle to standard output.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::AsyncWriteExt;
///
/// let mut out = edgeio::io::stdout();
/// out.write_all(b"hello from edgeio\n").await?;
/// out.flush().await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn stdout() -> Stdout {
    Stdout(Blocking::new(io::stdout))
}

/// A handle to standard error.
#[must_use]
pub fn stderr() -> Stderr {
    Stderr(Blocking::new(io::stderr))
}

impl AsyncRead for Stdin {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_read(cx, buf)
    }
}

macro_rules! impl_writer {
    ($name:ident) => {
        impl AsyncWrite for $name {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                self.get_mut().0.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }

            /// Flushes; the stream itself stays open.
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }
        }
    };
}

impl_writer!(Stdout);
impl_writer!(Stderr);

macro_rules! impl_fd {
    ($name:ident, $fd:expr) => {
        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                $fd
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                // SAFETY: the standard fds stay open for the life of the
                // process (as `std::io::Stdin::as_fd` assumes).
                unsafe { BorrowedFd::borrow_raw($fd) }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
    };
}

impl_fd!(Stdin, 0);
impl_fd!(Stdout, 1);
impl_fd!(Stderr, 2);
