//! [`File`]: a `std::fs::File` whose reads, writes and seeks run on the
//! blocking pool, one at a time, through a buffer that travels with them.

use std::fmt;
use std::fs::{Metadata, Permissions};
use std::future::{poll_fn, Future};
use std::io::{self, IoSlice, Seek, SeekFrom};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, RawFd};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use edgeio_runtime::{Handle, JoinHandle};
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use futures_util::lock::Mutex;

use super::asyncify::asyncify;
use crate::io::buf::{Buf, MAX_BUF};

type StdFile = std::fs::File;

/// An open file, read and written asynchronously on the blocking pool
/// (tokio's `tokio::fs::File`).
///
/// Implements `futures-io`'s [`AsyncRead`], [`AsyncWrite`] and
/// [`AsyncSeek`]; use them through [`AsyncReadExt`](crate::io::AsyncReadExt)
/// and friends.
///
/// # How it works, and what that means for you
///
/// A `File` has at most one operation in flight on a pool thread, and an
/// internal buffer (up to 2 MiB, see [`set_max_buf_size`](File::set_max_buf_size))
/// that moves to that thread and back:
///
/// - **Reads** read up to the caller's buffer size (capped at the buffer
///   limit) into it on the pool thread, then copy out. Bytes read for a
///   read future that was dropped are kept for the next read.
/// - **Writes are buffered.** `write` copies the bytes, starts writing them
///   in the background and returns at once. So the data is not in the file
///   yet when `write` returns, and **an error writing it is reported by the
///   next `write`, `flush`, `sync_all`, `sync_data`, `set_len`,
///   `metadata`, `set_permissions` or `try_clone` call** (a read or seek in between
///   keeps it for them). Call [`flush`](crate::io::AsyncWriteExt::flush)
///   (which waits for the write in flight) before relying on the data or
///   dropping the file; [`sync_all`](File::sync_all) also flushes first.
/// - A `File` dropped with a write in flight is closed once that write
///   finishes, in the background; its error, if any, is lost. Flush first.
///   A write the pool had not started when the runtime shut down is still
///   done (by the thread shutting it down), as tokio's "mandatory" jobs:
///   bytes `write` accepted are not dropped.
/// - Dropping an unfinished read or seek future does not cancel the
///   operation: it completes on its thread, and the next operation takes
///   its effect (bytes read are kept, the offset moved) into account.
///
/// # Differences from tokio
///
/// `metadata`, `set_permissions` and `try_clone` wait for the operation in
/// flight (tokio runs the first two next to it), so that a `File` never
/// has more than one job on the pool and [`into_std`](File::into_std)
/// always gets the one `std::fs::File` back. A write error is kept in full
/// (tokio keeps only its `ErrorKind`), and `sync_all`, `sync_data`,
/// `set_len`, `metadata`, `set_permissions` and `try_clone` report it
/// rather than keeping it for later.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::fs::File;
/// use edgeio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let path = std::env::temp_dir().join(format!("edgeio-doc-file-{}", std::process::id()));
/// let mut file = File::create(&path).await?;
/// file.write_all(b"hello").await?;
/// file.flush().await?;
///
/// let mut contents = String::new();
/// File::open(&path).await?.read_to_string(&mut contents).await?;
/// assert_eq!(contents, "hello");
/// edgeio::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct File {
    /// Shared only with the job in flight, which holds a clone until it
    /// returns.
    std: Arc<StdFile>,
    inner: Mutex<Inner>,
    max_buf_size: usize,
}

struct Inner {
    state: State,
    /// The error of a write that finished while a read or seek waited for
    /// it; reported by the next write, flush or sync.
    last_write_err: Option<io::Error>,
}

// `Busy` (a job's handle) is much larger than `Idle`, but a file spends
// most of its operations in it; boxing it would allocate on every read or
// write.
#[allow(clippy::large_enum_variant)]
enum State {
    /// No job: the buffer holds bytes read ahead, or nothing.
    Idle(Buf),
    Busy {
        job: JoinHandle<(Operation, Buf)>,
        kind: Kind,
    },
}

