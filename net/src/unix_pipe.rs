//! Unix pipes and FIFOs driven by the reactor: tokio's
//! `tokio::net::unix::pipe`, at `edgeio::net::unix::pipe`.
//!
//! A pipe end is a [`File`] in an [`Async`]: `&File` reads and writes with
//! plain `read(2)`/`write(2)`, which is all a pipe needs, and `File` keeps
//! its fd for life (it is [`IoSafe`](crate::IoSafe)). Both ends are
//! registered for both directions, as every fd in edgeio is; a pipe end
//! only reports the directions it was opened for, plus hang-up and error
//! (`EPOLLERR` on a writing end whose readers are gone, so a waiting
//! writer wakes up and meets `BrokenPipe`).

use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BufMut;
use futures_io::{AsyncRead, AsyncWrite};

use crate::async_fd::set_nonblocking;
use crate::read_buf::read_buf;
use crate::{Async, Interest, Ready};

/// Creates an anonymous pipe, both ends non-blocking, close-on-exec and
/// registered with the current runtime.
///
/// For a child's standard streams, `Stdio::piped()` with
/// `edgeio::process::Command` is simpler; a pipe from here serves the
/// other uses: a pipe between two children, a child's extra descriptor,
/// or an end given to a child (through
/// [`into_blocking_fd`](Sender::into_blocking_fd)) while this process
/// reads or writes the other end asynchronously.
///
/// # Errors
///
/// Outside an edgeio runtime (tokio panics there), or when `pipe2` fails
/// (`EMFILE`: out of file descriptors). No fd is left open on error.
///
/// # Examples
///
/// A child writes into the pipe while this task reads it:
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::unix::pipe;
/// use futures_util::io::AsyncReadExt;
///
/// let (tx, mut rx) = pipe::pipe()?;
/// // The writing end goes to the child, in blocking mode as programs
/// // expect. `Command` holds it until dropped (here, at the end of the
/// // statement); from then on the child's is the only writing end.
/// let mut child = std::process::Command::new("echo")
///     .arg("Hello, world!")
///     .stdout(tx.into_blocking_fd()?)
///     .spawn()?;
/// let mut text = String::new();
/// // Ends when the child exits, closing the last writing end.
/// rx.read_to_string(&mut text).await?;
/// assert_eq!(text, "Hello, world!\n");
/// assert!(child.wait()?.success());
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn pipe() -> io::Result<(Sender, Receiver)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` is a writable array of two `c_int`s, as `pipe2` needs.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pipe2` succeeded, so both are open fds that nothing else
    // owns; each is wrapped once, and closed by its owner.
    let (read_end, write_end) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // Should registering the first end fail, both `OwnedFd`s still close.
    let rx = Receiver::from_nonblocking(read_end)?;
    let tx = Sender::from_nonblocking(write_end)?;
    Ok((tx, rx))
}

/// How to open a FIFO (a named pipe, made with `mkfifo`) as a [`Sender`] or
/// a [`Receiver`]: tokio's `pipe::OpenOptions`.
///
/// Build with [`new`](OpenOptions::new), set options, then call
/// [`open_receiver`](OpenOptions::open_receiver) or
/// [`open_sender`](OpenOptions::open_sender). The file is always opened
/// non-blocking and close-on-exec: a blocking `open` of a FIFO waits for
/// the other side, which would stall a worker thread.
///
/// # Examples
///
/// ```
/// # fn mkfifo(path: &std::path::Path) -> std::io::Result<()> {
/// #     use std::os::unix::ffi::OsStrExt;
/// #     let path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
/// #     // SAFETY: `path` is a NUL-terminated string that outlives the call.
/// #     if unsafe { libc::mkfifo(path.as_ptr(), 0o600) } != 0 {
/// #         return Err(std::io::Error::last_os_error());
/// #     }
/// #     Ok(())
/// # }
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::unix::pipe;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let path = std::env::temp_dir().join(format!("edgeio-doc-fifo-{}", std::process::id()));
/// mkfifo(&path)?;
/// // The reader first: opening a writing end fails (`ENXIO`) while no
/// // one has the FIFO open for reading.
/// let mut rx = pipe::OpenOptions::new().open_receiver(&path)?;
/// let mut tx = pipe::OpenOptions::new().open_sender(&path)?;
/// std::fs::remove_file(&path)?; // the open ends keep working
///
/// tx.write_all(b"through the fifo").await?;
/// drop(tx); // the last writer gone, the reader sees end of stream
/// let mut text = String::new();
/// rx.read_to_string(&mut text).await?;
/// assert_eq!(text, "through the fifo");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    read_write: bool,
    unchecked: bool,
}

