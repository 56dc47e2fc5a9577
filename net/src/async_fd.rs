//! [`Async<T>`]: any file descriptor, driven by the reactor.
//!
//! This is the one place where an I/O object meets a [`Registration`]; every
//! socket type in this crate is a thin wrapper around an `Async` of the
//! matching `std` type. Keeping the read/write/readiness logic here means the
//! edge-triggered discipline (retry until `EAGAIN`, then wait for the next
//! edge) is written once.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use edgeio_runtime::{Interest, IoWait, Ready, Registration};
use futures_io::{AsyncRead, AsyncWrite};

use crate::IoSafe;

/// An I/O object whose file descriptor is registered with the reactor.
///
/// `Async` puts the fd into non-blocking mode and registers it once, for
/// both directions. Operations run through [`read_with`](Async::read_with)
/// and [`write_with`](Async::write_with): they are attempted directly and,
/// only when the kernel says `WouldBlock`, the task waits for the next
/// readiness edge. Pipes, eventfds, timerfds, sockets from other libraries,
/// terminals: anything epoll accepts works.
///
/// Regular files and directories do not: `epoll_ctl` refuses them with
/// `EPERM`, since a disk file is always "ready" and a read or write on it
/// blocks on the disk whatever its flags, so `Async::new` returns that
/// error. That is why `edgeio::fs` runs file operations on the blocking
/// pool (`spawn_blocking`) instead of through the reactor; use it for
/// files.
///
/// When `&T` implements [`Read`]/[`Write`], `&Async<T>` implements
/// `futures-io`'s [`AsyncRead`]/[`AsyncWrite`]; when `T` does and is
/// [`IoSafe`] (std's files, sockets and pipes are), so does `Async<T>`.
///
/// `T` owns the fd (or borrows it for longer than the `Async` lives), so
/// the registration never outlives it: that is why `Async::new` is safe
/// where [`Registration::new`] is not. The methods that hand out `&mut T`
/// are `unsafe`, because through them the fd could be closed or replaced
/// while it is registered.
///
/// Any number of tasks may wait on the same `Async` in either direction
/// (e.g. several accept loops sharing a listener): the next edge wakes them
/// all, and those that find nothing left wait again.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::Async;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
/// use std::os::unix::net::UnixStream;
///
/// let (a, b) = UnixStream::pair()?;
/// let (mut a, mut b) = (Async::new(a)?, Async::new(b)?);
/// a.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Async<T> {
    // Declared before `io` so it drops first: the fd must leave the epoll
    // set while its number still belongs to us.
    registration: Registration,
    io: T,
}

// `Async` never hands out a pinned reference to `io`, so pinning an `Async`
// says nothing about `T`.
impl<T> Unpin for Async<T> {}

impl<T: AsFd> Async<T> {
    /// Puts `io`'s fd into non-blocking mode and registers it with the
    /// current runtime.
    ///
    /// Non-blocking mode is a property of the open file description, so it
    /// is shared with every duplicate of the fd (including ones held by
    /// other processes, e.g. an inherited stdin).
    ///
    /// # Errors
    ///
    /// Outside a runtime, or if the fd cannot be made non-blocking or be
    /// registered (epoll rejects regular files with `EPERM`). `io` is
    /// dropped (and its fd closed) on error.
    pub fn new(io: T) -> io::Result<Async<T>> {
        set_nonblocking(io.as_fd(), true)?;
        Async::new_nonblocking(io)
    }

    /// Registers `io`, whose fd the caller has already made non-blocking
    /// (sockets created with `SOCK_NONBLOCK` skip the `fcntl` calls).
    pub(crate) fn new_nonblocking(io: T) -> io::Result<Async<T>> {
        // SAFETY: `io` holds the fd open for as long as it lives, and it
        // lives longer than the registration: both move into the `Async`,
        // where `registration` is declared first and so drops first, and
        // `into_inner` drops it before giving `io` back. Safe code cannot
        // close the fd meanwhile: `AsFd` vouches for `&T`, and `&mut T` is
        // only handed out by `unsafe` methods.
        let registration = unsafe { Registration::new(io.as_fd())? };
        Ok(Async { registration, io })
    }
}

