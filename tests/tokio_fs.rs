#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/fs.rs`, `fs_dir.rs`, `fs_copy.rs`,
// `fs_link.rs`, `fs_open_options.rs`, `fs_remove_dir_all.rs`,
// `fs_remove_file.rs`, `fs_rename.rs`, `fs_try_exists.rs`,
// `fs_canonicalize_dir.rs` and `fs_write.rs` (tokio is MIT-licensed), one
// module each: `tokio` renamed to `edgeio`, tokio's I/O extension traits
// swapped for futures-util's (`edgeio::io`), `tokio-test` replaced by
// tests/support/tokio_test.rs and `tempfile` by tests/support/tempfile.rs
// (plus a small `NamedTempFile` below). Adaptations beyond renaming are
// marked "edgeio:". `fs.rs`'s `try_clone_should_preserve_max_buf_size` is in
// tests/tokio_fs_file.rs.

#[path = "support/tempfile.rs"]
mod tempfile;
#[path = "support/tokio_test.rs"]
mod tokio_test;

/// `tempfile::NamedTempFile`: a file in a fresh temp dir, open for
/// writing, removed (with the dir) on drop.
struct NamedTempFile {
    file: std::fs::File,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl NamedTempFile {
    fn new() -> std::io::Result<NamedTempFile> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("file");
        let file = std::fs::File::create(&path)?;
        Ok(NamedTempFile {
            file,
            path,
            _dir: dir,
        })
    }
}

impl AsRef<std::path::Path> for NamedTempFile {
    fn as_ref(&self) -> &std::path::Path {
        &self.path
    }
}

impl std::io::Write for NamedTempFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

mod fs {
    use crate::tokio_test::assert_ok;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn path_read_write() {
        let temp = tempdir();
        let dir = temp.path();

        assert_ok!(fs::write(dir.join("bar"), b"bytes").await);
        let out = assert_ok!(fs::read(dir.join("bar")).await);

        assert_eq!(out, b"bytes");
    }

    fn tempdir() -> crate::tempfile::TempDir {
        crate::tempfile::tempdir().unwrap()
    }
}

mod fs_dir {
    use crate::tempfile::tempdir;
    use crate::tokio_test::{assert_err, assert_ok};
    use edgeio::fs;

    use std::sync::{Arc, Mutex};

