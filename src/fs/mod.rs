//! Files and directories, in tokio's shape (`tokio::fs`): every operation
//! runs on the runtime's blocking pool ([`spawn_blocking`](crate::spawn_blocking)).
//!
//! # Why the blocking pool, and not the reactor
//!
//! The reactor drives file descriptors through epoll, but epoll refuses
//! regular files and directories: `epoll_ctl(EPOLL_CTL_ADD)` fails with
//! `EPERM`, because a disk file is always "ready" in the poll sense — a read
//! or write on it blocks on the disk however the fd is flagged, and
//! `O_NONBLOCK` does nothing for it. So file system calls would stall a
//! worker thread (and every task queued on it) for as long as the disk
//! takes. Instead, each call here is handed to a pool thread, and the task
//! waits for its result like for any other event. (That is also why
//! [`net::Async`](crate::net::Async) does not accept a file.)
//!
//! The cost is a thread hand-off per operation, so prefer few large
//! operations to many small ones: [`read`] and [`write()`] for whole files,
//! a [`BufReader`](crate::io::BufReader) or
//! [`BufWriter`](crate::io::BufWriter) around a [`File`] for small reads
//! and writes.
//!
//! # Files are buffered
//!
//! A [`File`] writes in the background: `write` returns once the bytes are
//! copied, and a failure is reported by a later call. Call `flush` (or
//! [`File::sync_all`]) before relying on written data; see [`File`].
//!
//! ```
//! # edgeio::block_on(async {
//! use edgeio::fs;
//!
//! let dir = std::env::temp_dir().join(format!("edgeio-doc-fs-{}", std::process::id()));
//! fs::create_dir_all(&dir).await?;
//! fs::write(dir.join("a.txt"), b"hello").await?;
//! fs::rename(dir.join("a.txt"), dir.join("b.txt")).await?;
//! assert_eq!(fs::read(dir.join("b.txt")).await?, b"hello");
//! let missing = fs::read(dir.join("a.txt")).await.unwrap_err();
//! assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
//! fs::remove_dir_all(&dir).await?;
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod asyncify;
mod dir_builder;
mod file;
mod open_options;
mod ops;
mod read_dir;

pub use dir_builder::DirBuilder;
pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link, read_to_string,
    remove_dir, remove_dir_all, remove_file, rename, set_permissions, symlink, symlink_metadata, try_exists,
    write,
};
pub use read_dir::{read_dir, DirEntry, ReadDir};
