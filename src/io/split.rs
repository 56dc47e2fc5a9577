//! [`split`]: a read half and a write half of any stream, usable from two
//! tasks.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// Splits `stream` into a read half and a write half, each owned and
/// usable from its own task (tokio's `tokio::io::split`).
///
/// The halves share the stream behind a lock held only during one poll,
/// so the one waiting to read never blocks the one writing. For the
/// sockets of [`net`](crate::net), prefer their own `split`/`into_split`,
/// which need no lock. [`ReadHalf::unsplit`] puts the stream back
/// together.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::{duplex, split, AsyncReadExt, AsyncWriteExt};
///
/// let (stream, mut peer) = duplex(64);
/// let (mut rd, mut wr) = split(stream);
/// wr.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// peer.read_exact(&mut buf).await?;
/// peer.write_all(b"pong").await?;
/// rd.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"pong");
/// let _stream = rd.unsplit(wr);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let inner = Arc::new(Mutex::new(stream));
    (ReadHalf { inner: inner.clone() }, WriteHalf { inner })
}

/// The read half of a stream split by [`split`].
pub struct ReadHalf<T> {
    inner: Arc<Mutex<T>>,
}

/// The write half of a stream split by [`split`].
pub struct WriteHalf<T> {
    inner: Arc<Mutex<T>>,
}

/// Runs `f` on the pinned stream, under the lock.
fn with_stream<T, R>(inner: &Arc<Mutex<T>>, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
    // A panic in the stream's poll poisons the lock, not the stream's
    // state as far as this code knows: go on, as tokio does.
    let mut guard: MutexGuard<'_, T> = inner.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the stream lives in the `Arc` and never moves from there
    // while it may be pinned: only `unsplit`/`reunite` take it out, and
    // they require `T: Unpin`.
    let stream = unsafe { Pin::new_unchecked(&mut *guard) };
    f(stream)
}

impl<T> ReadHalf<T> {
    /// Whether `other` is the write half of the same [`split`].
    #[must_use]
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Puts the stream back together.
    ///
    /// # Panics
    ///
    /// If `wr` is not this half's partner, as tokio; [`reunite`](Self::reunite)
    /// returns an error instead.
    #[track_caller]
    pub fn unsplit(self, wr: WriteHalf<T>) -> T
    where
        T: Unpin,
    {
        match self.reunite(wr) {
            Ok(stream) => stream,
            Err(_) => panic!("edgeio::io::ReadHalf::unsplit: the WriteHalf comes from another split"),
        }
    }

    /// Puts the stream back together.
    ///
    /// # Errors
    ///
    /// If `wr` is not this half's partner; the error gives both halves
    /// back.
    pub fn reunite(self, wr: WriteHalf<T>) -> Result<T, ReuniteError<T>>
    where
        T: Unpin,
    {
        if !self.is_pair_of(&wr) {
            return Err(ReuniteError(self, wr));
        }
        drop(wr);
        match Arc::try_unwrap(self.inner) {
            Ok(mutex) => Ok(mutex.into_inner().unwrap_or_else(|e| e.into_inner())),
            // Only the two halves ever hold the `Arc`, and both are here.
            Err(_) => unreachable!("a split stream is shared only by its two halves"),
        }
    }
}

impl<T: AsyncRead> AsyncRead for ReadHalf<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        with_stream(&self.inner, |stream| stream.poll_read(cx, buf))
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        with_stream(&self.inner, |stream| stream.poll_read_vectored(cx, bufs))
    }
}

impl<T> WriteHalf<T> {
    /// Whether `other` is the read half of the same [`split`].
    #[must_use]
    pub fn is_pair_of(&self, other: &ReadHalf<T>) -> bool {
        other.is_pair_of(self)
    }
}

impl<T: AsyncWrite> AsyncWrite for WriteHalf<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        with_stream(&self.inner, |stream| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        with_stream(&self.inner, |stream| stream.poll_write_vectored(cx, bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_stream(&self.inner, |stream| stream.poll_flush(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        with_stream(&self.inner, |stream| stream.poll_close(cx))
    }
}

impl<T> fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadHalf").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteHalf").finish_non_exhaustive()
    }
}

/// The halves given to [`ReadHalf::reunite`] come from different splits.
pub struct ReuniteError<T>(pub ReadHalf<T>, pub WriteHalf<T>);

impl<T> fmt::Debug for ReuniteError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<T> fmt::Display for ReuniteError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same split")
    }
}

impl<T> Error for ReuniteError<T> {}