impl OpenOptions {
    /// Options with everything off: open only for the end's own direction,
    /// and check that the file is a FIFO.
    #[must_use]
    pub fn new() -> OpenOptions {
        OpenOptions::default()
    }

    /// Opens the FIFO for reading *and* writing (`O_RDWR`, defined on
    /// Linux only, not by POSIX), whichever end is asked for.
    ///
    /// Why one would: a [`Sender`] opened this way holds a reading end
    /// itself, so it opens even when no reader has the FIFO open (no
    /// `ENXIO`) and can write before one arrives; but what it wrote is lost
    /// if every end closes before a reader reads it. A [`Receiver`] opened
    /// this way holds a writing end, so it never sees end of stream when
    /// writers come and go: it waits for the next one instead (and so
    /// `read_to_end` on it never returns).
    ///
    /// ```
    /// # fn mkfifo(path: &std::path::Path) -> std::io::Result<()> {
    /// #     use std::os::unix::ffi::OsStrExt;
    /// #     let path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    /// #     // SAFETY: `path` is a NUL-terminated string that outlives the call.
    /// #     if unsafe { libc::mkfifo(path.as_ptr(), 0o600) } != 0 {
    /// #         return Err(std::io::Error::last_os_error());
    /// #     }
    /// #     Ok(())
    /// # }
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let path = std::env::temp_dir().join(format!("edgeio-doc-fifo-rw-{}", std::process::id()));
    /// mkfifo(&path)?;
    /// // No reader yet: a plain `open_sender` fails with ENXIO...
    /// let err = pipe::OpenOptions::new().open_sender(&path).unwrap_err();
    /// assert_eq!(err.raw_os_error(), Some(libc::ENXIO));
    /// // ... a read-write one opens, and may write before the reader comes.
    /// let mut tx = pipe::OpenOptions::new().read_write(true).open_sender(&path)?;
    /// tx.write_all(b"early").await?;
    /// let mut rx = pipe::OpenOptions::new().open_receiver(&path)?;
    /// std::fs::remove_file(&path)?;
    /// let mut buf = [0; 5];
    /// rx.read_exact(&mut buf).await?;
    /// assert_eq!(&buf, b"early");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn read_write(&mut self, value: bool) -> &mut OpenOptions {
        self.read_write = value;
        self
    }

    /// Skips the check that the opened file is a FIFO (one `fstat`), for
    /// callers that know it is, say because they just made it.
    ///
    /// Without the check, a regular file is refused anyway (epoll does not
    /// take one: `EPERM`), but a character device such as a terminal
    /// would be accepted.
    pub fn unchecked(&mut self, value: bool) -> &mut OpenOptions {
        self.unchecked = value;
        self
    }

    /// Opens the FIFO at `path` as a [`Receiver`].
    ///
    /// Opening for reading never waits for a writer. Until one opens the
    /// FIFO, reads wait; once every writer has closed it, reads return end
    /// of stream (`Ok(0)`) until another opens it, unless
    /// [`read_write`](OpenOptions::read_write) is set.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the file is not a FIFO (unless
    /// [`unchecked`](OpenOptions::unchecked)); `open`'s errors (`NotFound`,
    /// `PermissionDenied`, ...); and outside an edgeio runtime. No fd is
    /// left open on error.
    pub fn open_receiver(&self, path: impl AsRef<Path>) -> io::Result<Receiver> {
        let file = self.open(path.as_ref(), End::Receiver)?;
        Receiver::from_nonblocking(file)
    }

    /// Opens the FIFO at `path` as a [`Sender`].
    ///
    /// # Errors
    ///
    /// `ENXIO` (`e.raw_os_error() == Some(libc::ENXIO)`) if no process has
    /// the FIFO open for reading and [`read_write`](OpenOptions::read_write)
    /// is not set: retry after a pause, or set it. `InvalidInput` if the
    /// file is not a FIFO (unless [`unchecked`](OpenOptions::unchecked));
    /// `open`'s other errors; and outside an edgeio runtime. No fd is left
    /// open on error.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    ///
    /// let path = std::env::temp_dir().join(format!("edgeio-doc-not-fifo-{}", std::process::id()));
    /// std::fs::write(&path, b"a regular file")?;
    /// let err = pipe::OpenOptions::new().open_sender(&path).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// std::fs::remove_file(&path)?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn open_sender(&self, path: impl AsRef<Path>) -> io::Result<Sender> {
        let file = self.open(path.as_ref(), End::Sender)?;
        Sender::from_nonblocking(file)
    }

    fn open(&self, path: &Path, end: End) -> io::Result<File> {
        let mut options = std::fs::OpenOptions::new();
        // `std` adds `O_CLOEXEC` itself.
        options
            .read(self.read_write || end == End::Receiver)
            .write(self.read_write || end == End::Sender)
            .custom_flags(libc::O_NONBLOCK);
        let file = options.open(path)?;
        if !self.unchecked && !is_pipe(file.as_fd())? {
            return Err(not_a_pipe());
        }
        Ok(file)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Sender,
    Receiver,
}

