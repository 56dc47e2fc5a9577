//! [`AsyncUnixDatagram`]: Unix domain datagram sockets.

use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::task::{Context, Poll};

use bytes::BufMut;
use socket2::{Domain, SockAddr, SockRef, Socket, Type};

use crate::peer_retry::PeerRetry;
use crate::read_buf::read_buf;
use crate::{fd_passing, unix_addr, Async};

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

    /// Creates a socket bound to `path` (which must not exist). A path
    /// starting with a NUL byte (`"\0name"`) binds an abstract name, as in
    /// tokio (see [`bind_addr`](AsyncUnixDatagram::bind_addr)).
    pub fn bind(path: impl AsRef<Path>) -> io::Result<AsyncUnixDatagram> {
        AsyncUnixDatagram::bind_sockaddr(&unix_addr::path_addr(path.as_ref())?)
    }

    /// Creates a socket bound to `addr`, a path or an abstract name
    /// (`std::os::linux::net::SocketAddrExt::from_abstract_name`).
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<AsyncUnixDatagram> {
        AsyncUnixDatagram::bind_sockaddr(&unix_addr::std_addr(addr)?)
    }

    fn bind_sockaddr(addr: &SockAddr) -> io::Result<AsyncUnixDatagram> {
        let socket = AsyncUnixDatagram::socket()?;
        socket.bind(addr)?;
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

    /// Sets the default destination and the only accepted source. A path
    /// starting with a NUL byte names an abstract socket.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.sock().connect(&unix_addr::path_addr(path.as_ref())?)
    }

    /// [`connect`](AsyncUnixDatagram::connect) to `addr`, a path or an
    /// abstract name.
    pub fn connect_addr(&self, addr: &SocketAddr) -> io::Result<()> {
        self.sock().connect(&unix_addr::std_addr(addr)?)
    }

    fn sock(&self) -> SockRef<'_> {
        SockRef::from(self.inner.get_ref())
    }

    /// Sends one datagram to the socket bound at `path` (a leading NUL
    /// byte: an abstract name).
    ///
    /// When the receiver's queue is full, no edge announces room in it
    /// (unless the receiver is the connected peer), so the send is retried
    /// after a pause: 1 ms, doubling up to 50 ms, as long as it takes, like
    /// a blocking `send_to` would wait. Wrap the call in
    /// `edgeio::time::timeout` to bound it. Outside an edgeio runtime the
    /// `WouldBlock` error is returned instead.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        self.send_to_sockaddr(buf, &unix_addr::path_addr(path.as_ref())?)
            .await
    }

    /// [`send_to`](AsyncUnixDatagram::send_to) the socket at `addr`, a path
    /// or an abstract name.
    pub async fn send_to_addr(&self, buf: &[u8], addr: &SocketAddr) -> io::Result<usize> {
        self.send_to_sockaddr(buf, &unix_addr::std_addr(addr)?).await
    }

    async fn send_to_sockaddr(&self, buf: &[u8], addr: &SockAddr) -> io::Result<usize> {
        let mut retry = PeerRetry::new();
        loop {
            // `EAGAIN` comes back as the attempt's result rather than as a
            // reason to wait for writability (see `PeerRetry`).
            match self
                .inner
                .write_with(|s| Ok(SockRef::from(s).send_to(buf, addr)))
                .await?
            {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => retry.wait(e).await?,
                result => return result,
            }
        }
    }

    /// Poll form of [`send_to`](AsyncUnixDatagram::send_to). A poll
    /// function cannot pause between retries, so when the receiver's queue
    /// is full (no edge would announce room) it reports `WouldBlock`
    /// instead of waiting, as [`try_send_to`](AsyncUnixDatagram::try_send_to)
    /// does.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        path: impl AsRef<Path>,
    ) -> Poll<io::Result<usize>> {
        let addr = unix_addr::path_addr(path.as_ref())?;
        self.inner
            .poll_write_with(cx, |s| Ok(SockRef::from(s).send_to(buf, &addr)))
            .map(|result| result.and_then(|sent| sent))
    }

    /// Sends one datagram to the socket at `path` without waiting:
    /// `WouldBlock` if this socket is not known to be writable, or if the
    /// receiver's queue is full. The latter leaves this socket's readiness
    /// alone (its own buffer has room), so a `writable` that follows
    /// returns at once: retry after a pause, or use
    /// [`send_to`](AsyncUnixDatagram::send_to), which does that.
    pub fn try_send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let addr = unix_addr::path_addr(path.as_ref())?;
        self.inner
            .try_write_with(|s| Ok(SockRef::from(s).send_to(buf, &addr)))?
    }

    /// Waits until the socket may be writable (tokio's name for
    /// `poll_write_ready` on datagram sockets).
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_ready(cx)
    }

    /// Waits until a datagram may be queued (tokio's name for
    /// `poll_read_ready` on datagram sockets).
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_read_ready(cx)
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

    /// Poll form of [`recv`](AsyncUnixDatagram::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_read_with(cx, |s| s.recv(buf))
    }

    /// Poll form of [`recv_from`](AsyncUnixDatagram::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.inner.poll_read_with(cx, |s| s.recv_from(buf))
    }

    /// Poll form of [`send`](AsyncUnixDatagram::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_write_with(cx, |s| s.send(buf))
    }

    /// Sends one datagram to the connected peer without waiting:
    /// `WouldBlock` if there is no room.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_with(|s| s.send(buf))
    }

    /// Receives one datagram from the connected peer without waiting:
    /// `WouldBlock` if none is queued (or none is known to be, since the
    /// last `WouldBlock`; [`readable`](AsyncUnixDatagram::readable) waits
    /// for that).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read_with(|s| s.recv(buf))
    }

    /// Receives one datagram and its sender without waiting; see
    /// [`try_recv`](AsyncUnixDatagram::try_recv).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|s| s.recv_from(buf))
    }

    /// Receives one datagram into `buf`'s spare capacity, advancing it;
    /// returns the datagram's length (what did not fit is discarded).
    pub async fn recv_buf<B: BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner
            .read_with(|s| read_buf(buf, |dst| SockRef::from(s).recv(dst)))
            .await
    }

    /// [`recv_buf`](AsyncUnixDatagram::recv_buf) without waiting.
    pub fn try_recv_buf<B: BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner
            .try_read_with(|s| read_buf(buf, |dst| SockRef::from(s).recv(dst)))
    }

    /// Receives one datagram into `buf`'s spare capacity, advancing it;
    /// returns its length and sender.
    ///
    /// The spare capacity is zeroed first: `std`'s `recv_from`, the only
    /// way to get the sender as a `std` `SocketAddr` (which may be
    /// unnamed), needs initialized memory.
    pub async fn recv_buf_from<B: BufMut>(&self, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| recv_buf_from(s, buf)).await
    }

    /// [`recv_buf_from`](AsyncUnixDatagram::recv_buf_from) without waiting.
    pub fn try_recv_buf_from<B: BufMut>(&self, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|s| recv_buf_from(s, buf))
    }

    /// Sends one datagram, `buf`, to the connected peer with the file
    /// descriptors `fds` attached (`SCM_RIGHTS`; at most 253). The peer
    /// gets duplicates of them (the same open files) with
    /// [`recv_with_fds`](AsyncUnixDatagram::recv_with_fds). An empty
    /// datagram may carry descriptors.
    pub async fn send_with_fds(&self, buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        self.inner
            .write_with(|s| fd_passing::send(s.as_fd(), buf, fds))
            .await
    }

    /// [`send_with_fds`](AsyncUnixDatagram::send_with_fds) without waiting.
    pub fn try_send_with_fds(&self, buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        self.inner
            .try_write_with(|s| fd_passing::send(s.as_fd(), buf, fds))
    }

    /// Receives one datagram into `buf`, waiting for one, and appends the
    /// descriptors that came with it to `fds` (close-on-exec). The errors
    /// are those of
    /// [`AsyncUnixStream::recv_with_fds`](crate::AsyncUnixStream::recv_with_fds):
    /// a truncation of the descriptors is an error, and none leaks.
    pub async fn recv_with_fds(&self, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> io::Result<usize> {
        self.inner
            .read_with(|s| fd_passing::recv(s.as_fd(), buf, fds, fd_passing::MAX_FDS))
            .await
    }

    /// [`recv_with_fds`](AsyncUnixDatagram::recv_with_fds) without waiting.
    pub fn try_recv_with_fds(&self, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> io::Result<usize> {
        self.inner
            .try_read_with(|s| fd_passing::recv(s.as_fd(), buf, fds, fd_passing::MAX_FDS))
    }

    /// Reads and clears the pending error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
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

/// One `recvfrom` into `buf`'s spare capacity, zeroed first (see
/// `AsyncUnixDatagram::recv_buf_from`).
fn recv_buf_from<B: BufMut>(socket: &UnixDatagram, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
    read_buf(buf, |dst| {
        // SAFETY: `dst` is valid for writes of `dst.len()` bytes; after
        // zeroing, every byte is initialized, so it may be seen as `[u8]`
        // (same layout as `[MaybeUninit<u8>]`).
        let dst = unsafe {
            std::ptr::write_bytes(dst.as_mut_ptr(), 0, dst.len());
            &mut *(dst as *mut [std::mem::MaybeUninit<u8>] as *mut [u8])
        };
        socket.recv_from(dst)
    })
}
