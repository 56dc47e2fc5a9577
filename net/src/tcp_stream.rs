//! [`AsyncTcpStream`]: a TCP connection.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::task::{Context, Poll};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::resolve::{finish_connect, in_progress, no_addresses};
use crate::to_socket_addrs::{resolve, ToSocketAddrs};
use crate::Async;

/// A TCP connection driven by the reactor, IPv4 or IPv6.
///
/// Implements `futures-io`'s `AsyncRead` and `AsyncWrite`, for the stream
/// and for `&AsyncTcpStream`; use them through `futures_util::io`'s
/// `AsyncReadExt`/`AsyncWriteExt`. `flush` does nothing (the kernel owns
/// the buffer) and `close` shuts down the writing direction.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::{AsyncTcpListener, AsyncTcpStream};
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// let mut client = AsyncTcpStream::connect(addr).await?;
/// let (mut server, _) = listener.accept().await?;
///
/// client.write_all(b"hello").await?;
/// client.close().await?; // the server sees end-of-stream after the data
/// let mut received = Vec::new();
/// server.read_to_end(&mut received).await?;
/// assert_eq!(received, b"hello");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncTcpStream {
    pub(crate) inner: Async<TcpStream>,
}

impl_fd_traits!(AsyncTcpStream);
impl_readiness!(AsyncTcpStream);
impl_stream_io!(AsyncTcpStream, tcp = true);
impl_std_conversions!(AsyncTcpStream, TcpStream);

