//! [`Io`]: translates between futures-io's I/O traits and hyper's.

use std::io::{self, IoSlice};
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::{self, ReadBuf, ReadBufCursor};
use hyper_util::client::legacy::connect::{Connected, Connection};

use super::read_window::ReadWindow;

pin_project_lite::pin_project! {
    /// Wraps an I/O object to implement the other side's traits: hyper's
    /// [`rt::Read`]/[`rt::Write`] for a `futures-io`
    /// `AsyncRead`/`AsyncWrite` type (an edgeio socket, a
    /// `futures-rustls` stream), and `futures-io`'s traits for a hyper
    /// one (a [`hyper::upgrade::Upgraded`] connection, to hand to
    /// `async-tungstenite` for instance). The counterpart of hyper-util's
    /// `TokioIo`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use edgeio::hyper::Io;
    /// use edgeio::net::AsyncTcpStream;
    ///
    /// let stream = AsyncTcpStream::connect("127.0.0.1:3000").await?;
    /// let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, String>(Io::new(stream)).await?;
    /// edgeio::spawn(conn).detach();
    /// let response = sender.send_request(hyper::Request::new(String::new())).await?;
    /// # drop(response); Ok(()) }
    /// ```
    ///
    /// Reading for hyper: hyper offers memory that may never have been
    /// written, and a `futures-io` reader takes a `&mut [u8]`, which must
    /// not point at such memory. So `Io` zeroes the part it reads into
    /// first, a window that follows the sizes the connection reads (1 KiB
    /// to 64 KiB, doubling when a read fills it): a small `memset` per
    /// read, cheaper than the copy out of a per-connection scratch buffer
    /// it replaces, and no memory held by idle connections. (hyper-util's
    /// `TokioIo` reads into the memory as it is, through tokio's
    /// `ReadBuf`; `futures-io` has no such type.)
    #[derive(Debug)]
    pub struct Io<T> {
        #[pin]
        inner: T,
        window: ReadWindow,
    }
}

impl<T> Io<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Io {
            inner,
            window: ReadWindow::new(),
        }
    }

    /// The wrapped I/O object.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped I/O object, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the I/O object.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead> rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        // SAFETY: the slice is only written below (with zeros, then by the
        // reader), never de-initialized.
        let unfilled = unsafe { buf.as_mut() };
        let len = unfilled.len().min(this.window.len());
        // A full buffer: nothing to read, successfully (an empty read
        // would tell hyper the stream ended).
        if len == 0 {
            return Poll::Ready(Ok(()));
        }
        let unfilled = &mut unfilled[..len];
        unfilled.fill(MaybeUninit::new(0));
        // SAFETY: every byte of `unfilled` was initialized just above, and
        // `MaybeUninit<u8>` has the layout of `u8`.
        let dst = unsafe { &mut *(unfilled as *mut [MaybeUninit<u8>] as *mut [u8]) };
        let n = ready!(this.inner.poll_read(cx, dst))?;
        if n > len {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "reader claimed more bytes than the buffer holds",
            )));
        }
        this.window.record(n, len);
        // SAFETY: the first `n <= len` bytes of the cursor are initialized
        // (all `len` are).
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> rt::Write for Io<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    /// Lets hyper queue headers and body as separate slices instead of
    /// copying them into one buffer: edgeio's sockets write them with one
    /// `writev`. (A `futures-io` type without real vectored writes falls
    /// back to writing the first slice, which is still correct.)
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    /// hyper's `shutdown` is futures-io's `close` (for a TCP stream: shut
    /// down the writing direction).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

impl<T: rt::Read> AsyncRead for Io<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut read_buf = ReadBuf::new(buf);
        ready!(self.project().inner.poll_read(cx, read_buf.unfilled()))?;
        Poll::Ready(Ok(read_buf.filled().len()))
    }
}

impl<T: rt::Write> AsyncWrite for Io<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

/// What hyper-util's pooled client needs to know about a connection made
/// by a connector: nothing beyond the defaults for plain TCP (HTTP/2 is
/// chosen with the client builder's `http2_only`, as there is no ALPN to
/// negotiate it).
impl<T> Connection for Io<T> {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}
