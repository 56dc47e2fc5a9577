//! [`duplex`]: an in-memory, bidirectional byte pipe.

use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::simplex::{budgeted, lock, SimplexStream};

/// Creates a pair of connected in-memory streams, like a socket pair
/// without the kernel (tokio's `tokio::io::duplex`): what one writes the
/// other reads. Useful in tests, and to plug an in-process component into
/// code written for sockets.
///
/// Each direction buffers at most `max_buf_size` bytes (at least 1): a
/// writer that finds its direction full waits until the reader takes some
/// (backpressure). When one end is dropped, or `close`d, its peer reads
/// what is left and then end of file; writing to an end whose peer was
/// dropped fails with `BrokenPipe`, as does writing after `close`.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::{duplex, AsyncReadExt, AsyncWriteExt};
///
/// let (mut client, mut server) = duplex(64);
/// client.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// server.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    let one = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    let two = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    (
        DuplexStream {
            read: one.clone(),
            write: two.clone(),
        },
        DuplexStream {
            read: two,
            write: one,
        },
    )
}

/// One end of a [`duplex`] pipe. Implements `AsyncRead` and `AsyncWrite`;
/// `close` ends the direction it writes (its peer then reads end of file).
pub struct DuplexStream {
    /// The direction this end reads (its peer's `write`).
    read: Arc<Mutex<SimplexStream>>,
    /// The direction this end writes (its peer's `read`).
    write: Arc<Mutex<SimplexStream>>,
}

impl AsyncRead for DuplexStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        budgeted(cx, |cx| lock(&self.read).read_bytes(cx, buf))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        budgeted(cx, |cx| lock(&self.write).write_bytes(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        budgeted(cx, |cx| lock(&self.write).write_vectored_bytes(cx, bufs))
    }

    /// Nothing to do: written bytes are readable at once.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Ends this direction: the peer reads what is buffered, then end of
    /// file. Reading from this end goes on.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        lock(&self.write).close_write();
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        lock(&self.write).close_write();
        lock(&self.read).close_read();
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let readable = lock(&self.read).buffered();
        let writable = lock(&self.write).buffered();
        f.debug_struct("DuplexStream")
            .field("buffered_to_read", &readable)
            .field("buffered_to_write", &writable)
            .finish()
    }
}