/// The writing end of a pipe or FIFO: tokio's `pipe::Sender`.
///
/// Made by [`pipe`], [`OpenOptions::open_sender`], or from an fd
/// ([`from_file`](Sender::from_file), [`from_owned_fd`](Sender::from_owned_fd)).
/// Implements `futures-io`'s `AsyncWrite`, for the `Sender` and for
/// `&Sender`; with the `tokio-io` feature, tokio's too. Writing once every
/// reading end is closed fails with `BrokenPipe` (`EPIPE`; Rust programs
/// ignore `SIGPIPE` by default). Flushing and closing do nothing: a pipe buffers
/// nothing in user space, and its writing end closes, so that readers see
/// end of stream, when the `Sender` is dropped, as in tokio.
///
/// Opening a FIFO for writing fails with `ENXIO` while no reader has it
/// open; wait for one by retrying after a pause, or open with
/// [`OpenOptions::read_write`] (see there for the data that can be lost):
///
/// ```
/// # fn mkfifo(path: &std::path::Path) -> std::io::Result<()> {
/// #     use std::os::unix::ffi::OsStrExt;
/// #     let path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
/// #     // SAFETY: `path` is a NUL-terminated string that outlives the call.
/// #     if unsafe { libc::mkfifo(path.as_ptr(), 0o600) } != 0 {
/// #         return Err(std::io::Error::last_os_error());
/// #     }
/// #     Ok(())
/// # }
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::unix::pipe;
/// use std::time::Duration;
///
/// let path = std::env::temp_dir().join(format!("edgeio-doc-fifo-wait-{}", std::process::id()));
/// mkfifo(&path)?;
/// let reader_path = path.clone();
/// let reader = edgeio_runtime::spawn(async move {
///     edgeio_runtime::time::sleep(Duration::from_millis(20)).await;
///     pipe::OpenOptions::new().open_receiver(&reader_path)
/// });
///
/// let mut attempts = 0;
/// let tx = loop {
///     match pipe::OpenOptions::new().open_sender(&path) {
///         Ok(tx) => break tx,
///         Err(e) if e.raw_os_error() == Some(libc::ENXIO) && attempts < 500 => attempts += 1,
///         Err(e) => return Err(e),
///     }
///     edgeio_runtime::time::sleep(Duration::from_millis(10)).await;
/// };
/// # let _rx = reader.await.unwrap()?;
/// # std::fs::remove_file(&path)?;
/// # drop(tx);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct Sender {
    inner: Async<File>,
}

impl_fd_traits!(Sender);

