//! tokio's [`AsyncRead`](tokio::io::AsyncRead) and
//! [`AsyncWrite`](tokio::io::AsyncWrite) for the stream sockets and their
//! halves, and for the pipe ends of [`unix::pipe`](crate::unix::pipe)
//! (feature `tokio-io`), so that code written against tokio's
//! traits (`tokio_util::codec::Framed`, `tokio::io::copy`, TLS and
//! protocol crates) takes an edgeio stream as it is, without a `.compat()`
//! wrapper.
//!
//! Only the traits come from tokio (built without any of its features):
//! every operation still goes through edgeio's reactor, exactly like the
//! `futures-io` impls it forwards to.
//!
//! ```
//! # edgeio_runtime::Runtime::new().unwrap().block_on(async {
//! use std::pin::Pin;
//! use edgeio_net::AsyncUnixStream;
//!
//! let (a, b) = AsyncUnixStream::pair()?;
//! let mut a = a;
//! let mut b = b;
//! std::future::poll_fn(|cx| tokio::io::AsyncWrite::poll_write(Pin::new(&mut a), cx, b"hi")).await?;
//! let mut storage = [0; 8];
//! let mut buf = tokio::io::ReadBuf::new(&mut storage);
//! std::future::poll_fn(|cx| tokio::io::AsyncRead::poll_read(Pin::new(&mut b), cx, &mut buf)).await?;
//! assert_eq!(buf.filled(), b"hi");
//! # std::io::Result::Ok(()) }).unwrap();
//! ```
//!
//! # Reading into uninitialized memory
//!
//! tokio's `ReadBuf` may hand out memory that was never written, which
//! safe code can only read into after zeroing it. These impls zero the
//! part of the buffer they read into (at most [`MAX_READ`] bytes per call,
//! and only once per `ReadBuf`: it remembers what is initialized), then
//! read through the `futures-io` impl. Zeroing a few KiB costs far less
//! than the system call that follows it.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::unix::pipe;
use crate::{AsyncTcpStream, AsyncUnixStream, ReadHalf, WriteHalf};

/// The most one `poll_read` asks for, so that a huge, fresh `ReadBuf` is
/// not zeroed whole for a read that brings a few bytes. 64 KiB is the
/// largest a TCP receive usually hands over at once.
const MAX_READ: usize = 64 * 1024;

/// tokio's `poll_read` on top of futures-io's.
fn poll_read<R>(reader: Pin<&mut R>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>>
where
    R: futures_io::AsyncRead + ?Sized,
{
    let len = buf.remaining().min(MAX_READ);
    // tokio's contract: a full buffer reads nothing, successfully (an
    // empty read would otherwise look like end-of-stream).
    if len == 0 {
        return Poll::Ready(Ok(()));
    }
    let n = ready!(reader.poll_read(cx, buf.initialize_unfilled_to(len)))?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}

/// tokio's `AsyncRead` forwarded to the type's futures-io `AsyncRead`.
macro_rules! tokio_read {
    ($(impl$([$($generics:tt)*])? for $ty:ty $(where [$($bounds:tt)*])?;)*) => {$(
        impl$(<$($generics)*>)? AsyncRead for $ty $(where $($bounds)*)? {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                poll_read(self, cx, buf)
            }
        }
    )*};
}

/// tokio's `AsyncWrite` forwarded to the type's futures-io `AsyncWrite`;
/// tokio's `shutdown` is futures-io's `close` (shut down the writing
/// direction, so the peer reads end-of-stream; for a pipe, nothing, as
/// tokio's: it closes when dropped).
macro_rules! tokio_write {
    ($(impl$([$($generics:tt)*])? for $ty:ty $(where [$($bounds:tt)*])?;)*) => {$(
        impl$(<$($generics)*>)? AsyncWrite for $ty $(where $($bounds)*)? {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            /// The sockets and pipes write vectors with one `writev`.
            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    )*};
}

tokio_read! {
    impl for pipe::Receiver;
    impl['a] for &'a pipe::Receiver;
    impl for AsyncTcpStream;
    impl for AsyncUnixStream;
    impl['a] for &'a AsyncTcpStream;
    impl['a] for &'a AsyncUnixStream;
    impl[S] for ReadHalf<S> where [for<'a> &'a S: futures_io::AsyncRead];
}

tokio_write! {
    impl for pipe::Sender;
    impl['a] for &'a pipe::Sender;
    impl for AsyncTcpStream;
    impl for AsyncUnixStream;
    impl['a] for &'a AsyncTcpStream;
    impl['a] for &'a AsyncUnixStream;
    impl[S] for WriteHalf<S> where [for<'a> &'a S: futures_io::AsyncWrite];
}
