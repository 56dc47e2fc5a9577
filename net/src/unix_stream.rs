//! [`AsyncUnixStream`]: a Unix domain stream socket.

use std::io;
use std::mem;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::Path;

use socket2::{Domain, SockAddr, Socket, Type};

use crate::peer_retry::PeerRetry;
use crate::resolve::{finish_connect, in_progress};
use crate::{fd_passing, unix_addr, Async};

/// A connected Unix domain stream socket driven by the reactor.
///
/// Implements `AsyncRead`/`AsyncWrite` for the stream and for `&` it, like
/// [`AsyncTcpStream`](crate::AsyncTcpStream): `flush` does nothing and
/// `close` shuts down the writing direction.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::AsyncUnixStream;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (mut a, mut b) = AsyncUnixStream::pair()?;
/// a.write_all(b"over the socket pair").await?;
/// a.close().await?;
/// let mut text = String::new();
/// b.read_to_string(&mut text).await?;
/// assert_eq!(text, "over the socket pair");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncUnixStream {
    pub(crate) inner: Async<UnixStream>,
}

impl_fd_traits!(AsyncUnixStream);
impl_readiness!(AsyncUnixStream);
impl_stream_io!(AsyncUnixStream);
impl_std_conversions!(AsyncUnixStream, UnixStream);

impl AsyncUnixStream {
    /// Connects to the socket listening at `path`.
    ///
    /// A Unix `connect` completes at once or fails with `EAGAIN` when the
    /// listener's backlog is full; no readiness event announces room in
    /// the backlog, so in that case the task retries after a short sleep
    /// (1 ms, doubling up to 50 ms), as long as it takes, like a blocking
    /// `connect` would wait. Wrap the call in `edgeio::time::timeout` to
    /// bound it. Outside an edgeio runtime there is no timer to sleep on,
    /// and the `WouldBlock` error is returned instead.
    ///
    /// A path starting with a NUL byte (`"\0name"`) names an abstract
    /// socket (see [`connect_addr`](AsyncUnixStream::connect_addr)).
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<AsyncUnixStream> {
        AsyncUnixStream::connect_sockaddr(unix_addr::path_addr(path.as_ref())?).await
    }