impl Sender {
    /// Registers `fd`, already non-blocking.
    fn from_nonblocking(fd: impl Into<File>) -> io::Result<Sender> {
        Ok(Sender {
            inner: Async::new_nonblocking(fd.into())?,
        })
    }

    /// Makes a `Sender` of `file`, which must be a pipe or FIFO open for
    /// writing (`O_WRONLY` or `O_RDWR`); sets it non-blocking.
    ///
    /// Non-blocking mode belongs to the open file description, so it
    /// applies to every duplicate of the fd as well.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the file is not a pipe, or not open for writing;
    /// `fcntl`'s errors; and outside an edgeio runtime. `file` is closed
    /// on error.
    pub fn from_file(file: File) -> io::Result<Sender> {
        Sender::from_owned_fd(file.into())
    }

    /// Makes a `Sender` of `fd`, as [`from_file`](Sender::from_file).
    pub fn from_owned_fd(fd: OwnedFd) -> io::Result<Sender> {
        check_pipe(fd.as_fd(), End::Sender)?;
        Sender::from_owned_fd_unchecked(fd)
    }

    /// Makes a `Sender` of `file` without checking that it is a pipe open
    /// for writing.
    ///
    /// Unlike tokio's, which leaves that to the caller, this still sets
    /// `O_NONBLOCK`: a blocking write on a full pipe would stall a worker
    /// thread, and every task on it.
    ///
    /// # Errors
    ///
    /// `fcntl`'s errors; outside an edgeio runtime; and if epoll refuses
    /// the fd (`EPERM` for a regular file). `file` is closed on error.
    pub fn from_file_unchecked(file: File) -> io::Result<Sender> {
        Ok(Sender {
            inner: Async::new(file)?,
        })
    }

    /// Makes a `Sender` of `fd`, as
    /// [`from_file_unchecked`](Sender::from_file_unchecked).
    pub fn from_owned_fd_unchecked(fd: OwnedFd) -> io::Result<Sender> {
        Sender::from_file_unchecked(fd.into())
    }

    /// Waits until the pipe may make progress in a direction of
    /// `interest` and returns what the reactor saw, as tokio's `ready`: for
    /// a `Sender`, `Interest::WRITABLE`, where
    /// [`Ready::is_error`](crate::Ready::is_error) means the readers are
    /// gone.
    ///
    /// A hint: readiness is only cleared when an operation reports
    /// `WouldBlock`, so follow it with [`try_write`](Sender::try_write)
    /// until that happens, or the next `ready` returns at once.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until the pipe may be writable (room in its buffer, or every
    /// reader gone), without writing. A hint, as [`ready`](Sender::ready).
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use std::io;
    ///
    /// let (tx, rx) = pipe::pipe()?;
    /// let n = loop {
    ///     tx.writable().await?;
    ///     match tx.try_write(b"hello") {
    ///         Ok(n) => break n,
    ///         // The readiness was stale: wait for the next edge.
    ///         Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(n, 5);
    /// # drop(rx);
    /// # io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// Poll form of [`writable`](Sender::writable). The waker is kept
    /// until the next edge; prefer `writable` in `async` code.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.poll_writable(cx)
    }

    /// Writes without waiting: `WouldBlock` if the pipe is not known to
    /// be writable, or its buffer is full (then the readiness is cleared,
    /// and [`writable`](Sender::writable) waits for room). Pipes write up
    /// to `PIPE_BUF` (4096) bytes atomically; a larger `buf` may be written
    /// in part.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` once every reading end is closed.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write_with(|mut file| file.write(buf))
    }

    /// Writes from several buffers, in order, without waiting (one
    /// `writev`); see [`try_write`](Sender::try_write).
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner.try_write_with(|mut file| file.write_vectored(bufs))
    }

    /// Runs `f`, a writing operation on the pipe's fd (through `AsRawFd`,
    /// for instance a `libc` call), once without waiting, as tokio's
    /// `try_io`: `WouldBlock` if the pipe is not known to be writable, or
    /// if `f` reports it, which then clears the readiness.
    ///
    /// `f` must report a full pipe with `WouldBlock`, and return
    /// `WouldBlock` for no other reason: the task would wait for an edge
    /// that never comes.
    pub fn try_io<R>(&self, f: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        self.inner.try_io(Interest::WRITABLE, |_| f())
    }

    /// Deregisters the pipe and returns its fd in blocking mode: what a
    /// child process expects as its stdout, say.
    ///
    /// # Errors
    ///
    /// `fcntl`'s; the fd is closed then.
    pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
        let fd = self.into_nonblocking_fd()?;
        set_nonblocking(fd.as_fd(), false)?;
        Ok(fd)
    }

    /// Deregisters the pipe and returns its fd, still non-blocking.
    ///
    /// # Errors
    ///
    /// None today: the fd only leaves the reactor. The `io::Result` is
    /// tokio's signature.
    pub fn into_nonblocking_fd(self) -> io::Result<OwnedFd> {
        Ok(self.inner.into_inner()?.into())
    }
}

