//! [`AsyncUnixDatagram`]: Unix domain datagram sockets.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;

use socket2::{Domain, SockAddr, Socket, Type};

use crate::peer_retry::PeerRetry;
use crate::Async;

/// A Unix domain datagram socket driven by the reactor.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::AsyncUnixDatagram;
///
/// let (a, b) = AsyncUnixDatagram::pair()?;
/// a.send(b"one datagram").await?;
/// let mut buf = [0; 32];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"one datagram");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncUnixDatagram {
    inner: Async<UnixDatagram>,
}

impl_fd_traits!(AsyncUnixDatagram);
impl_readiness!(AsyncUnixDatagram);
impl_std_conversions!(AsyncUnixDatagram, UnixDatagram);

impl AsyncUnixDatagram {
    fn socket() -> io::Result<Socket> {
        Socket::new(Domain::UNIX, Type::DGRAM.nonblocking().cloexec(), None)
    }

    /// Creates a socket bound to `path` (which must not exist).
    pub fn bind(path: impl AsRef<Path>) -> io::Result<AsyncUnixDatagram> {
        let socket = AsyncUnixDatagram::socket()?;
        socket.bind(&SockAddr::unix(path)?)?;
        AsyncUnixDatagram::from_nonblocking(socket)
    }

    /// Creates a socket bound to no address: it can send, and receive
    /// replies only if connected (or via a pair).
    pub fn unbound() -> io::Result<AsyncUnixDatagram> {
        AsyncUnixDatagram::from_nonblocking(AsyncUnixDatagram::socket()?)
    }

    /// A pair of connected sockets (`socketpair`).
    pub fn pair() -> io::Result<(AsyncUnixDatagram, AsyncUnixDatagram)> {
        let (a, b) = Socket::pair(Domain::UNIX, Type::DGRAM.nonblocking().cloexec(), None)?;
        Ok((
            AsyncUnixDatagram::from_nonblocking(a)?,
            AsyncUnixDatagram::from_nonblocking(b)?,
        ))
    }

    /// Sets the default destination and the only accepted source.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.get_ref().connect(path)
    }

    /// Sends one datagram to the socket bound at `path`.
    ///
    /// When the receiver's queue is full, no edge announces room in it
    /// (unless the receiver is the connected peer), so the send is retried
    /// after a pause: 1 ms, doubling up to 50 ms, as long as it takes, like
    /// a blocking `send_to` would wait. Wrap the call in
    /// `edgeio::time::timeout` to bound it. Outside an edgeio runtime the
    /// `WouldBlock` error is returned instead.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        let mut retry = PeerRetry::new();
        loop {
            // `EAGAIN` comes back as the attempt's result rather than as a
            // reason to wait for writability (see `PeerRetry`).
            match self.inner.write_with(|s| Ok(s.send_to(buf, path))).await? {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => retry.wait(e).await?,
                result => return result,
            }
        }
    }

    /// Receives one datagram; returns its length and sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.recv_from(buf)).await
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.recv(buf)).await
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Shuts down one or both directions.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }
}
