//! [`AsyncTcpListener`]: accepting TCP connections.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use edgeio_runtime::IoWait;
use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::accept_backoff::{AcceptBackoff, BackoffWait};
use crate::resolve::each_addr;
use crate::{Async, AsyncTcpStream};

/// The `listen` backlog used by [`AsyncTcpListener::bind`]. The kernel caps
/// it at `net.core.somaxconn`.
const BACKLOG: i32 = 1024;

/// A TCP listening socket driven by the reactor.
///
/// Each [`accept`](AsyncTcpListener::accept) takes one connection from the
/// kernel's queue; the listener stays "readable" until `accept` reports
/// `WouldBlock`, so a burst of connections arriving under a single edge is
/// fully drained by calling `accept` in a loop.
///
/// Errors are handed to the caller and never retried internally. Some are
/// about one connection (`ECONNABORTED`) and the next `accept` may succeed
/// at once. Running out of descriptors or memory (`EMFILE`, `ENFILE`,
/// `ENOBUFS`, `ENOMEM`) leaves the connection queued and the listener
/// readable; so that a plain `loop { if let Err(e) = accept().await { .. } }`
/// does not spin, [`accept`](AsyncTcpListener::accept) backs off after those
/// (see there).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::{AsyncTcpListener, AsyncTcpStream};
///
/// let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
/// let client = AsyncTcpStream::connect(listener.local_addr()?).await?;
/// let (server, peer) = listener.accept().await?;
/// assert_eq!(peer, client.local_addr()?);
/// assert_eq!(server.peer_addr()?, client.local_addr()?);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncTcpListener {
    inner: Async<TcpListener>,
    backoff: AcceptBackoff,
}

impl_fd_traits!(AsyncTcpListener);
impl_readiness!(AsyncTcpListener);

/// tokio's spelling of [`from_std`](AsyncTcpListener::from_std), for
/// `std_listener.try_into()`.
impl TryFrom<TcpListener> for AsyncTcpListener {
    type Error = io::Error;

    fn try_from(listener: TcpListener) -> io::Result<AsyncTcpListener> {
        AsyncTcpListener::from_std(listener)
    }
}

impl AsyncTcpListener {
    /// Wraps a `TcpListener`, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if the socket cannot be registered.
    pub fn from_std(listener: TcpListener) -> io::Result<AsyncTcpListener> {
        Ok(AsyncTcpListener::from_async(Async::new(listener)?))
    }

    /// Deregisters the socket and returns it as a `TcpListener`, still in
    /// non-blocking mode (`set_nonblocking(false)` changes that).
    ///
    /// # Errors
    ///
    /// None today: the fd only leaves the reactor. The `io::Result` is
    /// tokio's signature, so code ported from it compiles unchanged.
    pub fn into_std(self) -> io::Result<TcpListener> {
        self.inner.into_inner()
    }

    pub(crate) fn from_nonblocking(listener: impl Into<TcpListener>) -> io::Result<AsyncTcpListener> {
        Ok(AsyncTcpListener::from_async(Async::new_nonblocking(
            listener.into(),
        )?))
    }

    fn from_async(inner: Async<TcpListener>) -> AsyncTcpListener {
        AsyncTcpListener {
            inner,
            backoff: AcceptBackoff::default(),
        }
    }
}

impl AsyncTcpListener {
    /// Binds to `addr` and listens, trying each address it resolves to in
    /// turn and returning the last error if none works.
    ///
    /// The socket is close-on-exec, non-blocking, has `SO_REUSEADDR` (so a
    /// restarted server can bind while old connections sit in `TIME_WAIT`)
    /// and a backlog of 1024. Port 0 picks a free port; see
    /// [`local_addr`](AsyncTcpListener::local_addr).
    ///
    /// Synchronous, like `std`'s, and taking `std::net::ToSocketAddrs`: a
    /// host *name* is resolved on the calling thread. Servers usually bind
    /// an IP literal, which needs no lookup.
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if no address can be bound.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<AsyncTcpListener> {
        each_addr(addr, |addr| {
            let socket = Socket::new(
                Domain::for_address(addr),
                Type::STREAM.nonblocking().cloexec(),
                Some(Protocol::TCP),
            )?;
            socket.set_reuse_address(true)?;
            socket.bind(&SockAddr::from(addr))?;
            socket.listen(BACKLOG)?;
            AsyncTcpListener::from_nonblocking(socket)
        })
    }