/// Writes through `&Sender`'s impl. `flush` and `close` do nothing (see
/// [`Sender`]).
impl AsyncWrite for Sender {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Several tasks may write through one `Sender`; each write of at most
/// `PIPE_BUF` (4096) bytes lands whole, never interleaved with another.
impl AsyncWrite for &Sender {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &self.inner).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The reading end of a pipe or FIFO: tokio's `pipe::Receiver`.
///
/// Made by [`pipe`], [`OpenOptions::open_receiver`], or from an fd
/// ([`from_file`](Receiver::from_file), [`from_owned_fd`](Receiver::from_owned_fd)).
/// Implements `futures-io`'s `AsyncRead`, for the `Receiver` and for
/// `&Receiver`; with the `tokio-io` feature, tokio's too. A read returns
/// `Ok(0)`, end of stream, once every writing end is closed; for a FIFO,
/// until a new writer opens it (or never, if opened with
/// [`OpenOptions::read_write`]).
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_net::unix::pipe;
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
///
/// let (mut tx, mut rx) = pipe::pipe()?;
/// let writer = edgeio_runtime::spawn(async move {
///     tx.write_all(b"one message").await
///     // `tx` dropped here: the reader sees end of stream.
/// });
/// let mut text = String::new();
/// rx.read_to_string(&mut text).await?;
/// assert_eq!(text, "one message");
/// writer.await.unwrap()?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct Receiver {
    inner: Async<File>,
}

impl_fd_traits!(Receiver);

impl Receiver {
    /// Registers `fd`, already non-blocking.
    fn from_nonblocking(fd: impl Into<File>) -> io::Result<Receiver> {
        Ok(Receiver {
            inner: Async::new_nonblocking(fd.into())?,
        })
    }