/// What a job was doing, so that a job the pool dropped (at shutdown) still
/// reports in the right shape, and so that `poll_seek` recognizes its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Seek(SeekFrom),
    Other,
    Metadata,
}

/// A finished job's result.
enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
    /// `set_len`, `sync_all`, `sync_data`, `set_permissions`.
    Other(io::Result<()>),
    Metadata(io::Result<Metadata>),
}

impl Kind {
    fn failed(self, e: io::Error) -> Operation {
        match self {
            Kind::Read => Operation::Read(Err(e)),
            Kind::Write => Operation::Write(Err(e)),
            Kind::Seek(_) => Operation::Seek(Err(e)),
            Kind::Other => Operation::Other(Err(e)),
            Kind::Metadata => Operation::Metadata(Err(e)),
        }
    }
}

impl File {
    /// Opens `path` read-only, like [`std::fs::File::open`].
    ///
    /// # Errors
    ///
    /// Those of `std::fs::File::open` (e.g. `NotFound`), or no runtime.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        asyncify(move || StdFile::open(path)).await.map(File::from_std)
    }

    /// Opens `path` write-only, creating it or truncating it, like
    /// [`std::fs::File::create`].
    ///
    /// # Errors
    ///
    /// Those of `std::fs::File::create`, or no runtime.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        asyncify(move || StdFile::create(path)).await.map(File::from_std)
    }

    /// Creates `path` read-write, failing if it exists (`O_EXCL`).
    ///
    /// # Errors
    ///
    /// `AlreadyExists`, those of opening a file, or no runtime.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let open = move || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(path)
        };
        asyncify(open).await.map(File::from_std)
    }

    /// Wraps an open `std` file. Its current offset is where reads and
    /// writes start.
    #[must_use]
    pub fn from_std(std: StdFile) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner {
                state: State::Idle(Buf::default()),
                last_write_err: None,
            }),
            max_buf_size: MAX_BUF,
        }
    }

    /// Waits for the operation in flight, then returns the `std` file, its
    /// offset where this `File`'s reads and writes left it.
    ///
    /// An error from a write still in flight, or not reported yet, is
    /// dropped here, as in tokio: `flush` first to see it.
    pub async fn into_std(mut self) -> StdFile {
        let inner = self.inner.get_mut();
        poll_fn(|cx| inner.poll_complete(cx)).await;
        if let State::Idle(buf) = &mut inner.state {
            if !buf.is_empty() {
                let back = buf.discard_read();
                // Read-ahead is given back so the offset is the caller's. A
                // job to do it could be dropped half-way, and `lseek` on a
                // file does not block.
                let _ = (&*self.std).seek(SeekFrom::Current(back));
            }
        }
        unwrap_std(self.std)
    }

    /// Returns the `std` file at once if no operation is in flight and no
    /// write error waits to be reported; gives the `File` back otherwise.
    ///
    /// # Errors
    ///
    /// `self`, when a job is running or a write error is pending.
    // tokio's signature: the `File` itself comes back, by value.
    #[allow(clippy::result_large_err)]
    pub fn try_into_std(mut self) -> Result<StdFile, File> {
        let inner = self.inner.get_mut();
        if inner.last_write_err.is_some() {
            return Err(self);
        }
        match &mut inner.state {
            State::Busy { .. } => return Err(self),
            State::Idle(buf) if !buf.is_empty() => {
                let back = -(buf.len() as i64);
                if (&*self.std).seek(SeekFrom::Current(back)).is_err() {
                    return Err(self);
                }
                buf.clear();
            }
            State::Idle(_) => {}
        }
        match Arc::try_unwrap(self.std) {
            Ok(std) => Ok(std),
            Err(std) => {
                self.std = std;
                Err(self)
            }
        }
    }

    /// Queries the file's metadata (`fstat`), after the operation in
    /// flight.
    ///
    /// # Errors
    ///
    /// A pending write error, those of `fstat`, or no runtime.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        match self
            .run(Kind::Metadata, |std| Operation::Metadata(std.metadata()))
            .await?
        {
            Operation::Metadata(result) => result,
            _ => Err(io::Error::other("edgeio: file job returned the wrong result")),
        }
    }

    /// Flushes buffered writes, then has the OS write the file's data and
    /// metadata to disk (`fsync`).
    ///
    /// # Errors
    ///
    /// A pending write error, those of `fsync`, or no runtime.
    pub async fn sync_all(&self) -> io::Result<()> {
        self.run_unit(|std| std.sync_all()).await
    }

    /// Like [`sync_all`](File::sync_all), but may skip metadata that is not
    /// needed to read the data back (`fdatasync`).
    ///
    /// # Errors
    ///
    /// A pending write error, those of `fdatasync`, or no runtime.
    pub async fn sync_data(&self) -> io::Result<()> {
        self.run_unit(|std| std.sync_data()).await
    }

    /// Truncates or extends the file to `size` bytes, after flushing. The
    /// offset does not move (it may end up past the end).
    ///
    /// # Errors
    ///
    /// A pending write error, those of `ftruncate` (e.g. the file is not
    /// open for writing), or no runtime.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.run_unit(move |std| std.set_len(size)).await
    }

    /// Changes the file's permissions (`fchmod`), after flushing.
    ///
    /// # Errors
    ///
    /// A pending write error, those of `fchmod`, or no runtime.
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        self.run_unit(move |std| std.set_permissions(perm)).await
    }

    /// A new `File` for the same open file description (`dup`): it shares
    /// the offset and keeps the `max_buf_size`, but not this one's buffer.
    /// Waits for the operation in flight, and gives back read-ahead so the
    /// shared offset is right.
    ///
    /// # Errors
    ///
    /// A pending write error, those of `dup` (e.g. `EMFILE`).
    pub async fn try_clone(&self) -> io::Result<File> {
        let mut inner = self.inner.lock().await;
        inner.finish_and_rewind(&self.std).await?;
        // `dup` does not block.
        let mut clone = File::from_std(self.std.try_clone()?);
        // tokio's: a clone keeps the limit, as a second handle on the same
        // file would be expected to.
        clone.max_buf_size = self.max_buf_size;
        Ok(clone)
    }

    /// Sets the most bytes one read or write job moves (2 MiB by default,
    /// as tokio).
    pub fn set_max_buf_size(&mut self, max_buf_size: usize) {
        self.max_buf_size = max_buf_size.max(1);
    }

    /// The most bytes one read or write job moves.
    #[must_use]
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size
    }

    async fn run_unit<F>(&self, f: F) -> io::Result<()>
    where
        F: FnOnce(&StdFile) -> io::Result<()> + Send + 'static,
    {
        match self.run(Kind::Other, move |std| Operation::Other(f(std))).await? {
            Operation::Other(result) => result,
            _ => Err(io::Error::other("edgeio: file job returned the wrong result")),
        }
    }

    /// Runs `f` as this file's next job, after the one in flight (whose
    /// write error, if any, is returned instead) and with read-ahead given
    /// back, so that `f` sees the caller's offset.
    async fn run<F>(&self, kind: Kind, f: F) -> io::Result<Operation>
    where
        F: FnOnce(&StdFile) -> Operation + Send + 'static,
    {
        let mut inner = self.inner.lock().await;
        inner.finish_and_rewind(&self.std).await?;
        let runtime = Handle::try_current()?;
        let buf = match &mut inner.state {
            State::Idle(buf) => std::mem::take(buf),
            State::Busy { .. } => Buf::default(),
        };
        let std = self.std.clone();
        inner.start(&runtime, kind, move || (f(&std), buf));
        let op = poll_fn(|cx| inner.poll_complete(cx)).await;
        op.ok_or_else(|| io::Error::other("edgeio: file job vanished"))
    }
}

