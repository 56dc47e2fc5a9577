//! [`read_dir`], [`ReadDir`] and [`DirEntry`]: listing a directory.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::os::unix::fs::DirEntryExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use edgeio_runtime::{Handle, JoinHandle};

use super::asyncify::asyncify;

/// Entries read per job: one pool round trip per 32 entries rather than
/// per entry (tokio's chunk size).
const CHUNK_SIZE: usize = 32;

/// Opens the directory `path` for listing, like [`std::fs::read_dir`].
///
/// ```
/// # edgeio::block_on(async {
/// let mut entries = edgeio::fs::read_dir("/proc/self").await?;
/// let mut names = Vec::new();
/// while let Some(entry) = entries.next_entry().await? {
///     names.push(entry.file_name());
/// }
/// assert!(names.iter().any(|name| name == "status"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// Those of `std::fs::read_dir` (`NotFound`, `NotADirectory`, ...), or no
/// runtime.
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir(State::Idle(Some(Chunk {
        entries: VecDeque::with_capacity(CHUNK_SIZE),
        std,
        more: true,
    }))))
}

/// The entries of a directory, read in chunks on the blocking pool
/// (tokio's `tokio::fs::ReadDir`). From [`read_dir`].
///
/// The order is the file system's; `.` and `..` are skipped.
#[must_use = "a ReadDir lists nothing unless `next_entry` is called"]
pub struct ReadDir(State);

enum State {
    /// `None` once finished, or after the pool dropped a job.
    Idle(Option<Chunk>),
    Pending(JoinHandle<Chunk>),
}

struct Chunk {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    /// Whether `std` may have more entries.
    more: bool,
}

impl Chunk {
    fn read(mut self) -> Chunk {
        for _ in 0..CHUNK_SIZE {
            let Some(entry) = self.std.next() else {
                self.more = false;
                break;
            };
            let failed = entry.is_err();
            self.entries.push_back(entry.map(|std| DirEntry {
                // Usually `d_type`, read with the entry; when not, one
                // `lstat`, done here on the pool rather than later.
                file_type: std.file_type().ok(),
                std: Arc::new(std),
            }));
            if failed {
                break;
            }
        }
        self
    }
}

impl ReadDir {
    /// The next entry, `None` at the end.
    ///
    /// Cancel safe: an entry read for a dropped call is kept for the next.
    ///
    /// # Errors
    ///
    /// Those of reading the directory, or of a job the pool dropped
    /// (runtime shutting down), after which the listing is over.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry: `Ready(Ok(None))` at the end.
    ///
    /// # Errors
    ///
    /// As [`next_entry`](ReadDir::next_entry).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.0 {
                State::Idle(slot) => {
                    let Some(chunk) = slot else {
                        return Poll::Ready(Ok(None));
                    };
                    if let Some(entry) = chunk.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    if !chunk.more {
                        *slot = None;
                        return Poll::Ready(Ok(None));
                    }
                    let handle = Handle::try_current()?;
                    if let Some(chunk) = slot.take() {
                        self.0 = State::Pending(handle.spawn_blocking(move || chunk.read()));
                    }
                }
                State::Pending(job) => match ready!(Pin::new(job).poll(cx)) {
                    Ok(chunk) => self.0 = State::Idle(Some(chunk)),
                    Err(e) => {
                        self.0 = State::Idle(None);
                        return Poll::Ready(Err(e.into()));
                    }
                },
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.0 {
            State::Idle(Some(_)) => "idle",
            State::Idle(None) => "done",
            State::Pending(_) => "reading",
        };
        f.debug_tuple("ReadDir").field(&state).finish()
    }
}

/// One entry of a [`ReadDir`] (tokio's `tokio::fs::DirEntry`).
#[derive(Clone)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    file_type: Option<FileType>,
}

impl DirEntry {
    /// The directory's path joined with the entry's name.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The entry's name, without its directory.
    #[must_use]
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's inode number, from the directory itself.
    #[must_use]
    pub fn ino(&self) -> u64 {
        self.std.ino()
    }

    /// The entry's metadata, not following a symlink (`lstat`).
    ///
    /// # Errors
    ///
    /// Those of `lstat` (e.g. `NotFound` if the entry was removed since),
    /// or no runtime.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// The entry's type, not following a symlink. Known without a system
    /// call in most cases (the directory records it).
    ///
    /// # Errors
    ///
    /// Those of `lstat` when the type has to be looked up, or no runtime.
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        asyncify(move || std.file_type()).await
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.path()).finish()
    }
}
