//! [`UnixSocket`]: a Unix socket configured before it connects, listens
//! or becomes a datagram socket.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::Path;

use socket2::{Domain, Socket, Type};

use crate::{unix_addr, AsyncUnixDatagram, AsyncUnixListener, AsyncUnixStream};

/// A Unix domain socket that has not yet connected, listened or been
/// turned into a datagram socket (tokio's `UnixSocket`): what to bind it
/// to, and the `listen` backlog, are chosen before.
///
/// A stream socket ([`new_stream`](UnixSocket::new_stream)) becomes a
/// listener with [`listen`](UnixSocket::listen) or a stream with
/// [`connect`](UnixSocket::connect); a datagram socket
/// ([`new_datagram`](UnixSocket::new_datagram)) becomes an
/// [`AsyncUnixDatagram`] with [`datagram`](UnixSocket::datagram). The
/// other combinations fail with `InvalidInput` and tokio's messages.
/// Creating, binding and configuring need no runtime; the calls that
/// return a registered socket need one. The socket is non-blocking and
/// close-on-exec from the start.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::UnixSocket;
///
/// let path = std::env::temp_dir().join(format!("edgeio-unix-socket-doc-{}", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let socket = UnixSocket::new_stream()?;
/// socket.bind(&path)?;
/// let listener = socket.listen(16)?;
///
/// let stream = UnixSocket::new_stream()?.connect(&path).await?;
/// let (accepted, _) = listener.accept().await?;
/// assert_eq!(accepted.local_addr()?.as_pathname(), Some(path.as_path()));
/// # drop(stream);
/// # std::fs::remove_file(&path)?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct UnixSocket {
    inner: Socket,
}

impl UnixSocket {
    fn new(ty: Type) -> io::Result<UnixSocket> {
        let inner = Socket::new(Domain::UNIX, ty.nonblocking().cloexec(), None)?;
        Ok(UnixSocket { inner })
    }

    /// A new Unix stream socket (`SOCK_STREAM`), to listen or connect.
    pub fn new_stream() -> io::Result<UnixSocket> {
        UnixSocket::new(Type::STREAM)
    }

    /// A new Unix datagram socket (`SOCK_DGRAM`).
    pub fn new_datagram() -> io::Result<UnixSocket> {
        UnixSocket::new(Type::DGRAM)
    }

    /// Binds the socket to `path` (which must not exist). A path starting
    /// with a NUL byte (`"\0name"`) binds an abstract name, as
    /// [`AsyncUnixListener::bind`] does.
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.bind(&unix_addr::path_addr(path.as_ref())?)
    }

    /// Listens with room for `backlog` connections not yet accepted (the
    /// kernel caps it at `net.core.somaxconn`) and returns the listener,
    /// registered with the current runtime.
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a datagram socket; otherwise what `listen(2)` or
    /// the registration reports (an unbound socket fails with
    /// `InvalidInput` from the kernel).
    pub fn listen(self, backlog: u32) -> io::Result<AsyncUnixListener> {
        self.expect(Type::STREAM, "listen cannot be called on a datagram socket")?;
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.inner.listen(backlog)?;
        AsyncUnixListener::from_nonblocking(self.inner)
    }

    /// Connects to the socket listening at `path` and returns the stream,
    /// registered with the current runtime, as
    /// [`AsyncUnixStream::connect`] does (a full backlog is waited out).
    /// The socket is consumed (and closed) whatever the outcome.
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a datagram socket; otherwise those of
    /// [`AsyncUnixStream::connect`].
    pub async fn connect(self, path: impl AsRef<Path>) -> io::Result<AsyncUnixStream> {
        self.expect(Type::STREAM, "connect cannot be called on a datagram socket")?;
        let addr = unix_addr::path_addr(path.as_ref())?;
        AsyncUnixStream::connect_socket(self.inner, addr).await
    }

    /// The datagram socket, registered with the current runtime.
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a stream socket, or if the registration fails.
    pub fn datagram(self) -> io::Result<AsyncUnixDatagram> {
        self.expect(Type::DGRAM, "datagram cannot be called on a stream socket")?;
        AsyncUnixDatagram::from_nonblocking(self.inner)
    }

    /// Fails with `message` unless the socket is of type `ty`.
    fn expect(&self, ty: Type, message: &'static str) -> io::Result<()> {
        if self.inner.r#type()? == ty {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::InvalidInput, message))
        }
    }
}

impl AsRawFd for UnixSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl AsFd for UnixSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl IntoRawFd for UnixSocket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}

impl From<UnixSocket> for OwnedFd {
    fn from(socket: UnixSocket) -> OwnedFd {
        socket.inner.into()
    }
}

impl FromRawFd for UnixSocket {
    /// Takes ownership of `fd`, a Unix socket, and makes it non-blocking.
    ///
    /// # Safety
    ///
    /// `fd` must be an open socket that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> UnixSocket {
        // SAFETY: the caller hands over an open socket fd it owned.
        let inner = unsafe { Socket::from_raw_fd(fd) };
        // Only fails on a bad fd, which the caller promised this is not;
        // the later operations would report the error anyway.
        let _ = inner.set_nonblocking(true);
        UnixSocket { inner }
    }
}