    /// Connects to the socket at `addr`, a path or an abstract name, as
    /// [`connect`](AsyncUnixStream::connect) does.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::{AsyncUnixListener, AsyncUnixStream};
    /// use std::os::linux::net::SocketAddrExt;
    /// use std::os::unix::net::SocketAddr;
    ///
    /// let name = format!("edgeio-doc-{}", std::process::id());
    /// let addr = SocketAddr::from_abstract_name(&name)?;
    /// let listener = AsyncUnixListener::bind_addr(&addr)?;
    /// let client = AsyncUnixStream::connect_addr(&addr).await?;
    /// assert_eq!(client.peer_addr()?.as_abstract_name(), Some(name.as_bytes()));
    /// # drop(listener);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn connect_addr(addr: &SocketAddr) -> io::Result<AsyncUnixStream> {
        AsyncUnixStream::connect_sockaddr(unix_addr::std_addr(addr)?).await
    }

    async fn connect_sockaddr(addr: SockAddr) -> io::Result<AsyncUnixStream> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        AsyncUnixStream::connect_socket(socket, addr).await
    }

    /// Connects `socket`, a non-blocking Unix stream socket (maybe bound),
    /// to `addr`, as [`connect`](AsyncUnixStream::connect) does.
    pub(crate) async fn connect_socket(socket: Socket, addr: SockAddr) -> io::Result<AsyncUnixStream> {
        let mut retry = PeerRetry::new();
        loop {
            match socket.connect(&addr) {
                Ok(()) => break,
                Err(e) if in_progress(&e) => break,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => retry.wait(e).await?,
                // Drops (closes) the socket.
                Err(e) => return Err(e),
            }
        }
        let stream = AsyncUnixStream::from_nonblocking(socket)?;
        // Even a `connect` that completed at once only queued the
        // connection on the listener: as tokio's does, wait for the
        // reactor's first report and check `SO_ERROR`, so that a listener
        // closed before accepting fails the connect (`ECONNRESET`) rather
        // than the first read.
        finish_connect(&stream.inner).await?;
        Ok(stream)
    }

    /// A pair of connected sockets (`socketpair`), both registered.
    pub fn pair() -> io::Result<(AsyncUnixStream, AsyncUnixStream)> {
        let (a, b) = Socket::pair(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        let a = AsyncUnixStream::from_nonblocking(a)?;
        let b = AsyncUnixStream::from_nonblocking(b)?;
        Ok((a, b))
    }

    /// The local address (usually unnamed for a connecting socket).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// The credentials of the peer process (`SO_PEERCRED`), as they were
    /// when the connection was made: when the peer called `connect` (or
    /// `listen`, seen from the connecting side), or `socketpair` for a
    /// [`pair`](AsyncUnixStream::pair). The kernel records them then:
    /// they do not follow a later change of user (nor the peer's exit,
    /// after which its pid may be reused), and, unlike anything the peer
    /// sends, the peer cannot forge them.
    pub fn peer_cred(&self) -> io::Result<UCred> {
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let size = mem::size_of::<libc::ucred>();
        // `ucred` is 12 bytes; the cast cannot truncate.
        let mut len = size as libc::socklen_t;
        // SAFETY: the fd is open for as long as `self` lives, and
        // `getsockopt` writes at most `len` bytes into `cred`, which is a
        // `ucred` of exactly that size; `len` is a valid, writable pointer.
        let rc = unsafe {
            libc::getsockopt(
                self.inner.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                std::ptr::addr_of_mut!(cred).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        if len as usize != size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "SO_PEERCRED returned a truncated ucred",
            ));
        }
        Ok(UCred {
            uid: cred.uid,
            gid: cred.gid,
            // The kernel reports 0 for a peer outside our pid namespace.
            pid: (cred.pid != 0).then_some(cred.pid),
        })
    }

    /// Sends `buf` with the file descriptors `fds` attached
    /// (`SCM_RIGHTS`), waiting for room in the send buffer; returns the
    /// bytes sent. The peer receives duplicates of the descriptors (the
    /// same open files) through [`recv_with_fds`](AsyncUnixStream::recv_with_fds).
    ///
    /// The descriptors travel with the first byte sent; if fewer than
    /// `buf.len()` bytes go out, send the rest without them (with
    /// `write_all`). At most 253 descriptors per call (`SCM_MAX_FD`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `buf` is empty while `fds` is not (a stream socket
    /// would send nothing, and the descriptors would be lost) or if there
    /// are more than 253 descriptors; any error of `sendmsg`.
    pub async fn send_with_fds(&self, buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        check_not_empty(buf, fds)?;
        self.inner
            .write_with(|s| fd_passing::send(s.as_fd(), buf, fds))
            .await
    }

    /// [`send_with_fds`](AsyncUnixStream::send_with_fds) without waiting:
    /// `WouldBlock` if the send buffer is full.
    pub fn try_send_with_fds(&self, buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        check_not_empty(buf, fds)?;
        self.inner
            .try_write_with(|s| fd_passing::send(s.as_fd(), buf, fds))
    }

    /// Reads into `buf`, waiting for data, and appends the file
    /// descriptors that came with it to `fds` (received close-on-exec).
    /// Returns the bytes read; `Ok(0)` at end of stream.
    ///
    /// A read stops where descriptors are attached, so they always come
    /// with the first of the bytes sent with them. Descriptors sent to a
    /// plain `read` are closed by the kernel.
    ///
    /// # Errors
    ///
    /// `InvalidData` if the kernel had to drop descriptors for want of room
    /// (`MSG_CTRUNC`, which takes other control data on the socket: room
    /// is made for the 253 a message can carry): the bytes read with them
    /// are lost and the descriptors that did arrive are closed, so none
    /// leaks. Any error of `recvmsg`.
    pub async fn recv_with_fds(&self, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> io::Result<usize> {
        self.inner
            .read_with(|s| fd_passing::recv(s.as_fd(), buf, fds, fd_passing::MAX_FDS))
            .await
    }

    /// [`recv_with_fds`](AsyncUnixStream::recv_with_fds) without waiting:
    /// `WouldBlock` if nothing can be read right now.
    pub fn try_recv_with_fds(&self, buf: &mut [u8], fds: &mut Vec<OwnedFd>) -> io::Result<usize> {
        self.inner
            .try_read_with(|s| fd_passing::recv(s.as_fd(), buf, fds, fd_passing::MAX_FDS))
    }

    /// Shuts down one or both directions; the socket stays open until
    /// dropped.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }
}

/// A Unix socket peer's credentials, from
/// [`AsyncUnixStream::peer_cred`]. The ids are the *effective* ones, as
/// translated into this process's user and pid namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    /// The peer's effective user id.
    pub uid: libc::uid_t,
    /// The peer's effective group id.
    pub gid: libc::gid_t,
    /// The peer's process id; `None` if the peer is not visible in this
    /// process's pid namespace.
    pub pid: Option<libc::pid_t>,
}

/// tokio's accessors, for code that reads the fields through them.
impl UCred {
    /// The peer's effective user id.
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The peer's effective group id.
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The peer's process id, if visible in this process's pid namespace.
    pub fn pid(&self) -> Option<libc::pid_t> {
        self.pid
    }
}

/// A stream `sendmsg` of no bytes sends nothing, descriptors included.
fn check_not_empty(buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    if buf.is_empty() && !fds.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "file descriptors need at least one byte of data to travel with on a stream socket",
        ));
    }
    Ok(())
}
