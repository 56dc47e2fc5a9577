//! [`copy_bidirectional`]: proxy bytes both ways between two streams.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::copy::{CopyBuffer, DEFAULT_BUF_SIZE};

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