impl<T> Async<T> {
    /// The inner I/O object.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The inner I/O object, mutably.
    ///
    /// # Safety
    ///
    /// The fd must not be closed or replaced through the returned
    /// reference (by moving another `T` in, for instance): it stays
    /// registered by number until the `Async` drops.
    pub unsafe fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// Removes the fd from the reactor and returns the I/O object, still
    /// in non-blocking mode.
    ///
    /// # Errors
    ///
    /// None today: the fd only leaves the reactor. The `io::Result` is
    /// async-io's signature, so code ported from it compiles unchanged.
    pub fn into_inner(self) -> io::Result<T> {
        let Async { registration, io } = self;
        // Deregister while the fd is certainly open.
        drop(registration);
        Ok(io)
    }

    /// Waits until the fd may be readable, without consuming readiness.
    ///
    /// Readiness is only forgotten when an operation reports `WouldBlock`
    /// through [`poll_read_with`](Async::poll_read_with) or its relatives,
    /// so after this returns, read with those, not with a bare syscall.
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration.poll_read_ready(cx)
    }

    /// Waits until the fd may be writable, without consuming readiness.
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration.poll_write_ready(cx)
    }

    /// `async` form of [`poll_readable`](Async::poll_readable). Unlike a
    /// `poll_` method, which leaves its waker until the next edge, it frees
    /// its place among the fd's waiters when dropped (see [`IoWait`]).
    pub async fn readable(&self) -> io::Result<()> {
        self.registration.readable().await
    }

    /// `async` form of [`poll_writable`](Async::poll_writable), freeing its
    /// place when dropped.
    pub async fn writable(&self) -> io::Result<()> {
        self.registration.writable().await
    }

    /// Waits until the fd may make progress in a direction of `interest`
    /// and returns what the reactor saw (tokio's `ready`); see
    /// [`Registration::ready`]. Does not consume readiness: follow it with
    /// [`try_io`](Async::try_io) or the `try_*_with` methods.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.registration.ready(interest).await
    }

    /// Runs `op` once without waiting (tokio's `try_io`): `WouldBlock` if
    /// no direction of `interest` is known to be ready, or if `op` reports
    /// it, which then clears those directions' readiness.
    pub fn try_io<R>(&self, interest: Interest, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.try_io(interest, || op(&self.io))
    }

    /// Waits for `interest` and runs `op` until it does not report
    /// `WouldBlock` (tokio's `async_io`).
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.async_io(interest, || op(&self.io)).await
    }

    /// A wait for readability with its own place among the fd's waiters,
    /// for the crate's futures that are built on poll functions (accept).
    pub(crate) fn read_wait(&self) -> IoWait<'_> {
        self.registration.read_wait()
    }

    /// Runs `op` until it does not fail with `WouldBlock`, waiting for
    /// readability in between.
    ///
    /// `op` must be non-blocking and must report an empty fd with
    /// `io::ErrorKind::WouldBlock` (any syscall on the non-blocking fd
    /// does); returning `WouldBlock` for another reason would wait for an
    /// edge that may never come.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration.poll_read_io(cx, || op(&self.io))
    }

    /// Like [`poll_read_with`](Async::poll_read_with), waiting for
    /// writability.
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration.poll_write_io(cx, || op(&self.io))
    }

    /// Like [`poll_read_with`](Async::poll_read_with), with `&mut T`.
    ///
    /// # Safety
    ///
    /// `op` must not close or replace the fd (see [`get_mut`](Async::get_mut)).
    pub unsafe fn poll_read_with_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let Async { registration, io } = self;
        registration.poll_read_io(cx, || op(io))
    }

    /// Like [`poll_write_with`](Async::poll_write_with), with `&mut T`.
    ///
    /// # Safety
    ///
    /// `op` must not close or replace the fd (see [`get_mut`](Async::get_mut)).
    pub unsafe fn poll_write_with_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let Async { registration, io } = self;
        registration.poll_write_io(cx, || op(io))
    }

    /// Runs `op` once without waiting: `WouldBlock` if the fd is not known
    /// to be readable, or if `op` reports it (the fd is then marked
    /// drained, so a later wait is for a fresh edge).
    pub fn try_read_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.try_read_io(|| op(&self.io))
    }

    /// Writing counterpart of [`try_read_with`](Async::try_read_with).
    pub fn try_write_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.try_write_io(|| op(&self.io))
    }

    /// `AsyncRead::poll_read` for a TCP stream: a short read forgets
    /// readiness at once, saving the syscall that would only report
    /// `EAGAIN` (see `Registration::poll_read_stream` for why only TCP).
    pub(crate) fn poll_read_tcp(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>
    where
        for<'a> &'a T: Read,
    {
        self.registration
            .poll_read_stream(cx, buf.len(), || (&self.io).read(buf))
    }

    /// `AsyncWrite::poll_write` for a TCP stream: a short write forgets
    /// readiness at once (the send buffer is full).
    pub(crate) fn poll_write_tcp(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>
    where
        for<'a> &'a T: Write,
    {
        self.registration
            .poll_write_stream(cx, buf.len(), || (&self.io).write(buf))
    }

    /// `async` form of [`poll_read_with`](Async::poll_read_with). Dropped
    /// before it finishes, it leaves no waker behind (see [`IoWait`]).
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::Async;
    /// use std::net::UdpSocket;
    ///
    /// let socket = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.get_ref().send_to(b"hi", socket.get_ref().local_addr()?)?;
    /// let mut buf = [0; 2];
    /// let (n, _from) = socket.read_with(|s| s.recv_from(&mut buf)).await?;
    /// assert_eq!(&buf[..n], b"hi");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.read_io(|| op(&self.io)).await
    }

    /// `async` form of [`poll_write_with`](Async::poll_write_with).
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.write_io(|| op(&self.io)).await
    }

    /// `async` form of [`poll_read_with_mut`](Async::poll_read_with_mut).
    ///
    /// # Safety
    ///
    /// As for [`poll_read_with_mut`](Async::poll_read_with_mut).
    pub async unsafe fn read_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let Async { registration, io } = self;
        registration.read_io(|| op(io)).await
    }

    /// `async` form of [`poll_write_with_mut`](Async::poll_write_with_mut).
    ///
    /// # Safety
    ///
    /// As for [`poll_write_with_mut`](Async::poll_write_with_mut).
    pub async unsafe fn write_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let Async { registration, io } = self;
        registration.write_io(|| op(io)).await
    }
}

