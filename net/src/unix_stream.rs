//! [`AsyncUnixStream`]: a Unix domain stream socket.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::Path;

use socket2::{Domain, SockAddr, Socket, Type};

use crate::peer_retry::PeerRetry;
use crate::resolve::{finish_connect, in_progress};
use crate::Async;

/// A connected Unix domain stream socket driven by the reactor.
///
/// Implements `AsyncRead`/`AsyncWrite` for the stream and for `&` it, like
/// [`AsyncTcpStream`](crate::AsyncTcpStream): `flush` does nothing and
/// `close` shuts down the writing direction.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::AsyncUnixStream;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (mut a, mut b) = AsyncUnixStream::pair()?;
/// a.write_all(b"over the socket pair").await?;
/// a.close().await?;
/// let mut text = String::new();
/// b.read_to_string(&mut text).await?;
/// assert_eq!(text, "over the socket pair");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncUnixStream {
    inner: Async<UnixStream>,
}

impl_fd_traits!(AsyncUnixStream);
impl_readiness!(AsyncUnixStream);
impl_stream_io!(AsyncUnixStream);
impl_std_conversions!(AsyncUnixStream, UnixStream);

impl AsyncUnixStream {
    /// Connects to the socket listening at `path`.
    ///
    /// A Unix `connect` completes at once or fails with `EAGAIN` when the
    /// listener's backlog is full; no readiness event announces room in
    /// the backlog, so in that case the task retries after a short sleep
    /// (1 ms, doubling up to 50 ms), as long as it takes, like a blocking
    /// `connect` would wait. Wrap the call in `edgeio::time::timeout` to
    /// bound it. Outside an edgeio runtime there is no timer to sleep on,
    /// and the `WouldBlock` error is returned instead.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<AsyncUnixStream> {
        let addr = SockAddr::unix(path)?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        let mut retry = PeerRetry::new();
        let started = loop {
            match socket.connect(&addr) {
                Ok(()) => break false,
                Err(e) if in_progress(&e) => break true,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => retry.wait(e).await?,
                // Drops (closes) the socket.
                Err(e) => return Err(e),
            }
        };
        let stream = AsyncUnixStream::from_nonblocking(socket)?;
        if started {
            finish_connect(&stream.inner).await?;
        }
        Ok(stream)
    }

    /// A pair of connected sockets (`socketpair`), both registered.
    pub fn pair() -> io::Result<(AsyncUnixStream, AsyncUnixStream)> {
        let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        let a = AsyncUnixStream::from_nonblocking(a)?;
        let b = AsyncUnixStream::from_nonblocking(b)?;
        Ok((a, b))
    }

    /// The local address (usually unnamed for a connecting socket).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Shuts down one or both directions; the socket stays open until
    /// dropped.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }
}