/// The file out of its `Arc`. Every job's closure drops its clone before
/// the job reports, so once none is in flight the `Arc` is unique; should
/// that ever not hold, a duplicate of the fd is returned rather than a
/// panic while one can be made.
fn unwrap_std(std: Arc<StdFile>) -> StdFile {
    Arc::try_unwrap(std).unwrap_or_else(|std| {
        std.try_clone()
            .expect("edgeio: File::into_std: the file is still shared and cannot be duplicated")
    })
}

impl Inner {
    /// Starts `job` on `runtime`'s blocking pool. Callers get the handle
    /// (which fails outside a runtime) before they take the buffer out of
    /// the state, so that a failure leaves the file as it was.
    fn start<F>(&mut self, runtime: &Handle, kind: Kind, job: F)
    where
        F: FnOnce() -> (Operation, Buf) + Send + 'static,
    {
        let job = runtime.spawn_blocking(job);
        self.state = State::Busy { job, kind };
    }

    /// Waits for the job in flight, if any, and returns its result, with
    /// the state idle again.
    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<Option<Operation>> {
        let State::Busy { job, kind } = &mut self.state else {
            return Poll::Ready(None);
        };
        let (op, buf) = match ready!(Pin::new(job).poll(cx)) {
            Ok(done) => done,
            // The pool dropped the job (the runtime is shutting down) or it
            // panicked; either way its bytes are gone.
            Err(e) => (kind.failed(e.into()), Buf::default()),
        };
        self.state = State::Idle(buf);
        Poll::Ready(Some(op))
    }