    #[edgeio::test(timeout_secs = 30)]
    async fn create_dir() {
        let base_dir = tempdir().unwrap();
        let new_dir = base_dir.path().join("foo");
        let new_dir_2 = new_dir.clone();

        assert_ok!(fs::create_dir(new_dir).await);

        assert!(new_dir_2.is_dir());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn create_all() {
        let base_dir = tempdir().unwrap();
        let new_dir = base_dir.path().join("foo").join("bar");
        let new_dir_2 = new_dir.clone();

        assert_ok!(fs::create_dir_all(new_dir).await);
        assert!(new_dir_2.is_dir());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn build_dir() {
        let base_dir = tempdir().unwrap();
        let new_dir = base_dir.path().join("foo").join("bar");
        let new_dir_2 = new_dir.clone();

        assert_ok!(fs::DirBuilder::new().recursive(true).create(new_dir).await);

        assert!(new_dir_2.is_dir());
        assert_err!(fs::DirBuilder::new().recursive(false).create(new_dir_2).await);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn build_dir_mode_read_only() {
        let base_dir = tempdir().unwrap();
        let new_dir = base_dir.path().join("abc");

        assert_ok!(
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o444)
                .create(&new_dir)
                .await
        );

        assert!(fs::metadata(new_dir)
            .await
            .expect("metadata result")
            .permissions()
            .readonly());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn remove() {
        let base_dir = tempdir().unwrap();
        let new_dir = base_dir.path().join("foo");
        let new_dir_2 = new_dir.clone();

        std::fs::create_dir(new_dir.clone()).unwrap();

        assert_ok!(fs::remove_dir(new_dir).await);
        assert!(!new_dir_2.exists());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn read_inherent() {
        let base_dir = tempdir().unwrap();

        let p = base_dir.path();
        std::fs::create_dir(p.join("aa")).unwrap();
        std::fs::create_dir(p.join("bb")).unwrap();
        std::fs::create_dir(p.join("cc")).unwrap();

        let files = Arc::new(Mutex::new(Vec::new()));

        let f = files.clone();
        let p = p.to_path_buf();

        let mut entries = fs::read_dir(p).await.unwrap();

        while let Some(e) = assert_ok!(entries.next_entry().await) {
            let s = e.file_name().to_str().unwrap().to_string();
            f.lock().unwrap().push(s);
        }

        let mut files = files.lock().unwrap();
        files.sort(); // because the order is not guaranteed
        assert_eq!(*files, vec!["aa".to_string(), "bb".to_string(), "cc".to_string()]);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn read_dir_entry_info() {
        let temp_dir = tempdir().unwrap();

        let file_path = temp_dir.path().join("a.txt");

        fs::write(&file_path, b"Hello File!").await.unwrap();

        let mut dir = fs::read_dir(temp_dir.path()).await.unwrap();

        let first_entry = dir.next_entry().await.unwrap().unwrap();

        assert_eq!(first_entry.path(), file_path);
        assert_eq!(first_entry.file_name(), "a.txt");
        assert!(first_entry.metadata().await.unwrap().is_file());
        assert!(first_entry.file_type().await.unwrap().is_file());
    }
}

mod fs_copy {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn copy() {
        let dir = tempdir().unwrap();

        let source_path = dir.path().join("foo.txt");
        let dest_path = dir.path().join("bar.txt");

        fs::write(&source_path, b"Hello File!").await.unwrap();
        fs::copy(&source_path, &dest_path).await.unwrap();

        let from = fs::read(&source_path).await.unwrap();
        let to = fs::read(&dest_path).await.unwrap();

        assert_eq!(from, to);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn copy_permissions() {
        let dir = tempdir().unwrap();
        let from_path = dir.path().join("foo.txt");
        let to_path = dir.path().join("bar.txt");

        let from = edgeio::fs::File::create(&from_path).await.unwrap();
        let mut from_perms = from.metadata().await.unwrap().permissions();
        from_perms.set_readonly(true);
        from.set_permissions(from_perms.clone()).await.unwrap();

        edgeio::fs::copy(from_path, &to_path).await.unwrap();

        let to_perms = edgeio::fs::metadata(to_path).await.unwrap().permissions();

        assert_eq!(from_perms, to_perms);
    }
}

mod fs_link {
    use edgeio::fs;

    use crate::tempfile::tempdir;
    use std::io::Write;

    #[edgeio::test(timeout_secs = 30)]
    async fn test_hard_link() {
        let dir = tempdir().unwrap();
        let src = dir.path().join("src.txt");
        let dst = dir.path().join("dst.txt");

        std::fs::File::create(&src).unwrap().write_all(b"hello").unwrap();

        fs::hard_link(&src, &dst).await.unwrap();

        std::fs::File::create(&src)
            .unwrap()
            .write_all(b"new-data")
            .unwrap();

        let content = fs::read(&dst).await.unwrap();
        assert_eq!(content, b"new-data");

        // test that this is not a symlink:
        assert!(fs::read_link(&dst).await.is_err());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn test_symlink() {
        let dir = tempdir().unwrap();
        let src = dir.path().join("src.txt");
        let dst = dir.path().join("dst.txt");

        std::fs::File::create(&src).unwrap().write_all(b"hello").unwrap();

        fs::symlink(&src, &dst).await.unwrap();

        std::fs::File::create(&src)
            .unwrap()
            .write_all(b"new-data")
            .unwrap();

        let content = fs::read(&dst).await.unwrap();
        assert_eq!(content, b"new-data");

        let read = fs::read_link(dst.clone()).await.unwrap();
        assert!(read == src);

        let symlink_meta = fs::symlink_metadata(dst.clone()).await.unwrap();
        assert!(symlink_meta.file_type().is_symlink());
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn test_hard_link_error_source_not_found() {
        let dir = tempdir().unwrap();
        let src = dir.path().join("nonexistent.txt");
        let dst = dir.path().join("dst.txt");

        let err = fs::hard_link(&src, &dst).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn test_hard_link_error_destination_already_exists() {
        let dir = tempdir().unwrap();
        let src = dir.path().join("src.txt");
        let dst = dir.path().join("dst.txt");

        // Create source file
        std::fs::write(&src, b"source content").unwrap();

        // Create destination file
        std::fs::write(&dst, b"destination content").unwrap();

        // Attempt to create hard link when destination already exists
        let err = fs::hard_link(&src, &dst).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn test_hard_link_error_source_is_directory() {
        let dir = tempdir().unwrap();
        let src_dir = dir.path().join("src_directory");
        let dst = dir.path().join("dst.txt");

        // Create source directory
        fs::create_dir(&src_dir).await.unwrap();

        // Attempt to create hard link from a directory
        // On most systems, hard linking directories is not allowed
        let err = fs::hard_link(&src_dir, &dst).await.unwrap_err();

        assert!(
            err.kind() == std::io::ErrorKind::PermissionDenied || err.kind() == std::io::ErrorKind::Other
        );
    }
}

mod fs_open_options {
    use crate::NamedTempFile;
    use edgeio::fs::OpenOptions;
    use edgeio::io::AsyncReadExt;
    use std::io::Write;

    const HELLO: &[u8] = b"hello world...";

    #[edgeio::test(timeout_secs = 30)]
    async fn open_with_open_options_and_read() {
        let mut tempfile = NamedTempFile::new().unwrap();
        tempfile.write_all(HELLO).unwrap();

        let mut file = OpenOptions::new().read(true).open(tempfile).await.unwrap();

        let mut buf = [0; 1024];
        let n = file.read(&mut buf).await.unwrap();

        assert_eq!(n, HELLO.len());
        assert_eq!(&buf[..n], HELLO);
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_write() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().write(true)).contains("write: true"));
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_append() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().append(true)).contains("append: true"));
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_truncate() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().truncate(true)).contains("truncate: true"));
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_create() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().create(true)).contains("create: true"));
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_create_new() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().create_new(true)).contains("create_new: true"));
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_mode() {
        let mode = format!("{:?}", OpenOptions::new().mode(0o644));
        // TESTING HACK: use Debug output to check the stored data
        assert!(
            mode.contains("mode: 420") || mode.contains("mode: 0o000644"),
            "mode is: {mode}"
        );
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn open_options_custom_flags_linux() {
        // TESTING HACK: use Debug output to check the stored data
        assert!(format!("{:?}", OpenOptions::new().custom_flags(libc::O_TRUNC)).contains("custom_flags: 512"));
    }
}

mod fs_remove_dir_all {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn remove_dir_all() {
        let temp_dir = tempdir().unwrap();

        let test_dir = temp_dir.path().join("test");
        fs::create_dir(&test_dir).await.unwrap();

        let file_path = test_dir.as_path().join("a.txt");

        fs::write(&file_path, b"Hello File!").await.unwrap();

        fs::remove_dir_all(test_dir.as_path()).await.unwrap();

        // test dir should no longer exist
        match fs::try_exists(test_dir).await {
            Ok(exists) => assert!(!exists),
            Err(_) => println!("ignored try_exists error after remove_dir_all"),
        };

        // contents should no longer exist
        match fs::try_exists(file_path).await {
            Ok(exists) => assert!(!exists),
            Err(_) => println!("ignored try_exists error after remove_dir_all"),
        };
    }
}

mod fs_remove_file {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn remove_file() {
        let temp_dir = tempdir().unwrap();

        let file_path = temp_dir.path().join("a.txt");

        fs::write(&file_path, b"Hello File!").await.unwrap();

        assert!(fs::try_exists(&file_path).await.unwrap());

        fs::remove_file(&file_path).await.unwrap();

        // should no longer exist
        match fs::try_exists(file_path).await {
            Ok(exists) => assert!(!exists),
            Err(_) => println!("ignored try_exists error after remove_file"),
        };
    }
}

mod fs_rename {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn rename_file() {
        let temp_dir = tempdir().unwrap();

        let file_path = temp_dir.path().join("a.txt");

        fs::write(&file_path, b"Hello File!").await.unwrap();

        assert!(fs::try_exists(&file_path).await.unwrap());

        let new_file_path = temp_dir.path().join("b.txt");

        fs::rename(&file_path, &new_file_path).await.unwrap();

        assert!(fs::try_exists(new_file_path).await.unwrap());

        // original file should no longer exist
        match fs::try_exists(file_path).await {
            Ok(exists) => assert!(!exists),
            Err(_) => println!("ignored try_exists error after rename"),
        };
    }
}

mod fs_try_exists {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn try_exists() {
        let dir = tempdir().unwrap();

        let existing_path = dir.path().join("foo.txt");
        fs::write(&existing_path, b"Hello File!").await.unwrap();
        let nonexisting_path = dir.path().join("bar.txt");

        assert!(fs::try_exists(existing_path).await.unwrap());
        assert!(!fs::try_exists(nonexisting_path).await.unwrap());
        // edgeio: root may search any directory (CAP_DAC_READ_SEARCH), so
        // the permission-denied half only runs as another user, as tokio's
        // skips it where root always may (FreeBSD).
        // SAFETY: `geteuid` has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            use std::os::unix::prelude::PermissionsExt;
            let permission_denied_directory_path = dir.path().join("baz");
            fs::create_dir(&permission_denied_directory_path).await.unwrap();
            let permission_denied_file_path = permission_denied_directory_path.join("baz.txt");
            fs::write(&permission_denied_file_path, b"Hello File!")
                .await
                .unwrap();
            let mut perms = edgeio::fs::metadata(&permission_denied_directory_path)
                .await
                .unwrap()
                .permissions();

            perms.set_mode(0o244);
            fs::set_permissions(&permission_denied_directory_path, perms)
                .await
                .unwrap();
            let permission_denied_result = fs::try_exists(permission_denied_file_path).await;
            assert_eq!(
                permission_denied_result.err().unwrap().kind(),
                std::io::ErrorKind::PermissionDenied
            );
        }
    }
}

mod fs_canonicalize_dir {
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn canonicalize_root_dir_unix() {
        assert_eq!(fs::canonicalize("/.").await.unwrap().to_str().unwrap(), "/");
    }
}

mod fs_write {
    use crate::tempfile::tempdir;
    use edgeio::fs;

    #[edgeio::test(timeout_secs = 30)]
    async fn write() {
        let dir = tempdir().unwrap();
        let path = dir.path().join("test.txt");

        fs::write(&path, "Hello, World!").await.unwrap();

        let contents = fs::read_to_string(&path).await.unwrap();
        assert_eq!(contents, "Hello, World!");
    }
}
