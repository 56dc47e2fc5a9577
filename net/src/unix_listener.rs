//! [`AsyncUnixListener`]: accepting Unix domain stream connections.

use std::io;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::Path;
use std::task::{ready, Context, Poll};

use socket2::{Domain, SockAddr, Socket, Type};

use crate::accept_backoff::{AcceptBackoff, BackoffWait};
use crate::{unix_addr, Async, AsyncUnixStream};

/// The `listen` backlog used by [`AsyncUnixListener::bind`].
const BACKLOG: i32 = 1024;

/// A Unix domain listening socket driven by the reactor.
///
/// Binding creates the socket file; dropping the listener does not remove
/// it (as with `std`), so remove the path yourself when done. Accept errors
/// are returned to the caller, and `accept` backs off after running out of
/// descriptors or memory, as for [`AsyncTcpListener`](crate::AsyncTcpListener).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::{AsyncUnixListener, AsyncUnixStream};
///
/// let dir = std::env::temp_dir().join(format!("edgeio-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("listener.sock");
/// let _ = std::fs::remove_file(&path);
///
/// let listener = AsyncUnixListener::bind(&path)?;
/// let client = AsyncUnixStream::connect(&path).await?;
/// let (server, _addr) = listener.accept().await?;
/// assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
/// drop((server, client, listener));
/// std::fs::remove_dir_all(&dir)?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncUnixListener {
    inner: Async<UnixListener>,
    backoff: AcceptBackoff,
}

impl_fd_traits!(AsyncUnixListener);
impl_readiness!(AsyncUnixListener);

/// tokio's spelling of [`from_std`](AsyncUnixListener::from_std), for
/// `std_listener.try_into()`.
impl TryFrom<UnixListener> for AsyncUnixListener {
    type Error = io::Error;

    fn try_from(listener: UnixListener) -> io::Result<AsyncUnixListener> {
        AsyncUnixListener::from_std(listener)
    }
}

impl AsyncUnixListener {
    /// Wraps a `UnixListener`, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if the socket cannot be registered.
    pub fn from_std(listener: UnixListener) -> io::Result<AsyncUnixListener> {
        Ok(AsyncUnixListener::from_async(Async::new(listener)?))
    }

    /// Deregisters the socket and returns it as a `UnixListener`, still in
    /// non-blocking mode (`set_nonblocking(false)` changes that).
    ///
    /// # Errors
    ///
    /// None today: the fd only leaves the reactor. The `io::Result` is
    /// tokio's signature, so code ported from it compiles unchanged.
    pub fn into_std(self) -> io::Result<UnixListener> {
        self.inner.into_inner()
    }

    pub(crate) fn from_nonblocking(listener: impl Into<UnixListener>) -> io::Result<AsyncUnixListener> {
        Ok(AsyncUnixListener::from_async(Async::new_nonblocking(
            listener.into(),
        )?))
    }

    fn from_async(inner: Async<UnixListener>) -> AsyncUnixListener {
        AsyncUnixListener {
            inner,
            backoff: AcceptBackoff::default(),
        }
    }
}

impl AsyncUnixListener {
    /// Creates a socket at `path` and listens (backlog 1024). Fails with
    /// `AddrInUse` if the path exists.
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if the path cannot be bound.
    ///
    /// A path starting with a NUL byte (`"\0name"`) binds an *abstract*
    /// name instead, as in tokio: no file is created, nothing is left to
    /// remove, and `AddrInUse` means another socket holds the name.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<AsyncUnixListener> {
        AsyncUnixListener::bind_sockaddr(&unix_addr::path_addr(path.as_ref())?)
    }

    /// Listens at `addr`, a path or an abstract name
    /// (`std::os::linux::net::SocketAddrExt::from_abstract_name`), as
    /// [`bind`](AsyncUnixListener::bind) does.
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<AsyncUnixListener> {
        AsyncUnixListener::bind_sockaddr(&unix_addr::std_addr(addr)?)
    }

    fn bind_sockaddr(addr: &SockAddr) -> io::Result<AsyncUnixListener> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        socket.bind(addr)?;
        socket.listen(BACKLOG)?;
        AsyncUnixListener::from_nonblocking(socket)
    }

    /// Waits for a connection and accepts it.
    ///
    /// # Errors
    ///
    /// Every error of `accept4` (or of registering the new socket) is
    /// returned. After `EMFILE`, `ENFILE`, `ENOBUFS` or `ENOMEM` (out of
    /// descriptors or memory: the connection stays queued), the *next*
    /// `accept` on this listener first sleeps, 10 ms after the first such
    /// error, doubling with each consecutive one up to 1 s; a successful
    /// accept resets the delay. So a loop that logs errors and retries
    /// costs no CPU while the process is out of descriptors.
    pub async fn accept(&self) -> io::Result<(AsyncUnixStream, SocketAddr)> {
        let mut backoff = BackoffWait::default();
        // Waits as an `IoWait`: cancelled, it leaves no waker behind.
        let mut ready = self.inner.read_wait();
        std::future::poll_fn(|cx| {
            self.backoff.poll_accept(&mut backoff, cx, |cx| {
                let accepted = ready!(ready.poll_io(cx, || self.inner.get_ref().accept()));
                Poll::Ready(accepted_stream(accepted))
            })
        })
        .await
    }

    /// Poll form of [`accept`](AsyncUnixListener::accept), *without* the
    /// backoff after resource exhaustion: a caller looping on it must wait
    /// after `EMFILE` and friends itself.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(AsyncUnixStream, SocketAddr)>> {
        let accepted = ready!(self.inner.poll_read_with(cx, |listener| listener.accept()));
        Poll::Ready(accepted_stream(accepted))
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

/// Makes an accepted stream non-blocking and registers it. `std` accepts
/// with `accept4(SOCK_CLOEXEC)` and converts the address; the extra call
/// makes the new socket non-blocking.
fn accepted_stream(
    accepted: io::Result<(UnixStream, SocketAddr)>,
) -> io::Result<(AsyncUnixStream, SocketAddr)> {
    let (stream, addr) = accepted?;
    stream.set_nonblocking(true)?;
    Ok((AsyncUnixStream::from_nonblocking(stream)?, addr))
}
