//! Owned reading and writing halves of a stream, for two tasks.
//!
//! A stream socket is full duplex and the reactor tracks each direction
//! separately, so one task may read while another writes. `&Stream`
//! already implements both traits; the halves add ownership (they are
//! `'static` and can be moved into spawned tasks) by sharing the stream
//! through an `Arc`.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// The reading half of a stream, from `split` (for example
/// [`AsyncTcpStream::split`](crate::AsyncTcpStream::split)).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::AsyncUnixStream;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (a, b) = AsyncUnixStream::pair()?;
/// let (mut read, mut write) = a.split();
/// let writer = edgeio_runtime::spawn(async move {
///     write.write_all(b"hello").await?;
///     std::io::Result::Ok(write)
/// });
/// let mut b = b;
/// let mut buf = [0; 5];
/// b.read_exact(&mut buf).await?;
/// b.write_all(&buf).await?;
/// read.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"hello");
/// let write = writer.await.unwrap()?;
/// let _a: AsyncUnixStream = read.reunite(write).unwrap();
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct ReadHalf<S> {
    stream: Arc<S>,
}

/// The writing half of a stream; see [`ReadHalf`].
pub struct WriteHalf<S> {
    stream: Arc<S>,
    /// Shuts down the writing direction when the half is dropped: set by
    /// `into_split` (tokio's owned halves do this), not by `split`.
    shutdown_on_drop: Option<fn(&S)>,
}

pub(crate) fn split<S>(stream: S, shutdown_on_drop: Option<fn(&S)>) -> (ReadHalf<S>, WriteHalf<S>) {
    let stream = Arc::new(stream);
    (
        ReadHalf {
            stream: stream.clone(),
        },
        WriteHalf {
            stream,
            shutdown_on_drop,
        },
    )
}

fn reunite<S>(read: ReadHalf<S>, mut write: WriteHalf<S>) -> Result<S, ReuniteError<S>> {
    if !Arc::ptr_eq(&read.stream, &write.stream) {
        return Err(ReuniteError(read, write));
    }
    // The stream lives on whole: dropping its write half must not shut it.
    write.shutdown_on_drop = None;
    drop(write);
    // The halves are not `Clone`, so with `write` gone this is the last
    // reference; the error arm is unreachable but costs nothing to handle.
    Arc::try_unwrap(read.stream).map_err(|stream| {
        ReuniteError(
            ReadHalf {
                stream: stream.clone(),
            },
            WriteHalf {
                stream,
                shutdown_on_drop: None,
            },
        )
    })
}

impl<S> ReadHalf<S> {
    /// Joins the halves back into the stream, or gives both back if they
    /// came from different streams.
    pub fn reunite(self, write: WriteHalf<S>) -> Result<S, ReuniteError<S>> {
        reunite(self, write)
    }
}

impl<S> WriteHalf<S> {
    /// Joins the halves back into the stream; see [`ReadHalf::reunite`].
    pub fn reunite(self, read: ReadHalf<S>) -> Result<S, ReuniteError<S>> {
        reunite(read, self)
    }

    /// Drops the half without shutting down the writing direction, as
    /// tokio's `OwnedWriteHalf::forget` (only halves from `into_split`
    /// shut it down on drop).
    pub fn forget(mut self) {
        self.shutdown_on_drop = None;
    }
}

impl<S> Drop for WriteHalf<S> {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown_on_drop {
            shutdown(&self.stream);
        }
    }
}

/// The stream's `&self` methods, on either half: `peer_addr`,
/// `local_addr`, `readable`, `try_read`, `peek`, `writable`, `try_write`,
/// `ready` and the rest, as tokio's owned halves offer them. (Both halves
/// reach the whole stream: a socket is full duplex, and each direction is
/// tracked on its own, so a read through the write half is no race, only
/// unusual.)
impl<S> std::ops::Deref for ReadHalf<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.stream
    }
}

/// See [`ReadHalf`]'s `Deref`.
impl<S> std::ops::Deref for WriteHalf<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.stream
    }
}

impl<S> AsRef<S> for ReadHalf<S> {
    fn as_ref(&self) -> &S {
        &self.stream
    }
}

impl<S> AsRef<S> for WriteHalf<S> {
    fn as_ref(&self) -> &S {
        &self.stream
    }
}

impl<S> AsyncRead for ReadHalf<S>
where
    for<'a> &'a S: AsyncRead,
{
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_read_vectored(cx, bufs)
    }
}

impl<S> AsyncWrite for WriteHalf<S>
where
    for<'a> &'a S: AsyncWrite,
{
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_flush(cx)
    }

    /// Shuts down the writing direction of the shared stream.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_close(cx)
    }
}

impl<S: fmt::Debug> fmt::Debug for ReadHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadHalf").field(&self.stream).finish()
    }
}

impl<S: fmt::Debug> fmt::Debug for WriteHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WriteHalf").field(&self.stream).finish()
    }
}

/// The halves given to `reunite` came from different streams; here they
/// are back.
pub struct ReuniteError<S>(pub ReadHalf<S>, pub WriteHalf<S>);

impl<S> fmt::Debug for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<S> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves of different streams")
    }
}

impl<S> std::error::Error for ReuniteError<S> {}
