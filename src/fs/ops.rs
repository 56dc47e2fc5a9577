//! The `std::fs` functions on paths, each one job on the blocking pool
//! (tokio's free functions in `tokio::fs`).
//!
//! Each takes its arguments by value (copying paths and contents), since
//! the job may outlive a caller that stops waiting for it.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use super::asyncify::asyncify;

/// Reads the whole file at `path`, like [`std::fs::read`].
///
/// # Errors
///
/// Those of `std::fs::read` (`NotFound`, ...), or no runtime.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads the whole file at `path` as UTF-8, like [`std::fs::read_to_string`].
///
/// # Errors
///
/// Those of `std::fs::read_to_string` (`InvalidData` if it is not UTF-8),
/// or no runtime.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` as the whole file at `path`, creating or truncating
/// it, like [`std::fs::write`]. `contents` is copied first.
///
/// ```
/// # edgeio::block_on(async {
/// let path = std::env::temp_dir().join(format!("edgeio-doc-write-{}", std::process::id()));
/// edgeio::fs::write(&path, "contents").await?;
/// assert_eq!(edgeio::fs::read_to_string(&path).await?, "contents");
/// edgeio::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
///
/// # Errors
///
/// Those of `std::fs::write`, or no runtime.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Queries the metadata of `path`, following symlinks, like
/// [`std::fs::metadata`].
///
/// # Errors
///
/// Those of `stat` (`NotFound`, ...), or no runtime.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Queries the metadata of `path` itself, not following a symlink, like
/// [`std::fs::symlink_metadata`].
///
/// # Errors
///
/// Those of `lstat`, or no runtime.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::symlink_metadata(path)).await
}

/// Whether `path` exists (following symlinks), telling "no" apart from
/// "cannot tell", like [`Path::try_exists`].
///
/// # Errors
///
/// When existence cannot be determined (e.g. `PermissionDenied` on a
/// parent), or no runtime.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || path.try_exists()).await
}

/// Creates the directory `path`; its parent must exist. Like
/// [`std::fs::create_dir`].
///
/// # Errors
///
/// Those of `mkdir` (`AlreadyExists`, `NotFound` for a missing parent,
/// ...), or no runtime.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates the directory `path` and any missing parents; succeeds if it
/// exists. Like [`std::fs::create_dir_all`].
///
/// # Errors
///
/// Those of `mkdir`, or no runtime.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes the file (or symlink) `path`, like [`std::fs::remove_file`].
///
/// # Errors
///
/// Those of `unlink`, or no runtime.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes the empty directory `path`, like [`std::fs::remove_dir`].
///
/// # Errors
///
/// Those of `rmdir` (e.g. the directory is not empty), or no runtime.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes the directory `path` and everything in it, not following
/// symlinks, like [`std::fs::remove_dir_all`]: one job for the whole tree.
///
/// # Errors
///
/// Those of `std::fs::remove_dir_all`, or no runtime.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Renames `from` to `to`, replacing `to` if it exists, like
/// [`std::fs::rename`].
///
/// # Errors
///
/// Those of `rename` (e.g. `CrossesDevices`), or no runtime.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of the file `from` to `to`,
/// returning the number of bytes copied, like [`std::fs::copy`] (which uses
/// `copy_file_range` where it can).
///
/// # Errors
///
/// Those of `std::fs::copy`, or no runtime.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Creates `link` as a new name for the file `original`, like
/// [`std::fs::hard_link`].
///
/// # Errors
///
/// Those of `link`, or no runtime.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::fs::hard_link(original, link)).await
}

/// Creates the symlink `link` pointing at `original`, like
/// [`std::os::unix::fs::symlink`].
///
/// # Errors
///
/// Those of `symlink`, or no runtime.
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    asyncify(move || std::os::unix::fs::symlink(original, link)).await
}

/// The target of the symlink `path`, like [`std::fs::read_link`].
///
/// # Errors
///
/// Those of `readlink` (`InvalidInput` if `path` is not a symlink), or no
/// runtime.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_link(path)).await
}

/// The absolute path of `path` with every symlink, `.` and `..` resolved,
/// like [`std::fs::canonicalize`].
///
/// # Errors
///
/// Those of `realpath` (`NotFound`, ...), or no runtime.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// Sets the permissions of `path`, following symlinks, like
/// [`std::fs::set_permissions`].
///
/// # Errors
///
/// Those of `chmod`, or no runtime.
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, perm)).await
}
