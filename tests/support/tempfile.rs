#![allow(dead_code)] // each test binary uses its own share
//! The part of the `tempfile` crate that tokio's Unix-socket tests use
//! (`tempdir()`, `Builder::new().prefix(..).tempdir()`, `TempDir::path`),
//! over `std` only.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new temporary directory.
pub fn tempdir() -> io::Result<TempDir> {
    Builder::new().tempdir()
}

/// Names the directory `tempdir` makes.
pub struct Builder {
    prefix: String,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            prefix: "edgeio-test".into(),
        }
    }

    pub fn prefix(&mut self, prefix: &str) -> &mut Builder {
        self.prefix = prefix.into();
        self
    }

    pub fn tempdir(&self) -> io::Result<TempDir> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{}-{}-{}",
            self.prefix,
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}
