//! [`AsyncUdpSocket`]: UDP datagrams.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs, UdpSocket};
use std::task::{Context, Poll};

use bytes::BufMut;
use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::read_buf::read_buf;

use crate::resolve::{each_addr, no_addresses};
use crate::to_socket_addrs::resolve;
use crate::Async;

/// A UDP socket driven by the reactor, IPv4 or IPv6.
///
/// Every send and receive moves one whole datagram. A receive buffer
/// smaller than the datagram gets the beginning and the rest is discarded,
/// as with `std`. Any number of tasks may send and receive on one socket
/// (share it through an `Arc`).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::AsyncUdpSocket;
///
/// let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
/// let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncUdpSocket {
    inner: Async<UdpSocket>,
}

impl_fd_traits!(AsyncUdpSocket);
impl_readiness!(AsyncUdpSocket);
impl_std_conversions!(AsyncUdpSocket, UdpSocket);

impl AsyncUdpSocket {
    /// Binds to `addr`, trying each address it resolves to in turn.
    /// Synchronous, like `std`'s: a host *name* is resolved on the calling
    /// thread.
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if no address can be bound.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AsyncUdpSocket> {
        each_addr(addr, |addr| {
            let socket = Socket::new(
                Domain::for_address(addr),
                Type::DGRAM.nonblocking().cloexec(),
                Some(Protocol::UDP),
            )?;
            socket.bind(&SockAddr::from(addr))?;
            AsyncUdpSocket::from_nonblocking(socket)
        })
    }

