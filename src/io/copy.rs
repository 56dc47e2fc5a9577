//! [`copy`]: all of a reader into a writer; and the copy loop that
//! [`copy_bidirectional`](super::copy_bidirectional) runs each way.

use std::future::poll_fn;
use std::io;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};

use edgeio_runtime::task::coop::poll_proceed;
use futures_io::{AsyncRead, AsyncWrite};

/// The buffer of a copy: 8 KiB, tokio's default.
pub(super) const DEFAULT_BUF_SIZE: usize = 8 * 1024;

/// Read-write rounds one copy does per poll before it yields, even if its
/// streams never run out of budget (in-memory ones, or a caller's own):
/// tokio's cooperative budget is 128 operations per poll, which this
/// matches.
const ROUNDS_PER_POLL: usize = 128;

/// Copies everything `reader` yields into `writer`, until end of file,
/// flushes `writer`, and returns the bytes copied (tokio's
/// `tokio::io::copy`).
///
/// As tokio's, and unlike `futures-util`'s, it never reads again once the
/// reader has reported end of file (a pipe or a terminal may have more to
/// give later, for a reader that asks), it flushes the writer whenever the
/// reader has nothing ready (so a buffered writer does not sit on bytes
/// the peer waits for), and it spends the task's cooperative budget.
/// `writer` is not closed: do that if the peer should see end of file.
///
/// It takes the reader by value, as `futures-util`'s does, so both
/// `copy(&mut reader, &mut writer)` (tokio's form) and
/// `copy(reader, &mut writer)` work.
///
/// # Errors
///
/// The first error from either side; an `Interrupted` read is retried. A
/// writer that accepts zero bytes gives `WriteZero`.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::{copy, AsyncReadExt};
///
/// let mut reader: &[u8] = b"hello";
/// let mut writer = Vec::new();
/// assert_eq!(copy(&mut reader, &mut writer).await?, 5);
/// assert_eq!(writer, b"hello");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn copy<R, W>(reader: R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut reader = pin!(reader);
    let mut buffer = CopyBuffer::new(DEFAULT_BUF_SIZE);
    poll_fn(|cx| buffer.poll_copy(cx, reader.as_mut(), Pin::new(&mut *writer))).await
}

/// The buffer of one copy: `buf[pos..cap]` is read and not yet written.
pub(super) struct CopyBuffer {
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    copied: u64,
    read_done: bool,
    /// Bytes were written since the last flush.
    need_flush: bool,
}

impl CopyBuffer {
    /// A buffer of `size` bytes (at least one).
    pub(super) fn new(size: usize) -> CopyBuffer {
        CopyBuffer {
            buf: vec![0; size.max(1)].into_boxed_slice(),
            pos: 0,
            cap: 0,
            copied: 0,
            read_done: false,
            need_flush: false,
        }
    }

    /// Copies until `reader` is at end of file and `writer` flushed, and
    /// returns the bytes copied. Spends one unit of the task's budget per
    /// poll that makes progress, as tokio's does, so that a loop of
    /// copies that each finish in one poll still yields.
    pub(super) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        let coop = ready!(poll_proceed(cx));
        for _ in 0..ROUNDS_PER_POLL {
            if self.pos == self.cap && !self.read_done {
                match reader.as_mut().poll_read(cx, &mut self.buf) {
                    Poll::Ready(Ok(0)) => self.read_done = true,
                    Poll::Ready(Ok(n)) => {
                        self.pos = 0;
                        self.cap = n;
                    }
                    Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {
                        // Nothing to read for now: push out what was written
                        // rather than leave it in a buffered writer.
                        if self.need_flush {
                            ready!(writer.as_mut().poll_flush(cx))?;
                            self.need_flush = false;
                        }
                        return Poll::Pending;
                    }
                }
                coop.made_progress();
            }
            while self.pos < self.cap {
                let n = ready!(writer.as_mut().poll_write(cx, &self.buf[self.pos..self.cap]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "copy: the writer accepted no bytes",
                    )));
                }
                coop.made_progress();
                self.pos += n;
                self.copied += n as u64;
                self.need_flush = true;
            }
            if self.read_done {
                ready!(writer.as_mut().poll_flush(cx))?;
                self.need_flush = false;
                return Poll::Ready(Ok(self.copied));
            }
        }
        // Used up this poll's rounds with both sides still ready: yield.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