    /// Waits for the job in flight. Returns its write error, or the one
    /// kept from earlier.
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.last_write_err.take() {
            return Poll::Ready(Err(e));
        }
        match ready!(self.poll_complete(cx)) {
            Some(Operation::Write(Err(e))) => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(())),
        }
    }

    /// Flushes, then seeks back over read-ahead.
    async fn finish_and_rewind(&mut self, std: &Arc<StdFile>) -> io::Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await?;
        if let State::Idle(buf) = &mut self.state {
            if !buf.is_empty() {
                let runtime = Handle::try_current()?;
                let back = buf.discard_read();
                let std = std.clone();
                let buf = std::mem::take(buf);
                self.start(&runtime, Kind::Seek(SeekFrom::Current(back)), move || {
                    (Operation::Seek((&*std).seek(SeekFrom::Current(back))), buf)
                });
                if let Some(Operation::Seek(Err(e))) = poll_fn(|cx| self.poll_complete(cx)).await {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Keeps a write error seen by a read or seek for the next write or
    /// flush.
    fn keep_write_err(&mut self, e: io::Error) {
        // At most one write error is ever pending: `poll_write` reports
        // the kept one before it starts another write.
        self.last_write_err.get_or_insert(e);
    }
}

impl AsyncRead for File {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            match &mut inner.state {
                State::Idle(buf) => {
                    if !buf.is_empty() || dst.is_empty() {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    let runtime = Handle::try_current()?;
                    let mut buf = std::mem::take(buf);
                    let len = dst.len().min(me.max_buf_size);
                    let std = me.std.clone();
                    inner.start(&runtime, Kind::Read, move || {
                        let result = buf.read_from(&mut &*std, len);
                        (Operation::Read(result), buf)
                    });
                }
                State::Busy { .. } => match ready!(inner.poll_complete(cx)) {
                    Some(Operation::Read(Ok(_))) => {
                        let State::Idle(buf) = &mut inner.state else {
                            unreachable!("poll_complete leaves the file idle")
                        };
                        // Zero at end of file.
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    Some(Operation::Read(Err(e))) => return Poll::Ready(Err(e)),
                    Some(Operation::Write(Err(e))) => inner.keep_write_err(e),
                    // A finished write, or an abandoned seek or other job:
                    // the offset already reflects it.
                    _ => {}
                },
            }
        }
    }
}

impl File {
    fn poll_write_with(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        fill: impl FnOnce(&mut Buf, usize) -> usize,
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        if let Some(e) = inner.last_write_err.take() {
            return Poll::Ready(Err(e));
        }
        loop {
            match &mut inner.state {
                State::Idle(buf) => {
                    let runtime = Handle::try_current()?;
                    let mut buf = std::mem::take(buf);
                    // Bytes read ahead are not the caller's position: the
                    // write goes where the caller stopped reading.
                    let seek = (!buf.is_empty()).then(|| SeekFrom::Current(buf.discard_read()));
                    let n = fill(&mut buf, me.max_buf_size);
                    if n == 0 {
                        inner.state = State::Idle(buf);
                        return Poll::Ready(Ok(0));
                    }
                    let job = WriteJob {
                        std: me.std.clone(),
                        seek,
                        buf,
                    };
                    inner.start(&runtime, Kind::Write, move || job.run());
                    return Poll::Ready(Ok(n));
                }
                State::Busy { .. } => {
                    if let Some(Operation::Write(Err(e))) = ready!(inner.poll_complete(cx)) {
                        return Poll::Ready(Err(e));
                    }
                }
            }
        }
    }
}

/// A write accepted by `poll_write`: bytes the caller was told are taken.
///
/// Should the pool drop the job before it runs (the runtime is shutting
/// down), dropping it does the write on the dropping thread, as tokio
/// runs file writes as "mandatory" blocking jobs: data a `write` accepted
/// reaches the file even when nobody waits for it.
struct WriteJob {
    std: Arc<StdFile>,
    seek: Option<SeekFrom>,
    /// Emptied once written (or failed).
    buf: Buf,
}

impl WriteJob {
    fn run(mut self) -> (Operation, Buf) {
        let result = self.write();
        (Operation::Write(result), std::mem::take(&mut self.buf))
    }

    fn write(&mut self) -> io::Result<()> {
        let result = match self.seek {
            Some(seek) => (&*self.std).seek(seek).map(drop),
            None => Ok(()),
        };
        let result = result.and_then(|()| self.buf.write_to(&mut &*self.std));
        self.buf.clear();
        result
    }
}

impl Drop for WriteJob {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            // Nobody is left to report an error to.
            let _ = self.write();
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |buf, max| buf.copy_from(src, max))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_with(cx, |buf, max| buf.copy_from_bufs(bufs, max))
    }

    /// Waits for the write in flight and reports its error (or one kept
    /// from earlier). Does not `fsync`: see [`File::sync_all`].
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.get_mut().poll_flush(cx)
    }

    /// Flushes. The file is closed when the `File` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    /// Seeks after the operation in flight. Bytes read ahead are accounted
    /// for, so `SeekFrom::Current` is relative to what the caller has read.
    fn poll_seek(self: Pin<&mut Self>, cx: &mut Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        let inner = me.inner.get_mut();
        loop {
            match &mut inner.state {
                State::Idle(buf) => {
                    let runtime = Handle::try_current()?;
                    let mut buf = std::mem::take(buf);
                    let ahead = buf.discard_read();
                    let target = match pos {
                        SeekFrom::Current(offset) => match offset.checked_add(ahead) {
                            Some(offset) => SeekFrom::Current(offset),
                            None => {
                                inner.state = State::Idle(buf);
                                return Poll::Ready(Err(io::Error::new(
                                    io::ErrorKind::InvalidInput,
                                    "seek offset overflows",
                                )));
                            }
                        },
                        other => other,
                    };
                    let std = me.std.clone();
                    inner.start(&runtime, Kind::Seek(pos), move || {
                        (Operation::Seek((&*std).seek(target)), buf)
                    });
                }
                State::Busy { kind, .. } => {
                    // A seek to `pos` in flight is taken to be this call's,
                    // started by an earlier poll of it.
                    let ours = *kind == Kind::Seek(pos);
                    match ready!(inner.poll_complete(cx)) {
                        Some(Operation::Seek(result)) if ours => return Poll::Ready(result),
                        Some(Operation::Write(Err(e))) => inner.keep_write_err(e),
                        _ => {}
                    }
                }
            }
        }
    }
}

impl From<StdFile> for File {
    fn from(std: StdFile) -> File {
        File::from_std(std)
    }
}

impl AsRawFd for File {
    fn as_raw_fd(&self) -> RawFd {
        self.std.as_raw_fd()
    }
}

impl AsFd for File {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.std.as_fd()
    }
}

impl FromRawFd for File {
    /// # Safety
    ///
    /// `fd` must be an open file descriptor that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> File {
        // SAFETY: the caller hands over ownership of an open fd.
        File::from_std(unsafe { StdFile::from_raw_fd(fd) })
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path, as tokio's `tokio::fs::File`, so that it is told apart
        // from the `std` file it wraps.
        f.debug_struct("edgeio::fs::File")
            .field("std", &self.std)
            .finish_non_exhaustive()
    }
}
