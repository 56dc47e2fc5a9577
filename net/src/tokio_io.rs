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

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::ReadBuf;

use crate::unix::pipe;
use crate::{AsyncTcpStream, AsyncUnixStream, ReadHalf, WriteHalf};

/// The most one `poll_read` asks for, so that a huge, fresh `ReadBuf` is
/// not zeroed whole for a read that brings a few bytes. 64 KiB is the
/// largest a TCP receive usually hands over at once.
const MAX_READ: usize = 64 * 1024;

/// tokio's `poll_read` on top of futures-io's.
pub fn poll_read<R>(reader: Pin<&mut R>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>>
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
/// Exported (hidden) for the `edgeio` crate's own I/O types.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_read {
    ($(impl$([$($generics:tt)*])? for $ty:ty $(where [$($bounds:tt)*])?;)*) => {$(
        impl$(<$($generics)*>)? $crate::__tokio_io::AsyncRead for $ty $(where $($bounds)*)? {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut $crate::__tokio_io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::__tokio_io::poll_read(self, cx, buf)
            }
        }
    )*};
}

/// tokio's `AsyncWrite` forwarded to the type's futures-io `AsyncWrite`;
/// tokio's `shutdown` is futures-io's `close` (shut down the writing
/// direction, so the peer reads end-of-stream; for a pipe, nothing, as
/// tokio's: it closes when dropped). `is_write_vectored` says `vectored`
/// (true: one `writev`, as the sockets and pipes do), `false` if not given.
/// Exported (hidden) for the `edgeio` crate's own I/O types.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_write {
    ($(impl$([$($generics:tt)*])? for $ty:ty $(where [$($bounds:tt)*])? $(, vectored = $vectored:literal)?;)*) => {$(
        impl$(<$($generics)*>)? $crate::__tokio_io::AsyncWrite for $ty $(where $($bounds)*)? {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::__tokio_io::FuturesWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::__tokio_io::FuturesWrite::poll_write_vectored(self, cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                false $(|| $vectored)?
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::__tokio_io::FuturesWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::__tokio_io::FuturesWrite::poll_close(self, cx)
            }
        }
    )*};
}

/// tokio's `AsyncBufRead` forwarded to the type's futures-io
/// `AsyncBufRead`. Exported (hidden) for the `edgeio` crate's own I/O
/// types.
#[doc(hidden)]
#[macro_export]
macro_rules! __tokio_buf_read {
    ($(impl$([$($generics:tt)*])? for $ty:ty $(where [$($bounds:tt)*])?;)*) => {$(
        impl$(<$($generics)*>)? $crate::__tokio_io::AsyncBufRead for $ty $(where $($bounds)*)? {
            fn poll_fill_buf(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<&[u8]>> {
                $crate::__tokio_io::FuturesBufRead::poll_fill_buf(self, cx)
            }

            fn consume(self: ::std::pin::Pin<&mut Self>, amt: usize) {
                $crate::__tokio_io::FuturesBufRead::consume(self, amt)
            }
        }
    )*};
}

crate::__tokio_read! {
    impl for pipe::Receiver;
    impl['a] for &'a pipe::Receiver;
    impl for AsyncTcpStream;
    impl for AsyncUnixStream;
    impl['a] for &'a AsyncTcpStream;
    impl['a] for &'a AsyncUnixStream;
    impl[S] for ReadHalf<S> where [for<'a> &'a S: futures_io::AsyncRead];
}

crate::__tokio_write! {
    impl for pipe::Sender, vectored = true;
    impl['a] for &'a pipe::Sender, vectored = true;
    impl for AsyncTcpStream, vectored = true;
    impl for AsyncUnixStream, vectored = true;
    impl['a] for &'a AsyncTcpStream, vectored = true;
    impl['a] for &'a AsyncUnixStream, vectored = true;
    impl[S] for WriteHalf<S> where [for<'a> &'a S: futures_io::AsyncWrite], vectored = true;
}
