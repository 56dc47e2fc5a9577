//! [`simplex`]: an in-memory, one-way byte pipe; also each direction of a
//! [`duplex`](super::duplex) pipe.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};

use edgeio_runtime::task::coop::poll_proceed;
use futures_io::{AsyncRead, AsyncWrite};

use super::split::{split, ReadHalf, WriteHalf};

/// Creates an in-memory, one-way pipe (tokio's `tokio::io::simplex`): what
/// the write half writes, the read half reads, with at most
/// `max_buf_size` bytes (at least 1) buffered in between; a writer that
/// finds the buffer full waits for the reader (backpressure).
///
/// `close` on the write half ends the stream: the reader gets what is
/// buffered, then end of file, and later writes fail with `BrokenPipe`.
/// As with tokio's, the two halves share one [`SimplexStream`], which
/// ends only when both are dropped: a reader whose writer was dropped
/// without `close` waits for ever, so close the writer when done.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::{simplex, AsyncReadExt, AsyncWriteExt};
///
/// let (mut rx, mut tx) = simplex(64);
/// tx.write_all(b"ping").await?;
/// tx.close().await?;
/// let mut got = Vec::new();
/// rx.read_to_end(&mut got).await?;
/// assert_eq!(got, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn simplex(max_buf_size: usize) -> (ReadHalf<SimplexStream>, WriteHalf<SimplexStream>) {
    split(SimplexStream::new_unsplit(max_buf_size))
}

/// An in-memory, one-way pipe: bytes written to it are read back from it
/// (tokio's `tokio::io::SimplexStream`). [`simplex`] makes one already
/// split into a read half and a write half; [`new_unsplit`] makes one
/// for a single owner.
///
/// Reads and writes spend the task's cooperative budget, as a socket's
/// do, so a loop over a pipe that never runs dry still yields.
///
/// [`new_unsplit`]: SimplexStream::new_unsplit
pub struct SimplexStream {
    buffer: VecDeque<u8>,
    max_buf_size: usize,
    /// The writer closed: end of file after `buffer`.
    write_closed: bool,
    /// The reader is gone (only a duplex end can tell): writes fail.
    read_closed: bool,
    /// The reader waiting for bytes.
    read_waker: Option<Waker>,
    /// The writer waiting for room.
    write_waker: Option<Waker>,
}

/// Locks one direction of a pipe shared by two owners.
pub(super) fn lock(pipe: &Mutex<SimplexStream>) -> MutexGuard<'_, SimplexStream> {
    // Nothing here can panic with the lock held but a failed allocation.
    pipe.lock().unwrap_or_else(|e| e.into_inner())
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(waker) = waker.take() {
        waker.wake();
    }
}

impl SimplexStream {
    /// A pipe that buffers at most `max_buf_size` bytes (at least 1),
    /// read and written through the one value.
    #[must_use]
    pub fn new_unsplit(max_buf_size: usize) -> SimplexStream {
        SimplexStream {
            buffer: VecDeque::new(),
            max_buf_size: max_buf_size.max(1),
            write_closed: false,
            read_closed: false,
            read_waker: None,
            write_waker: None,
        }
    }

    /// The bytes buffered, not yet read.
    pub(super) fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Reads without spending the budget (the caller did).
    pub(super) fn read_bytes(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
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

    /// Writes without spending the budget (the caller did).
    pub(super) fn write_bytes(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        self.write_vectored_bytes(cx, &[IoSlice::new(src)])
    }

    /// Writes as much of `srcs`, in order, as there is room for, without
    /// spending the budget (the caller did). All the slices at once, as
    /// tokio's pipes do: the trait's default would take the first only.
    pub(super) fn write_vectored_bytes(
        &mut self,
        cx: &mut Context<'_>,
        srcs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.read_closed || self.write_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                if self.write_closed {
                    "the pipe was closed for writing"
                } else {
                    "the pipe's reader was dropped"
                },
            )));
        }
        if srcs.iter().all(|src| src.is_empty()) {
            return Poll::Ready(Ok(0));
        }
        let room = self.max_buf_size - self.buffer.len();
        if room == 0 {
            self.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let mut written = 0;
        for src in srcs {
            let n = (room - written).min(src.len());
            self.buffer.extend(&src[..n]);
            written += n;
            if written == room {
                break;
            }
        }
        wake(&mut self.read_waker);
        Poll::Ready(Ok(written))
    }

    /// The writer is done: the reader gets end of file after the buffer.
    pub(super) fn close_write(&mut self) {
        self.write_closed = true;
        wake(&mut self.read_waker);
    }

    /// The reader is gone: what is buffered is dropped, writers fail.
    pub(super) fn close_read(&mut self) {
        self.read_closed = true;
        self.buffer = VecDeque::new();
        wake(&mut self.write_waker);
    }
}

/// Runs `op` once the task's budget allows, and spends it on success, as
/// a socket's read and write do (and tokio's in-memory pipes).
pub(super) fn budgeted<T>(
    cx: &mut Context<'_>,
    op: impl FnOnce(&mut Context<'_>) -> Poll<io::Result<T>>,
) -> Poll<io::Result<T>> {
    let coop = ready!(poll_proceed(cx));
    let result = op(cx);
    if result.is_ready() {
        coop.made_progress();
    }
    result
}

impl AsyncRead for SimplexStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.read_bytes(cx, buf))
    }
}

impl AsyncWrite for SimplexStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.write_bytes(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        budgeted(cx, |cx| this.write_vectored_bytes(cx, bufs))
    }

    /// Nothing to do: written bytes are readable at once.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Ends the stream: the reader gets what is buffered, then end of
    /// file.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().close_write();
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for SimplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimplexStream")
            .field("buffered", &self.buffer.len())
            .field("max_buf_size", &self.max_buf_size)
            .field("write_closed", &self.write_closed)
            .finish()
    }
}