/// Sets or clears `O_NONBLOCK` on `fd`'s open file description, if it is
/// not that way yet.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>, nonblocking: bool) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFL takes no pointer argument, and `fd` is open.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let wanted = if nonblocking {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    if wanted != flags {
        // SAFETY: as above; F_SETFL takes an integer argument.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, wanted) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The inner I/O object, as async-io's `AsRef` gives it (the same as
/// [`get_ref`](Async::get_ref)).
impl<T> AsRef<T> for Async<T> {
    fn as_ref(&self) -> &T {
        &self.io
    }
}

impl<T: AsRawFd> AsRawFd for Async<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_raw_fd()
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl<T: fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async")
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}

impl<T: IoSafe + Read> AsyncRead for Async<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        // SAFETY: `T: IoSafe`, so `Read` keeps the fd.
        unsafe { self.get_mut().poll_read_with_mut(cx, |io| io.read(buf)) }
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        // SAFETY: `T: IoSafe`, so `Read` keeps the fd.
        unsafe { self.get_mut().poll_read_with_mut(cx, |io| io.read_vectored(bufs)) }
    }
}

impl<T> AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.poll_read_with(cx, |mut io| io.read(buf))
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_read_with(cx, |mut io| io.read_vectored(bufs))
    }
}

impl<T: IoSafe + Write> AsyncWrite for Async<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        // SAFETY: `T: IoSafe`, so `Write` keeps the fd.
        unsafe { self.get_mut().poll_write_with_mut(cx, |io| io.write(buf)) }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // SAFETY: `T: IoSafe`, so `Write` keeps the fd.
        unsafe {
            self.get_mut()
                .poll_write_with_mut(cx, |io| io.write_vectored(bufs))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // SAFETY: `T: IoSafe`, so `Write` keeps the fd.
        unsafe { self.get_mut().poll_write_with_mut(cx, Write::flush) }
    }

    /// Flushes; the fd itself is closed when the `Async` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T> AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |mut io| io.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |mut io| io.write_vectored(bufs))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_with(cx, |mut io| io.flush())
    }

    /// Flushes; the fd itself is closed when the `Async` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}
