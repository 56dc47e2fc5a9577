//! [`BufStream`]: a stream buffered both ways.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
use futures_util::io::{BufReader, BufWriter};
use pin_project_lite::pin_project;

pin_project! {
    /// A stream with a read buffer and a write buffer (tokio's
    /// `tokio::io::BufStream`): a [`BufReader`] over a [`BufWriter`] over
    /// the stream, under one name.
    ///
    /// Small reads and writes on a socket each cost a system call;
    /// through a `BufStream` they cost one per buffer. As with any
    /// `BufWriter`, written bytes reach the stream on `flush` (or when
    /// the buffer fills): flush before waiting for an answer, or the
    /// request may never leave.
    ///
    /// ```
    /// # edgeio::block_on(async {
    /// use edgeio::io::{duplex, AsyncBufReadExt, AsyncWriteExt, BufStream};
    ///
    /// let (client, server) = duplex(64);
    /// let mut client = BufStream::new(client);
    /// let mut server = BufStream::new(server);
    /// client.write_all(b"hello\n").await?;
    /// client.flush().await?;
    /// let mut line = String::new();
    /// server.read_line(&mut line).await?;
    /// assert_eq!(line, "hello\n");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub struct BufStream<RW> {
        #[pin]
        inner: BufReader<BufWriter<RW>>,
    }
}

impl<RW: AsyncRead + AsyncWrite> BufStream<RW> {
    /// Wraps `stream` with buffers of the default size (8 KiB each, as
    /// tokio's and `futures-util`'s).
    pub fn new(stream: RW) -> BufStream<RW> {
        BufStream {
            inner: BufReader::new(BufWriter::new(stream)),
        }
    }

    /// Wraps `stream` with a read buffer of `reader_capacity` bytes and a
    /// write buffer of `writer_capacity` bytes.
    pub fn with_capacity(reader_capacity: usize, writer_capacity: usize, stream: RW) -> BufStream<RW> {
        BufStream {
            inner: BufReader::with_capacity(
                reader_capacity,
                BufWriter::with_capacity(writer_capacity, stream),
            ),
        }
    }
}

impl<RW> BufStream<RW> {
    /// The stream underneath. Reading from or writing to it directly
    /// bypasses the buffers, and so may reorder bytes.
    pub fn get_ref(&self) -> &RW {
        self.inner.get_ref().get_ref()
    }

    /// The stream underneath, mutably; the same caution as
    /// [`get_ref`](Self::get_ref).
    pub fn get_mut(&mut self) -> &mut RW {
        self.inner.get_mut().get_mut()
    }

    /// The stream underneath, pinned; the same caution as
    /// [`get_ref`](Self::get_ref).
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut RW> {
        self.project().inner.get_pin_mut().get_pin_mut()
    }

    /// The stream underneath. Buffered bytes not yet read, and written
    /// bytes not yet flushed, are lost.
    pub fn into_inner(self) -> RW {
        self.inner.into_inner().into_inner()
    }
}

impl<RW> From<BufReader<BufWriter<RW>>> for BufStream<RW> {
    fn from(inner: BufReader<BufWriter<RW>>) -> BufStream<RW> {
        BufStream { inner }
    }
}

impl<RW: AsyncRead> AsyncRead for BufStream<RW> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.project().inner.poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_read_vectored(cx, bufs)
    }
}

impl<RW: AsyncRead> AsyncBufRead for BufStream<RW> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.project().inner.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt);
    }
}

impl<RW: AsyncWrite> AsyncWrite for BufStream<RW> {
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

    /// Flushes the write buffer, then closes the stream.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

/// Seeking flushes the write buffer and discards the read buffer, as
/// `BufReader` and `BufWriter` each do.
impl<RW: AsyncRead + AsyncWrite + AsyncSeek> AsyncSeek for BufStream<RW> {
    fn poll_seek(self: Pin<&mut Self>, cx: &mut Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        self.project().inner.poll_seek(cx, pos)
    }
}

impl<RW: fmt::Debug> fmt::Debug for BufStream<RW> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufStream")
            .field("stream", self.get_ref())
            .finish()
    }
}
