//! [`empty`], [`repeat`] and [`sink`]: streams that never wait.
//!
//! They are `futures-util`'s, but for one thing, which is tokio's: each
//! read or write spends the task's cooperative budget, as a socket's does.
//! A stream that is always ready would otherwise let a loop over it keep
//! its worker forever, and a `timeout` around that loop could never fire
//! (tokio's `time_timeout` suite checks exactly that with `empty`).

use std::fmt;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use edgeio_runtime::task::coop::poll_proceed;
use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};

/// Spends one unit of the budget (yielding first if it is spent) for an
/// operation that always completes.
fn spend(cx: &mut Context<'_>) -> Poll<()> {
    ready!(poll_proceed(cx)).made_progress();
    Poll::Ready(())
}

/// A stream that is always at end of file, and takes and drops whatever is
/// written to it (tokio's `io::empty`).
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::AsyncReadExt;
///
/// let mut buf = Vec::new();
/// edgeio::io::empty().read_to_end(&mut buf).await?;
/// assert!(buf.is_empty());
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn empty() -> Empty {
    Empty { _private: () }
}

/// The stream [`empty`] returns.
pub struct Empty {
    _private: (),
}

impl AsyncRead for Empty {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, _buf: &mut [u8]) -> Poll<io::Result<usize>> {
        ready!(spend(cx));
        Poll::Ready(Ok(0))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        ready!(spend(cx));
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _amt: usize) {}
}

impl AsyncWrite for Empty {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(spend(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(spend(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(spend(cx));
        Poll::Ready(Ok(()))
    }
}

/// Always at position 0, as tokio's.
impl AsyncSeek for Empty {
    fn poll_seek(self: Pin<&mut Self>, _cx: &mut Context<'_>, _pos: SeekFrom) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(0))
    }
}

impl fmt::Debug for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Empty { .. }")
    }
}

/// A stream that yields `byte` over and over (tokio's `io::repeat`).
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::AsyncReadExt;
///
/// let mut buf = [0; 3];
/// edgeio::io::repeat(b'x').read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"xxx");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

/// The stream [`repeat`] returns.
pub struct Repeat {
    byte: u8,
}

impl AsyncRead for Repeat {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        ready!(spend(cx));
        buf.fill(self.byte);
        Poll::Ready(Ok(buf.len()))
    }
}

impl fmt::Debug for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Repeat { .. }")
    }
}

/// A writer that takes and drops every byte (tokio's `io::sink`).
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::io::AsyncWriteExt;
///
/// let n = edgeio::io::sink().write(b"gone").await?;
/// assert_eq!(n, 4);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use]
pub fn sink() -> Sink {
    Sink { _private: () }
}

/// The writer [`sink`] returns.
pub struct Sink {
    _private: (),
}

impl AsyncWrite for Sink {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(spend(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(spend(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(spend(cx));
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sink { .. }")
    }
}
