//! [`Listener`]: what [`serve`](super::serve) accepts connections from.

use std::future::Future;
use std::io;

use futures_io::{AsyncRead, AsyncWrite};

use crate::net::{AsyncTcpListener, AsyncTcpStream, AsyncUnixListener, AsyncUnixStream};

/// A source of connections for [`serve`](super::serve): edgeio's TCP and
/// Unix listeners, or a type of yours (one that completes a TLS handshake
/// before handing out a stream, say), like axum's `Listener`.
///
/// An implementation should back off by itself after `EMFILE` and other
/// resource errors, as edgeio's listeners do: `serve` retries those at
/// once (and waits a second after errors it does not know).
pub trait Listener: Send + 'static {
    /// A connection.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// The address of a peer, or of the listener.
    type Addr: Send + 'static;

    /// Waits for the next connection. Must be cancel-safe: `serve` drops
    /// the future when its shutdown signal arrives.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Io, Self::Addr)>> + Send;

    /// The address the listener is bound to.
    fn local_addr(&self) -> io::Result<Self::Addr>;
}

/// Turns Nagle's algorithm off on each connection: hyper writes every
/// response (headers and body) at once, so holding back a small last
/// segment only adds a round trip of latency.
impl Listener for AsyncTcpListener {
    type Io = AsyncTcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> io::Result<(AsyncTcpStream, std::net::SocketAddr)> {
        let (stream, peer) = AsyncTcpListener::accept(self).await?;
        // Only fails for a socket that is already broken, which the first
        // read or write reports.
        let _ = stream.set_nodelay(true);
        Ok((stream, peer))
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        AsyncTcpListener::local_addr(self)
    }
}

impl Listener for AsyncUnixListener {
    type Io = AsyncUnixStream;
    type Addr = std::os::unix::net::SocketAddr;

    async fn accept(&mut self) -> io::Result<(AsyncUnixStream, std::os::unix::net::SocketAddr)> {
        AsyncUnixListener::accept(self).await
    }

    fn local_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        AsyncUnixListener::local_addr(self)
    }
}
