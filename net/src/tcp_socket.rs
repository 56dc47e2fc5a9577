//! [`TcpSocket`]: a TCP socket configured before it connects or listens.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::resolve::in_progress;
use crate::tcp_stream::linger_secs;
use crate::{AsyncTcpListener, AsyncTcpStream};

/// A TCP socket that has not yet connected or listened, for the options
/// that must be set before (tokio's `TcpSocket`): `SO_REUSEADDR`,
/// `SO_REUSEPORT`, buffer sizes, a chosen local address for an outgoing
/// connection, a `listen` backlog.
///
/// Creating and configuring one needs no runtime; [`connect`] and
/// [`listen`] register the socket with the current runtime's reactor. The
/// socket is non-blocking and close-on-exec from the start.
///
/// [`connect`]: TcpSocket::connect
/// [`listen`]: TcpSocket::listen
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::TcpSocket;
///
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.bind("127.0.0.1:0".parse().unwrap())?;
/// let listener = socket.listen(128)?;
///
/// let client = TcpSocket::new_v4()?;
/// client.set_nodelay(true)?;
/// let stream = client.connect(listener.local_addr()?).await?;
/// assert!(stream.nodelay()?);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct TcpSocket {
    inner: Socket,
}

impl TcpSocket {
    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let inner = Socket::new(domain, Type::STREAM.nonblocking().cloexec(), Some(Protocol::TCP))?;
        Ok(TcpSocket { inner })
    }

    /// A new IPv4 TCP socket.
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket (it also accepts IPv4-mapped traffic unless
    /// `IPV6_V6ONLY` is set, the system default).
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    /// Sets `SO_REUSEADDR`: a listener may bind a port that connections in
    /// `TIME_WAIT` still hold (what [`AsyncTcpListener::bind`] does).
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets (of the same user), each with
    /// it set before `bind`, may bind one address and port; the kernel
    /// spreads incoming connections across their listeners.
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuseport)
    }

    /// Whether `SO_REUSEPORT` is set.
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets the send buffer size (`SO_SNDBUF`). Linux doubles the value
    /// (for its bookkeeping) and bounds it by `net.core.wmem_max`, so
    /// [`send_buffer_size`](TcpSocket::send_buffer_size) reads back more.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(to_usize(size))
    }

    /// The send buffer size (`SO_SNDBUF`), as the kernel reports it.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(to_u32)
    }

    /// Sets the receive buffer size (`SO_RCVBUF`); doubled and bounded by
    /// `net.core.rmem_max`, as for the send buffer. Set it before
    /// `connect` or `listen`: the TCP window scale is agreed on then.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(to_usize(size))
    }

    /// The receive buffer size (`SO_RCVBUF`), as the kernel reports it.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(to_u32)
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm); inherited by the
    /// connected stream.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Sets `SO_LINGER`; see [`AsyncTcpStream::set_linger`] for what each
    /// value does (a non-zero linger makes dropping the stream block).
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        let linger = linger.map(linger_secs).transpose()?;
        self.inner.set_linger(linger)
    }

    /// Sets a zero `SO_LINGER` (closing resets the connection); see
    /// [`AsyncTcpStream::set_zero_linger`].
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.set_linger(Some(Duration::ZERO))
    }

    /// The `SO_LINGER` setting, in whole seconds.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// Sets `SO_KEEPALIVE`; see [`AsyncTcpStream::set_keepalive`].
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets the IPv4 type-of-service byte (`IP_TOS`) of outgoing packets.
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        self.inner.set_tos(tos)
    }

    /// The IPv4 type-of-service byte (`IP_TOS`).
    pub fn tos(&self) -> io::Result<u32> {
        self.inner.tos()
    }

    /// tokio's newer name for [`set_tos`](TcpSocket::set_tos).
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        self.set_tos(tos)
    }

    /// tokio's newer name for [`tos`](TcpSocket::tos).
    pub fn tos_v4(&self) -> io::Result<u32> {
        self.tos()
    }

    /// Sets the IPv6 traffic class (`IPV6_TCLASS`) of outgoing packets, the
    /// IPv6 counterpart of [`set_tos`](TcpSocket::set_tos).
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        self.inner.set_tclass_v6(tclass)
    }

    /// The IPv6 traffic class (`IPV6_TCLASS`).
    pub fn tclass_v6(&self) -> io::Result<u32> {
        self.inner.tclass_v6()
    }

    /// Binds the socket to `addr`: before [`listen`](TcpSocket::listen),
    /// the address to listen on; before [`connect`](TcpSocket::connect),
    /// the local address (and port) the connection leaves from.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&SockAddr::from(addr))
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()?.as_socket().ok_or_else(not_ip)
    }

    /// Reads and clears the pending error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Connects to `addr` and returns the stream, registered with the
    /// current runtime. Like [`AsyncTcpStream::connect`], the connect is
    /// non-blocking and a refused one fails with `ConnectionRefused`; wrap
    /// it in `edgeio::time::timeout` to bound it. The socket is consumed
    /// (and closed) whatever the outcome.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<AsyncTcpStream> {
        let started = match self.inner.connect(&SockAddr::from(addr)) {
            Ok(()) => false,
            Err(e) if in_progress(&e) => true,
            Err(e) => return Err(e),
        };
        let stream = AsyncTcpStream::from_nonblocking(self.inner)?;
        if started {
            stream.finish_connect().await?;
        }
        Ok(stream)
    }

    /// Listens with room for `backlog` connections not yet accepted (the
    /// kernel caps it at `net.core.somaxconn`) and returns the listener,
    /// registered with the current runtime. An unbound socket listens on
    /// a free port of every address.
    pub fn listen(self, backlog: u32) -> io::Result<AsyncTcpListener> {
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.inner.listen(backlog)?;
        AsyncTcpListener::from_nonblocking(self.inner)
    }

    /// Wraps a `std` stream (connected or not) to set options on it, as
    /// tokio's `TcpSocket::from_std_stream`. It is switched to
    /// non-blocking mode.
    pub fn from_std_stream(stream: TcpStream) -> TcpSocket {
        let inner = Socket::from(stream);
        // Only fails on a bad fd, which a `TcpStream` cannot hold; the
        // later operations would report the error anyway.
        let _ = inner.set_nonblocking(true);
        TcpSocket { inner }
    }
}

/// Socket options are `int`s; `u32` sizes beyond `i32::MAX` saturate (the
/// kernel bounds them far lower anyway).
fn to_usize(size: u32) -> usize {
    size.min(i32::MAX as u32) as usize
}

fn to_u32(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

fn not_ip() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not an IP socket")
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl IntoRawFd for TcpSocket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}

impl From<TcpSocket> for OwnedFd {
    fn from(socket: TcpSocket) -> OwnedFd {
        socket.inner.into()
    }
}

impl FromRawFd for TcpSocket {
    /// Takes ownership of `fd`, a TCP socket, and makes it non-blocking.
    ///
    /// # Safety
    ///
    /// `fd` must be an open socket that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> TcpSocket {
        // SAFETY: the caller hands over an open socket fd it owned.
        TcpSocket::from_std_stream(unsafe { TcpStream::from_raw_fd(fd) })
    }
}
