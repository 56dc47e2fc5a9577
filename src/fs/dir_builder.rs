//! [`DirBuilder`]: how to create a directory.

use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use super::asyncify::asyncify;

/// Creates directories with options, on the blocking pool (tokio's
/// `tokio::fs::DirBuilder`).
///
/// ```
/// # edgeio::block_on(async {
/// let path = std::env::temp_dir().join(format!("edgeio-doc-dirb-{}/a/b", std::process::id()));
/// edgeio::fs::DirBuilder::new().recursive(true).mode(0o700).create(&path).await?;
/// assert!(edgeio::fs::metadata(&path).await?.is_dir());
/// # edgeio::fs::remove_dir_all(path.parent().unwrap().parent().unwrap()).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct DirBuilder {
    recursive: bool,
    mode: Option<u32>,
}

impl DirBuilder {
    /// Non-recursive, mode 0o777 (before the umask).
    #[must_use]
    pub fn new() -> DirBuilder {
        DirBuilder {
            recursive: false,
            mode: None,
        }
    }

    /// Also create missing parents, and succeed if the directory exists.
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the created directories, before the umask.
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = Some(mode);
        self
    }

    /// Creates `path`.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::DirBuilder::create`], or no runtime.
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref().to_owned();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(self.recursive);
        if let Some(mode) = self.mode {
            builder.mode(mode);
        }
        asyncify(move || builder.create(path)).await
    }
}

impl Default for DirBuilder {
    fn default() -> DirBuilder {
        DirBuilder::new()
    }
}