    /// Makes a `Receiver` of `file`, which must be a pipe or FIFO open for
    /// reading (`O_RDONLY` or `O_RDWR`); sets it non-blocking.
    ///
    /// Non-blocking mode belongs to the open file description, so it
    /// applies to every duplicate of the fd as well.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the file is not a pipe, or not open for reading;
    /// `fcntl`'s errors; and outside an edgeio runtime. `file` is closed
    /// on error.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use std::fs::File;
    ///
    /// let err = pipe::Receiver::from_file(File::open("/dev/null")?).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_file(file: File) -> io::Result<Receiver> {
        Receiver::from_owned_fd(file.into())
    }

    /// Makes a `Receiver` of `fd`, as [`from_file`](Receiver::from_file).
    pub fn from_owned_fd(fd: OwnedFd) -> io::Result<Receiver> {
        check_pipe(fd.as_fd(), End::Receiver)?;
        Receiver::from_owned_fd_unchecked(fd)
    }

    /// Makes a `Receiver` of `file` without checking that it is a pipe
    /// open for reading.
    ///
    /// Unlike tokio's, which leaves that to the caller, this still sets
    /// `O_NONBLOCK`: a blocking read on an empty pipe would stall a worker
    /// thread, and every task on it.
    ///
    /// # Errors
    ///
    /// `fcntl`'s errors; outside an edgeio runtime; and if epoll refuses
    /// the fd (`EPERM` for a regular file). `file` is closed on error.
    pub fn from_file_unchecked(file: File) -> io::Result<Receiver> {
        Ok(Receiver {
            inner: Async::new(file)?,
        })
    }

    /// Makes a `Receiver` of `fd`, as
    /// [`from_file_unchecked`](Receiver::from_file_unchecked).
    pub fn from_owned_fd_unchecked(fd: OwnedFd) -> io::Result<Receiver> {
        Receiver::from_file_unchecked(fd.into())
    }

    /// Waits until the pipe may make progress in a direction of
    /// `interest` and returns what the reactor saw, as tokio's `ready`: for
    /// a `Receiver`, `Interest::READABLE`, where
    /// [`Ready::is_read_closed`](crate::Ready::is_read_closed) means every
    /// writer has closed its end.
    ///
    /// A hint: readiness is only cleared when an operation reports
    /// `WouldBlock`, so follow it with [`try_read`](Receiver::try_read)
    /// until that happens, or the next `ready` returns at once.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until the pipe may be readable (data, or every writer gone),
    /// without reading. A hint, as [`ready`](Receiver::ready).
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use futures_util::io::AsyncWriteExt;
    /// use std::io;
    ///
    /// let (mut tx, rx) = pipe::pipe()?;
    /// tx.write_all(b"hello").await?;
    /// let mut buf = [0; 16];
    /// let n = loop {
    ///     rx.readable().await?;
    ///     match rx.try_read(&mut buf) {
    ///         Ok(n) => break n,
    ///         // The readiness was stale: wait for the next edge.
    ///         Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => return Err(e),
    ///     }
    /// };
    /// assert_eq!(&buf[..n], b"hello");
    /// # io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Poll form of [`readable`](Receiver::readable). The waker is kept
    /// until the next edge; prefer `readable` in `async` code.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.poll_readable(cx)
    }

    /// Reads without waiting: `WouldBlock` if the pipe is not known to be
    /// readable, or is empty (then the readiness is cleared, and
    /// [`readable`](Receiver::readable) waits for data). `Ok(0)` at end of
    /// stream, or if `buf` is empty.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read_with(|mut file| file.read(buf))
    }

    /// Reads into several buffers, filled in order, without waiting (one
    /// `readv`); see [`try_read`](Receiver::try_read).
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.try_read_with(|mut file| file.read_vectored(bufs))
    }

    /// Reads into `buf`'s spare capacity without waiting, advancing it by
    /// the bytes read; see [`try_read`](Receiver::try_read). `Ok(0)` at
    /// end of stream, or if `buf` has no room left (a `Vec` or `BytesMut`
    /// grows; a full `&mut [u8]` does not). Like a `Vec`'s `extend`, it
    /// *appends*: give it `Vec::with_capacity(n)`, not `vec![0; n]`.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use futures_util::io::AsyncWriteExt;
    ///
    /// let (mut tx, rx) = pipe::pipe()?;
    /// tx.write_all(b"appended").await?;
    /// drop(tx);
    /// let mut buf = Vec::with_capacity(64);
    /// loop {
    ///     rx.readable().await?;
    ///     match rx.try_read_buf(&mut buf) {
    ///         Ok(0) => break, // end of stream
    ///         Ok(_) => {}
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
    ///         Err(e) => return Err(e),
    ///     }
    /// }
    /// assert_eq!(buf, b"appended");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn try_read_buf<B: BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner
            .try_read_with(|file| read_buf(buf, |dst| read_uninit(file.as_fd(), dst)))
    }

    /// Runs `f`, a reading operation on the pipe's fd (through `AsRawFd`,
    /// for instance a `libc` call), once without waiting, as tokio's
    /// `try_io`: `WouldBlock` if the pipe is not known to be readable, or
    /// if `f` reports it, which then clears the readiness.
    ///
    /// `f` must report an empty pipe with `WouldBlock`, and return
    /// `WouldBlock` for no other reason: the task would wait for an edge
    /// that never comes.
    pub fn try_io<R>(&self, f: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        self.inner.try_io(Interest::READABLE, |_| f())
    }

    /// Deregisters the pipe and returns its fd in blocking mode: what a
    /// child process expects as its stdin, say.
    ///
    /// Data already in the pipe stays there for the fd's next reader.
    ///
    /// # Errors
    ///
    /// `fcntl`'s; the fd is closed then.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use futures_util::io::AsyncWriteExt;
    /// use std::process::{Command, Stdio};
    ///
    /// let (mut tx, rx) = pipe::pipe()?;
    /// let child = Command::new("cat")
    ///     .stdin(rx.into_blocking_fd()?)
    ///     .stdout(Stdio::piped())
    ///     .spawn()?;
    /// tx.write_all(b"to the child").await?;
    /// drop(tx); // end of input for `cat`
    /// let output = child.wait_with_output()?;
    /// assert_eq!(output.stdout, b"to the child");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn into_blocking_fd(self) -> io::Result<OwnedFd> {
        let fd = self.into_nonblocking_fd()?;
        set_nonblocking(fd.as_fd(), false)?;
        Ok(fd)
    }

    /// Deregisters the pipe and returns its fd, still non-blocking.
    ///
    /// # Errors
    ///
    /// None today: the fd only leaves the reactor. The `io::Result` is
    /// tokio's signature.
    pub fn into_nonblocking_fd(self) -> io::Result<OwnedFd> {
        Ok(self.inner.into_inner()?.into())
    }
}