    /// Sets the default destination for [`send`](AsyncUdpSocket::send) and
    /// the only source [`recv`](AsyncUdpSocket::recv) accepts. Tries each
    /// address `addr` resolves to. Does not wait for the peer (UDP has no
    /// handshake), but a host *name* is resolved on the calling thread.
    pub fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        self.inner.get_ref().connect(addr)
    }

    /// Sends `buf` as one datagram to the first address `target`
    /// resolves to (a host name is looked up on the blocking pool, see
    /// [`crate::ToSocketAddrs`]). Returns the bytes sent.
    pub async fn send_to(&self, buf: &[u8], target: impl crate::ToSocketAddrs) -> io::Result<usize> {
        let target = resolve(target)
            .await?
            .into_iter()
            .next()
            .ok_or_else(no_addresses)?;
        self.inner.write_with(|s| s.send_to(buf, target)).await
    }

    /// Poll form of [`send_to`](AsyncUdpSocket::send_to).
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_with(cx, |s| s.send_to(buf, target))
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

    /// Receives one datagram into `buf`; returns its length and sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.recv_from(buf)).await
    }

    /// Poll form of [`recv_from`](AsyncUdpSocket::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.inner.poll_read_with(cx, |s| s.recv_from(buf))
    }

    /// Like [`recv_from`](AsyncUdpSocket::recv_from), leaving the datagram
    /// queued.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.peek_from(buf)).await
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|s| s.send(buf)).await
    }

    /// Poll form of [`send`](AsyncUdpSocket::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_write_with(cx, |s| s.send(buf))
    }

    /// Sends one datagram to the connected peer without waiting:
    /// `WouldBlock` if the send buffer is full, or not known to have room
    /// yet (a new socket is known writable once the reactor has seen its
    /// first event). Pairs with [`writable`](AsyncUdpSocket::writable),
    /// which waits for that.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_with(|s| s.send(buf))
    }

    /// Sends one datagram to `target` without waiting; see
    /// [`try_send`](AsyncUdpSocket::try_send). Takes a resolved address:
    /// looking a name up could itself have to wait.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.inner.try_write_with(|s| s.send_to(buf, target))
    }

    /// Receives one datagram from the connected peer. May fail with
    /// `ConnectionRefused` if an earlier datagram drew an ICMP
    /// "port unreachable".
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.recv(buf)).await
    }

    /// Poll form of [`recv`](AsyncUdpSocket::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner.poll_read_with(cx, |s| s.recv(buf))
    }

    /// Receives one datagram from the connected peer without waiting:
    /// `WouldBlock` if none is queued.
    ///
    /// Pairs with [`readable`](AsyncUdpSocket::readable): readiness is
    /// edge-triggered and only forgotten when an operation reports
    /// `WouldBlock`, so loop on this until it does before waiting again.
    /// After a `WouldBlock`, it keeps reporting `WouldBlock` (without a
    /// syscall) until the reactor has seen a new datagram arrive, even if
    /// the kernel already holds one; `readable` waits for exactly that.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read_with(|s| s.recv(buf))
    }

    /// Receives one datagram and its sender without waiting; see
    /// [`try_recv`](AsyncUdpSocket::try_recv).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|s| s.recv_from(buf))
    }

    /// Like [`recv`](AsyncUdpSocket::recv), leaving the datagram queued.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.peek(buf)).await
    }

    /// Poll form of [`peek_from`](AsyncUdpSocket::peek_from). (tokio's
    /// takes a `ReadBuf`; this takes a slice, like the other `poll_recv`
    /// forms here.)
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.inner.poll_read_with(cx, |s| s.peek_from(buf))
    }

    /// [`peek_from`](AsyncUdpSocket::peek_from) without waiting; see
    /// [`try_recv`](AsyncUdpSocket::try_recv).
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|s| s.peek_from(buf))
    }

    /// The sender of the next datagram, leaving it queued: waits until one
    /// arrives. Cheaper than [`peek_from`](AsyncUdpSocket::peek_from) when
    /// only the address is wanted (nothing is copied).
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        self.inner.read_with(peek_sender).await
    }

    /// Poll form of [`peek_sender`](AsyncUdpSocket::peek_sender).
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.inner.poll_read_with(cx, peek_sender)
    }

    /// [`peek_sender`](AsyncUdpSocket::peek_sender) without waiting.
    pub fn try_peek_sender(&self) -> io::Result<SocketAddr> {
        self.inner.try_read_with(peek_sender)
    }

    /// Receives one datagram from the connected peer into `buf`'s spare
    /// capacity, advancing it; returns the datagram's length (what did not
    /// fit is discarded). Nothing is zeroed first.
    pub async fn recv_buf<B: BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner
            .read_with(|s| read_buf(buf, |dst| SockRef::from(s).recv(dst)))
            .await
    }

    /// [`recv_buf`](AsyncUdpSocket::recv_buf) without waiting; see
    /// [`try_recv`](AsyncUdpSocket::try_recv).
    pub fn try_recv_buf<B: BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner
            .try_read_with(|s| read_buf(buf, |dst| SockRef::from(s).recv(dst)))
    }

    /// Receives one datagram into `buf`'s spare capacity, advancing it;
    /// returns its length and sender.
    pub async fn recv_buf_from<B: BufMut>(&self, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| recv_buf_from(s, buf)).await
    }

    /// [`recv_buf_from`](AsyncUdpSocket::recv_buf_from) without waiting.
    pub fn try_recv_buf_from<B: BufMut>(&self, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
        self.inner.try_read_with(|s| recv_buf_from(s, buf))
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with
    /// address `interface` (`Ipv4Addr::UNSPECIFIED` lets the kernel pick
    /// one from the routing table).
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.inner.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves a group joined with [`join_multicast_v4`](AsyncUdpSocket::join_multicast_v4).
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.inner.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with
    /// index `interface` (0: the kernel picks one).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves a group joined with [`join_multicast_v6`](AsyncUdpSocket::join_multicast_v6).
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// Sets `IP_MULTICAST_LOOP`: whether this host's own sockets in the
    /// group receive the datagrams it sends to the group (on by default).
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_multicast_loop_v4(on)
    }

    /// Whether `IP_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.inner.get_ref().multicast_loop_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP`, the IPv6 form of
    /// [`set_multicast_loop_v4`](AsyncUdpSocket::set_multicast_loop_v4).
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_multicast_loop_v6(on)
    }

    /// Whether `IPV6_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.inner.get_ref().multicast_loop_v6()
    }

    /// Sets the time-to-live of outgoing IPv4 multicast datagrams (1 by
    /// default: they stay on the local network).
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// The time-to-live of outgoing IPv4 multicast datagrams.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.inner.get_ref().multicast_ttl_v4()
    }

    /// Sets the IPv4 type-of-service byte (`IP_TOS`) of outgoing
    /// datagrams (DSCP and ECN bits).
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        SockRef::from(self.inner.get_ref()).set_tos(tos)
    }

    /// The IPv4 type-of-service byte (`IP_TOS`).
    pub fn tos(&self) -> io::Result<u32> {
        SockRef::from(self.inner.get_ref()).tos()
    }

    /// tokio's newer name for [`set_tos`](AsyncUdpSocket::set_tos).
    pub fn set_tos_v4(&self, tos: u32) -> io::Result<()> {
        self.set_tos(tos)
    }

    /// tokio's newer name for [`tos`](AsyncUdpSocket::tos).
    pub fn tos_v4(&self) -> io::Result<u32> {
        self.tos()
    }

    /// Sets the IPv6 traffic class (`IPV6_TCLASS`) of outgoing datagrams,
    /// the IPv6 counterpart of [`set_tos`](AsyncUdpSocket::set_tos).
    pub fn set_tclass_v6(&self, tclass: u32) -> io::Result<()> {
        SockRef::from(self.inner.get_ref()).set_tclass_v6(tclass)
    }

    /// The IPv6 traffic class (`IPV6_TCLASS`).
    pub fn tclass_v6(&self) -> io::Result<u32> {
        SockRef::from(self.inner.get_ref()).tclass_v6()
    }

    /// Reads and clears the pending error (`SO_ERROR`), such as an ICMP
    /// "port unreachable" drawn by an earlier datagram.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.get_ref().take_error()
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address (`NotConnected` if none).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Allows sending to broadcast addresses (`SO_BROADCAST`).
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.get_ref().broadcast()
    }

    /// Sets the IP time-to-live of outgoing datagrams.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing datagrams.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }
}

/// The sender of the next datagram, as an IP address.
fn peek_sender(socket: &UdpSocket) -> io::Result<SocketAddr> {
    ip_addr(SockRef::from(socket).peek_sender()?)
}

/// One `recvfrom` into `buf`'s spare capacity.
fn recv_buf_from<B: BufMut>(socket: &UdpSocket, buf: &mut B) -> io::Result<(usize, SocketAddr)> {
    let (n, from) = read_buf(buf, |dst| SockRef::from(socket).recv_from(dst))?;
    Ok((n, ip_addr(from)?))
}

fn ip_addr(addr: SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "received a datagram without an IP address",
        )
    })
}
