//! async-io's socket constructors and operations on [`Async`] of the `std`
//! socket types, so that code written against `async_io::Async` ports by
//! renaming the crate: `Async::<TcpListener>::bind`, `accept`,
//! `incoming`, `Async::<TcpStream>::connect`, `Async::<UdpSocket>::send_to`
//! and the rest.
//!
//! They are thin: the waiting is `Async`'s, and connecting reuses the
//! socket types' non-blocking connect. The socket types
//! ([`AsyncTcpListener`](crate::AsyncTcpListener) and the others) offer
//! more (socket options, accept backoff on `EMFILE`, name resolution); these
//! exist for async-io's signatures.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::{SocketAddr as UnixSocketAddr, UnixDatagram, UnixListener, UnixStream};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::peer_retry::PeerRetry;
use crate::{Async, AsyncTcpStream, AsyncUnixStream};

impl Async<TcpListener> {
    /// Binds a TCP listener to `addr` (std's `TcpListener::bind`,
    /// registered), as async-io's.
    pub fn bind(addr: impl Into<SocketAddr>) -> io::Result<Async<TcpListener>> {
        Async::new(TcpListener::bind(addr.into())?)
    }

    /// Accepts a connection, waiting for one.
    pub async fn accept(&self) -> io::Result<(Async<TcpStream>, SocketAddr)> {
        let (stream, addr) = self.read_with(|listener| listener.accept()).await?;
        Ok((Async::new(stream)?, addr))
    }

    /// Poll form of [`accept`](Async::<TcpListener>::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(Async<TcpStream>, SocketAddr)>> {
        self.poll_read_with(cx, |listener| listener.accept())
            .map(|accepted| accepted.and_then(|(stream, addr)| Ok((Async::new(stream)?, addr))))
    }

    /// The accepted connections, as a stream that never ends.
    pub fn incoming(&self) -> impl Stream<Item = io::Result<Async<TcpStream>>> + Send + Unpin + '_ {
        AcceptStream(move |cx: &mut Context<'_>| self.poll_accept(cx).map(|r| r.map(|(stream, _)| stream)))
    }
}

impl Async<TcpStream> {
    /// Connects to `addr` without blocking, as async-io's: the connect
    /// completes (or fails, say with `ConnectionRefused`) in the reactor.
    pub async fn connect(addr: impl Into<SocketAddr>) -> io::Result<Async<TcpStream>> {
        Ok(AsyncTcpStream::connect(addr.into()).await?.inner)
    }

    /// Receives data without removing it from the queue, waiting until
    /// some is available.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_with(|stream| stream.peek(buf)).await
    }
}

impl Async<UdpSocket> {
    /// Binds a UDP socket to `addr`, as async-io's.
    pub fn bind(addr: impl Into<SocketAddr>) -> io::Result<Async<UdpSocket>> {
        Async::new(UdpSocket::bind(addr.into())?)
    }

    /// Receives one datagram and its sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.read_with(|socket| socket.recv_from(buf)).await
    }

    /// Like [`recv_from`](Async::<UdpSocket>::recv_from), leaving the
    /// datagram queued.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.read_with(|socket| socket.peek_from(buf)).await
    }

    /// Sends one datagram to `addr`.
    pub async fn send_to(&self, buf: &[u8], addr: impl Into<SocketAddr>) -> io::Result<usize> {
        let addr = addr.into();
        self.write_with(|socket| socket.send_to(buf, addr)).await
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_with(|socket| socket.recv(buf)).await
    }

    /// Like [`recv`](Async::<UdpSocket>::recv), leaving the datagram
    /// queued.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_with(|socket| socket.peek(buf)).await
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_with(|socket| socket.send(buf)).await
    }
}

impl Async<UnixListener> {
    /// Binds a Unix listener to `path`, as async-io's.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Async<UnixListener>> {
        Async::new(UnixListener::bind(path)?)
    }

    /// Accepts a connection, waiting for one.
    pub async fn accept(&self) -> io::Result<(Async<UnixStream>, UnixSocketAddr)> {
        let (stream, addr) = self.read_with(|listener| listener.accept()).await?;
        Ok((Async::new(stream)?, addr))
    }

    /// Poll form of [`accept`](Async::<UnixListener>::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(Async<UnixStream>, UnixSocketAddr)>> {
        self.poll_read_with(cx, |listener| listener.accept())
            .map(|accepted| accepted.and_then(|(stream, addr)| Ok((Async::new(stream)?, addr))))
    }

    /// The accepted connections, as a stream that never ends.
    pub fn incoming(&self) -> impl Stream<Item = io::Result<Async<UnixStream>>> + Send + Unpin + '_ {
        AcceptStream(move |cx: &mut Context<'_>| self.poll_accept(cx).map(|r| r.map(|(stream, _)| stream)))
    }
}

impl Async<UnixStream> {
    /// Connects to the socket at `path`, as async-io's (and as
    /// [`AsyncUnixStream::connect`], whose waiting it shares).
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<Async<UnixStream>> {
        Ok(AsyncUnixStream::connect(path).await?.inner)
    }

    /// A pair of connected sockets, both registered.
    pub fn pair() -> io::Result<(Async<UnixStream>, Async<UnixStream>)> {
        let (a, b) = UnixStream::pair()?;
        Ok((Async::new(a)?, Async::new(b)?))
    }
}

impl Async<UnixDatagram> {
    /// Binds a Unix datagram socket to `path`, as async-io's.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Async<UnixDatagram>> {
        Async::new(UnixDatagram::bind(path)?)
    }

    /// A Unix datagram socket bound to no address.
    pub fn unbound() -> io::Result<Async<UnixDatagram>> {
        Async::new(UnixDatagram::unbound()?)
    }

    /// A pair of connected sockets, both registered.
    pub fn pair() -> io::Result<(Async<UnixDatagram>, Async<UnixDatagram>)> {
        let (a, b) = UnixDatagram::pair()?;
        Ok((Async::new(a)?, Async::new(b)?))
    }

    /// Receives one datagram and its sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, UnixSocketAddr)> {
        self.read_with(|socket| socket.recv_from(buf)).await
    }

    /// Sends one datagram to the socket at `path`. A full receiver queue
    /// raises no edge on this socket, so, as
    /// [`AsyncUnixDatagram::send_to`](crate::AsyncUnixDatagram::send_to)
    /// does, the send is retried after a growing pause rather than waiting
    /// for an edge that may never come.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        let mut retry = PeerRetry::new();
        loop {
            // `EAGAIN` comes back as the attempt's result rather than as a
            // reason to wait for writability (see `PeerRetry`).
            match self.write_with(|socket| Ok(socket.send_to(buf, path))).await? {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => retry.wait(e).await?,
                result => return result,
            }
        }
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_with(|socket| socket.recv(buf)).await
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.write_with(|socket| socket.send(buf)).await
    }
}

/// A stream over a poll function (the `incoming` streams).
struct AcceptStream<F>(F);

impl<F, T> Stream for AcceptStream<F>
where
    F: FnMut(&mut Context<'_>) -> Poll<io::Result<T>> + Unpin,
{
    type Item = io::Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<io::Result<T>>> {
        (self.0)(cx).map(Some)
    }
}