/// Reads through `&Receiver`'s impl.
impl AsyncRead for Receiver {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self).poll_read_vectored(cx, bufs)
    }
}

/// Several tasks may read through one `Receiver`; each read takes bytes
/// that no other read sees.
impl AsyncRead for &Receiver {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut &self.inner).poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &self.inner).poll_read_vectored(cx, bufs)
    }
}

/// The error for a file that is not a pipe or FIFO.
fn not_a_pipe() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a pipe or FIFO")
}

/// Checks that `fd` is a pipe or FIFO open for `end`'s direction.
fn check_pipe(fd: BorrowedFd<'_>, end: End) -> io::Result<()> {
    if !is_pipe(fd)? {
        return Err(not_a_pipe());
    }
    let mode = file_flags(fd)? & libc::O_ACCMODE;
    match end {
        End::Sender if mode != libc::O_WRONLY && mode != libc::O_RDWR => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the pipe is not open for writing (O_WRONLY or O_RDWR)",
        )),
        End::Receiver if mode != libc::O_RDONLY && mode != libc::O_RDWR => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the pipe is not open for reading (O_RDONLY or O_RDWR)",
        )),
        _ => Ok(()),
    }
}

/// Whether `fd` is a pipe or a FIFO (the kernel reports both as
/// `S_IFIFO`).
fn is_pipe(fd: BorrowedFd<'_>) -> io::Result<bool> {
    let mut stat = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `fd` is open for the borrow, and `stat` points to writable
    // memory the size of a `stat`, which `fstat` fills on success.
    if unsafe { libc::fstat(fd.as_raw_fd(), stat.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fstat` succeeded, so it initialized `stat`.
    let stat = unsafe { stat.assume_init() };
    Ok(stat.st_mode & libc::S_IFMT == libc::S_IFIFO)
}

/// `fd`'s status flags (`F_GETFL`).
fn file_flags(fd: BorrowedFd<'_>) -> io::Result<libc::c_int> {
    // SAFETY: F_GETFL takes no pointer argument, and `fd` is open.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags)
}

/// `read(2)` into memory that may be uninitialized, for `try_read_buf`:
/// `File`'s `Read` only takes initialized buffers.
fn read_uninit(fd: BorrowedFd<'_>, dst: &mut [MaybeUninit<u8>]) -> io::Result<usize> {
    // SAFETY: `dst` is valid for writes of `dst.len()` bytes for the
    // duration of the call, and `read` only writes to it (never reads
    // it), so its being uninitialized does not matter; `fd` is open.
    let n = unsafe { libc::read(fd.as_raw_fd(), dst.as_mut_ptr().cast(), dst.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // `read` never returns more than it was asked for, and a slice's
    // length fits in `isize`, so the cast is lossless.
    Ok(n as usize)
}
