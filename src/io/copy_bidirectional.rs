//! [`copy_bidirectional`]: proxy bytes both ways between two streams.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// The buffer per direction: 8 KiB, tokio's default.
const DEFAULT_BUF_SIZE: usize = 8 * 1024;

/// Read-write rounds one direction does per poll before it yields: a pair
/// of always-ready streams (in memory, or a fast peer) would otherwise
/// keep the task on its worker forever. tokio's cooperative budget is 128
/// operations per poll, which this matches.
const ROUNDS_PER_POLL: usize = 128;

/// Copies from `a` to `b` and from `b` to `a` at the same time, until both
/// directions have seen end of file, and returns the bytes copied
/// `(a to b, b to a)` (tokio's `tokio::io::copy_bidirectional`).
///
/// When one side reaches end of file, the copy in that direction flushes
/// and closes ([`poll_close`](AsyncWrite::poll_close)) the other side's
/// write half, so a TCP peer sees the half-close, while the other
/// direction goes on. Each direction uses an 8 KiB buffer; see
/// [`copy_bidirectional_with_sizes`].
///
/// # Errors
///
/// The first error from either direction, at once; bytes already read
/// into a buffer and not written are then dropped. Use it for proxies,
/// where one error ends both.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::{copy_bidirectional, duplex, AsyncReadExt, AsyncWriteExt};
///
/// let (mut client, mut proxy_a) = duplex(64);
/// let (mut proxy_b, mut server) = duplex(64);
/// let proxy = edgeio::spawn(async move { copy_bidirectional(&mut proxy_a, &mut proxy_b).await });
///
/// client.write_all(b"ping").await?;
/// client.close().await?;
/// let mut got = Vec::new();
/// server.read_to_end(&mut got).await?;
/// assert_eq!(got, b"ping");
/// server.write_all(b"pong!").await?;
/// drop(server);
/// let mut got = Vec::new();
/// client.read_to_end(&mut got).await?;
/// assert_eq!(got, b"pong!");
/// assert_eq!(proxy.await.unwrap()?, (4, 5));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    copy_bidirectional_with_sizes(a, b, DEFAULT_BUF_SIZE, DEFAULT_BUF_SIZE).await
}

/// [`copy_bidirectional`] with the buffer size of each direction (at least
/// one byte each).
///
/// # Errors
///
/// As [`copy_bidirectional`].
pub async fn copy_bidirectional_with_sizes<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b_buf_size: usize,
    b_to_a_buf_size: usize,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Transfer::Running(CopyBuffer::new(a_to_b_buf_size));
    let mut b_to_a = Transfer::Running(CopyBuffer::new(b_to_a_buf_size));
    poll_fn(|cx| {
        let a_to_b = a_to_b.poll(cx, &mut *a, &mut *b)?;
        let b_to_a = b_to_a.poll(cx, &mut *b, &mut *a)?;
        match (a_to_b, b_to_a) {
            (Poll::Ready(a_to_b), Poll::Ready(b_to_a)) => Poll::Ready(Ok((a_to_b, b_to_a))),
            _ => Poll::Pending,
        }
    })
    .await
}

/// One direction of the copy.
enum Transfer {
    Running(CopyBuffer),
    /// Reached end of file and flushed; closing the writer.
    Closing(u64),
    Done(u64),
}

impl Transfer {
    fn poll<R, W>(&mut self, cx: &mut Context<'_>, reader: &mut R, writer: &mut W) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self {
                Transfer::Running(copy) => {
                    let copied = ready!(copy.poll_copy(cx, Pin::new(reader), Pin::new(&mut *writer)))?;
                    *self = Transfer::Closing(copied);
                }
                Transfer::Closing(copied) => {
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    *self = Transfer::Done(*copied);
                }
                Transfer::Done(copied) => return Poll::Ready(Ok(*copied)),
            }
        }
    }
}

/// The buffer of one direction: `buf[pos..cap]` is read and not written.
struct CopyBuffer {
    buf: Box<[u8]>,
    pos: usize,
    cap: usize,
    copied: u64,
    read_done: bool,
    /// Bytes were written since the last flush.
    need_flush: bool,
}

impl CopyBuffer {
    fn new(size: usize) -> CopyBuffer {
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
    /// returns the bytes copied.
    fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
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
            }
            while self.pos < self.cap {
                let n = ready!(writer.as_mut().poll_write(cx, &self.buf[self.pos..self.cap]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "copy_bidirectional: the writer accepted no bytes",
                    )));
                }
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