    /// Waits for a connection and accepts it. The new stream is
    /// non-blocking, close-on-exec and registered with the reactor.
    ///
    /// # Errors
    ///
    /// Every error of `accept4` (or of registering the new socket) is
    /// returned. After `EMFILE`, `ENFILE`, `ENOBUFS` or `ENOMEM` (out of
    /// descriptors or memory: the connection stays queued), the *next*
    /// `accept` on this listener first sleeps, 10 ms after the first such
    /// error, doubling with each consecutive one up to 1 s; a successful
    /// accept resets the delay. So a loop that logs errors and retries
    /// costs no CPU while the process is out of descriptors, and recovers
    /// on its own once some are freed. Cancelling `accept` during the
    /// sleep is safe: no connection is taken.
    pub async fn accept(&self) -> io::Result<(AsyncTcpStream, SocketAddr)> {
        let mut backoff = BackoffWait::default();
        let mut ready = self.inner.read_wait();
        std::future::poll_fn(|cx| self.poll_accept_backoff(&mut backoff, &mut ready, cx)).await
    }

    /// `accept` and `Incoming` wait as an [`IoWait`], so that cancelling
    /// them leaves no waker behind on the listener.
    fn poll_accept_backoff(
        &self,
        backoff: &mut BackoffWait,
        ready: &mut IoWait<'_>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(AsyncTcpStream, SocketAddr)>> {
        self.backoff.poll_accept(backoff, cx, |cx| {
            let accepted = ready!(ready.poll_io(cx, || accept4(self.inner.get_ref())));
            Poll::Ready(accepted_stream(accepted))
        })
    }

    /// Poll form of [`accept`](AsyncTcpListener::accept), *without* the
    /// backoff after resource exhaustion (a poll function has nowhere to
    /// keep a timer): a caller looping on it must wait after `EMFILE` and
    /// friends itself. [`incoming`](AsyncTcpListener::incoming) backs off
    /// like `accept`.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(AsyncTcpStream, SocketAddr)>> {
        let accepted = ready!(self.inner.poll_read_with(cx, accept4));
        Poll::Ready(accepted_stream(accepted))
    }

    /// The accepted connections, one by one.
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming {
            listener: self,
            backoff: BackoffWait::default(),
            ready: self.inner.read_wait(),
        }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Sets the IP time-to-live of packets sent from accepted sockets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of packets sent from accepted sockets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }
}

/// An endless sequence of accepted connections, from
/// [`AsyncTcpListener::incoming`]: `next` never returns `None`. Errors back
/// off as in [`AsyncTcpListener::accept`].
///
/// It is also a `futures_core::Stream` of `io::Result<AsyncTcpStream>`, the
/// same items as the inherent [`next`](Incoming::next) (and as `std`'s
/// `Incoming`), so `futures-util`'s stream combinators work on it. The
/// inherent `next` takes precedence over `StreamExt::next` in method
/// calls; both yield the same thing. The peer's address is the stream's
/// [`peer_addr`](AsyncTcpStream::peer_addr).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::{AsyncTcpListener, AsyncTcpStream};
///
/// let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
/// let _client = AsyncTcpStream::connect(listener.local_addr()?).await?;
/// let mut incoming = listener.incoming();
/// if let Some(stream) = incoming.next().await {
///     let stream = stream?;
///     assert_eq!(stream.local_addr()?, listener.local_addr()?);
/// }
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a AsyncTcpListener,
    backoff: BackoffWait,
    ready: IoWait<'a>,
}

impl Incoming<'_> {
    /// Waits for the next connection.
    pub async fn next(&mut self) -> Option<io::Result<AsyncTcpStream>> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Poll form of [`next`](Incoming::next).
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<AsyncTcpStream>>> {
        self.listener
            .poll_accept_backoff(&mut self.backoff, &mut self.ready, cx)
            .map(|result| Some(result.map(|(stream, _)| stream)))
    }
}

/// Same items as [`Incoming::poll_next`]; never ends.
impl futures_core::Stream for Incoming<'_> {
    type Item = io::Result<AsyncTcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Incoming` is `Unpin`: a `&AsyncTcpListener`, a `BackoffWait`,
        // whose `Sleep` is `Unpin`, and an `IoWait`.
        Incoming::poll_next(self.get_mut(), cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

/// One `accept4` that gives a socket already non-blocking and
/// close-on-exec.
fn accept4(listener: &TcpListener) -> io::Result<(Socket, SockAddr)> {
    SockRef::from(listener).accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)
}

/// Registers an accepted socket (if that fails, the socket is dropped and
/// closed) and converts the peer's address.
fn accepted_stream(accepted: io::Result<(Socket, SockAddr)>) -> io::Result<(AsyncTcpStream, SocketAddr)> {
    let (socket, addr) = accepted?;
    let stream = AsyncTcpStream::from_nonblocking(socket)?;
    let addr = addr.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "accepted a connection without an IP address",
        )
    })?;
    Ok((stream, addr))
}
