//! [`OpenOptions`]: how to open a [`File`].

use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::asyncify::asyncify;
use super::file::File;

/// Options for opening a [`File`], a wrapper around
/// [`std::fs::OpenOptions`] whose [`open`](OpenOptions::open) runs on the
/// blocking pool (tokio's `tokio::fs::OpenOptions`).
///
/// Files are opened close-on-exec, as by `std`.
///
/// ```
/// # edgeio::block_on(async {
/// use edgeio::fs::OpenOptions;
/// use edgeio::io::AsyncWriteExt;
///
/// let path = std::env::temp_dir().join(format!("edgeio-doc-options-{}", std::process::id()));
/// let mut file = OpenOptions::new().create(true).append(true).mode(0o600).open(&path).await?;
/// file.write_all(b"log line\n").await?;
/// file.flush().await?;
/// edgeio::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// No access mode set: set at least one of `read`, `write`, `append`.
    #[must_use]
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Open for appending (`O_APPEND`): every write goes to the end.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncate the file to 0 bytes when opening it (needs `write`).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist (needs `write` or `append`).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists
    /// (`O_CREAT | O_EXCL`); `create` and `truncate` are then ignored.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits a created file gets, before the umask (0o666 by
    /// default).
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.0.mode(mode);
        self
    }

    /// Extra `open(2)` flags, or-ed in (e.g. `libc::O_NOFOLLOW`). The access
    /// mode bits are ignored.
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        self.0.custom_flags(flags);
        self
    }

    /// Opens `path` with these options, on the blocking pool.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::OpenOptions::open`] (`NotFound`,
    /// `PermissionDenied`, `AlreadyExists`, `InvalidInput` for a
    /// contradictory set of options, ...), or no runtime.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let options = self.0.clone();
        asyncify(move || options.open(path)).await.map(File::from_std)
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}

/// Defined here, beside the builder it returns, so that `file.rs` does not
/// depend back on this file.
impl File {
    /// An [`OpenOptions`] builder, the same as [`OpenOptions::new`].
    #[must_use]
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }
}