impl AsyncTcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn and
    /// returning the last error if none accepts.
    ///
    /// The connect is non-blocking: the task waits for the socket to
    /// become writable and then reads the outcome from `SO_ERROR`. A port
    /// nobody listens on fails with `io::ErrorKind::ConnectionRefused`.
    /// There is no built-in timeout; wrap the call in
    /// `edgeio::time::timeout` if you need one. A host *name* is looked
    /// up on the blocking pool (see [`ToSocketAddrs`]), never on the
    /// worker thread.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::AsyncTcpStream;
    /// // Find a port that is closed: bind one, then release it.
    /// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let err = AsyncTcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<AsyncTcpStream> {
        let addrs = resolve(addr).await?;
        let mut last_err = None;
        for addr in addrs {
            match AsyncTcpStream::connect_addr(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(no_addresses))
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<AsyncTcpStream> {
        let socket = Socket::new(
            Domain::for_address(addr),
            Type::STREAM.nonblocking().cloexec(),
            Some(Protocol::TCP),
        )?;
        // Every early return below drops the socket, closing it.
        let started = match socket.connect(&SockAddr::from(addr)) {
            Ok(()) => false,
            Err(e) if in_progress(&e) => true,
            Err(e) => return Err(e),
        };
        let stream = AsyncTcpStream::from_nonblocking(socket)?;
        if started {
            stream.finish_connect().await?;
        }
        Ok(stream)
    }

    /// Waits for a connect that reported `EINPROGRESS` to finish.
    pub(crate) async fn finish_connect(&self) -> io::Result<()> {
        finish_connect(&self.inner).await
    }

    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm) when `nodelay`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get_ref().nodelay()
    }

    /// Sets `TCP_QUICKACK`: acknowledge received data at once rather than
    /// delaying the ACK. The kernel clears it again on its own, so it is a
    /// hint for the next few segments, not a lasting mode.
    pub fn set_quickack(&self, quickack: bool) -> io::Result<()> {
        SockRef::from(self.inner.get_ref()).set_quickack(quickack)
    }

    /// Whether `TCP_QUICKACK` is set.
    pub fn quickack(&self) -> io::Result<bool> {
        SockRef::from(self.inner.get_ref()).quickack()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }

    /// Enables or disables `SO_KEEPALIVE`: after the connection has been
    /// idle for a while, the kernel probes the peer and, if it does not
    /// answer, fails the connection (the next read or write reports the
    /// error). Off by default.
    ///
    /// The probes use the system-wide timing (`net.ipv4.tcp_keepalive_time`,
    /// two hours unless changed); for per-socket timing, use
    /// `socket2::SockRef::from(&stream).set_tcp_keepalive(..)`.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        SockRef::from(self.inner.get_ref()).set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keepalive(&self) -> io::Result<bool> {
        SockRef::from(self.inner.get_ref()).keepalive()
    }

    /// Sets `SO_LINGER`: what closing the socket (dropping the stream)
    /// does with data not yet sent.
    ///
    /// - `None` (the default): `close` returns at once and the kernel
    ///   keeps sending in the background, then ends the connection with a
    ///   normal `FIN`.
    /// - `Some(Duration::ZERO)`: an *abortive* close; unsent data is
    ///   discarded and the peer receives a `RST` (its reads fail with
    ///   `ConnectionReset`). No `TIME_WAIT` is left behind.
    /// - `Some(d)`, `d > 0`: `close` **blocks the calling thread** until the
    ///   peer has acknowledged the data and the `FIN`, or `d` has passed.
    ///   Linux ignores non-blocking mode here, so dropping such a stream
    ///   with data still queued stalls the worker thread, and every task
    ///   on it, for up to `d`. To know the
    ///   data arrived, prefer `close` (`futures_util::io::AsyncWriteExt`;
    ///   a `shutdown` that never blocks) and waiting for the peer to close
    ///   in turn.
    ///
    /// The kernel counts in whole seconds: a non-zero `d` is rounded *up*,
    /// so that, say, 500 ms does not become the zero linger, which resets
    /// the connection instead of closing it.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `d` exceeds `i32::MAX` seconds (the kernel's
    /// field is an `int`, and a larger value would wrap around), or any
    /// error of `setsockopt`.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        let linger = linger.map(linger_secs).transpose()?;
        SockRef::from(self.inner.get_ref()).set_linger(linger)
    }

    /// Sets a zero `SO_LINGER`: dropping the stream then resets the
    /// connection (the peer gets a `RST`, unsent data is discarded) instead
    /// of closing it. tokio's name for `set_linger(Some(Duration::ZERO))`,
    /// the one linger that never blocks the dropping thread.
    pub fn set_zero_linger(&self) -> io::Result<()> {
        self.set_linger(Some(Duration::ZERO))
    }

    /// The current `SO_LINGER` setting, in whole seconds; see
    /// [`set_linger`](AsyncTcpStream::set_linger).
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        SockRef::from(self.inner.get_ref()).linger()
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`): `Ok(None)`
    /// if there is none.
    ///
    /// The kernel records an asynchronous failure there, such as a refused
    /// non-blocking `connect` or a `RST` from the peer, and reports it
    /// once: to this call or to the next read or write, whichever comes
    /// first. So this is useful after [`readable`](AsyncTcpStream::readable)
    /// or [`writable`](AsyncTcpStream::writable) woke the task, to learn
    /// why without transferring data.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }

    /// Shuts down one or both directions; see [`std::net::TcpStream::shutdown`].
    /// The socket itself stays open until dropped.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Receives data without removing it from the queue, waiting until
    /// some is available. Returns `Ok(0)` at end of stream.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.peek(buf)).await
    }

    /// Poll form of [`peek`](AsyncTcpStream::peek).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_read_with(cx, |s| s.peek(buf))
    }
}

impl crate::ReadHalf<AsyncTcpStream> {
    /// Receives data without removing it from the queue; see
    /// [`AsyncTcpStream::peek`].
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.as_ref().peek(buf).await
    }

    /// Poll form of [`peek`](Self::peek).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.as_ref().poll_peek(cx, buf)
    }
}

/// `linger` as the whole seconds `SO_LINGER` holds: rounded up (a non-zero
/// linger must not become zero, which means "reset"), and within `i32`.
pub(crate) fn linger_secs(linger: Duration) -> io::Result<Duration> {
    let secs = linger
        .as_secs()
        .saturating_add(u64::from(linger.subsec_nanos() > 0));
    if secs > i32::MAX as u64 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "SO_LINGER duration exceeds i32::MAX seconds",
        ));
    }
    Ok(Duration::from_secs(secs))
}
