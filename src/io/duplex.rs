//! [`duplex`]: an in-memory, bidirectional byte pipe.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};

use edgeio_runtime::task::coop::poll_proceed;
use futures_io::{AsyncRead, AsyncWrite};

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
    let one = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
    let two = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
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
    read: Arc<Mutex<Pipe>>,
    write: Arc<Mutex<Pipe>>,
}

/// One direction.
struct Pipe {
    buffer: VecDeque<u8>,
    max_buf_size: usize,
    /// The writing end closed or was dropped: end of file after `buffer`.
    write_closed: bool,
    /// The reading end was dropped: writes fail.
    read_closed: bool,
    /// The reader waiting for bytes.
    read_waker: Option<Waker>,
    /// The writer waiting for room.
    write_waker: Option<Waker>,
}

fn lock(pipe: &Mutex<Pipe>) -> MutexGuard<'_, Pipe> {
    // Nothing here can panic with the lock held but a failed allocation.
    pipe.lock().unwrap_or_else(|e| e.into_inner())
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(waker) = waker.take() {
        waker.wake();
    }
}

impl Pipe {
    fn new(max_buf_size: usize) -> Pipe {
        Pipe {
            buffer: VecDeque::new(),
            max_buf_size: max_buf_size.max(1),
            write_closed: false,
            read_closed: false,
            read_waker: None,
            write_waker: None,
        }
    }

    fn poll_read(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.buffer.is_empty() {
            if self.write_closed {
                return Poll::Ready(Ok(0));
            }
            self.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = dst.len().min(self.buffer.len());
        for (dst, byte) in dst.iter_mut().zip(self.buffer.drain(..n)) {
            *dst = byte;
        }
        wake(&mut self.write_waker);
        Poll::Ready(Ok(n))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        if self.read_closed || self.write_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                if self.write_closed {
                    "duplex stream closed for writing"
                } else {
                    "the duplex peer was dropped"
                },
            )));
        }
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = self.max_buf_size - self.buffer.len();
        if room == 0 {
            self.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(src.len());
        self.buffer.extend(&src[..n]);
        wake(&mut self.read_waker);
        Poll::Ready(Ok(n))
    }

    fn close_write(&mut self) {
        self.write_closed = true;
        wake(&mut self.read_waker);
    }

    fn close_read(&mut self) {
        self.read_closed = true;
        self.buffer = VecDeque::new();
        wake(&mut self.write_waker);
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        // Spends the task's budget as a socket does (and tokio's duplex),
        // so a loop over a pipe that is never empty still yields.
        let coop = ready!(poll_proceed(cx));
        let result = lock(&self.read).poll_read(cx, buf);
        if result.is_ready() {
            coop.made_progress();
        }
        result
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let coop = ready!(poll_proceed(cx));
        let result = lock(&self.write).poll_write(cx, buf);
        if result.is_ready() {
            coop.made_progress();
        }
        result
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
        let readable = lock(&self.read).buffer.len();
        let writable = lock(&self.write).buffer.len();
        f.debug_struct("DuplexStream")
            .field("buffered_to_read", &readable)
            .field("buffered_to_write", &writable)
            .finish()
    }
}
