//! `edgeio::fs`: file system round trips in a temp dir, `File`'s buffered
//! reads, writes and seeks, and its error reporting. Every test runs on a
//! runtime with 1 worker and again with 4, and checks that the process has
//! as many fds afterwards as before.

#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::future::Future;
use std::io::{self, ErrorKind, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use edgeio::fs::{self, DirBuilder, File, OpenOptions};
use edgeio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader};
use futures_util::task::noop_waker_ref;
use temp_dir::TempDir;

/// The tests of this binary share one fd table: they take turns, so that
/// each can count it.
static FD_TABLE: Mutex<()> = Mutex::new(());

fn fd_table() -> MutexGuard<'static, ()> {
    FD_TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Runs `body` (given a fresh temp dir) on a 1-worker and on a 4-worker
/// runtime, with a watchdog, and checks that no fd is left behind.
fn run<F, Fut>(body: F)
where
    F: Fn(TempDir) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    let _turn = fd_table();
    for workers in [1, 4] {
        let before = open_fds();
        let body = body.clone();
        edgeio::__private::run_test(Some(workers), Duration::from_secs(60), move || async move {
            body(TempDir::new()?).await
        })
        .unwrap_or_else(|e| panic!("with {workers} workers: {e}"));
        assert_eq!(open_fds(), before, "fds leaked with {workers} workers");
    }
}

/// Bytes that differ at every offset, so a misplaced chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// Polls `future` once, outside any waker's reach: to start an operation
/// and abandon it.
fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(noop_waker_ref());
    pin!(future).poll(&mut cx)
}

#[test]
fn path_functions_round_trip() {
    run(|dir| async move {
        let a = dir.join("a.txt");
        fs::write(&a, b"hello").await?;
        assert_eq!(fs::read(&a).await?, b"hello");
        assert_eq!(fs::read_to_string(&a).await?, "hello");
        assert_eq!(fs::metadata(&a).await?.len(), 5);
        assert!(fs::try_exists(&a).await?);
        assert!(!fs::try_exists(dir.join("nope")).await?);

        let b = dir.join("b.txt");
        assert_eq!(fs::copy(&a, &b).await?, 5);
        fs::rename(&b, dir.join("c.txt")).await?;
        assert!(!fs::try_exists(&b).await?);
        assert_eq!(fs::read(dir.join("c.txt")).await?, b"hello");

        fs::hard_link(&a, dir.join("hard")).await?;
        assert_eq!(fs::read(dir.join("hard")).await?, b"hello");
        fs::symlink(&a, dir.join("sym")).await?;
        assert_eq!(fs::read_link(dir.join("sym")).await?, a);
        assert!(fs::symlink_metadata(dir.join("sym"))
            .await?
            .file_type()
            .is_symlink());
        assert!(fs::metadata(dir.join("sym")).await?.is_file());
        assert_eq!(
            fs::canonicalize(dir.join("sym")).await?,
            fs::canonicalize(&a).await?
        );

        let mut perm = fs::metadata(&a).await?.permissions();
        perm.set_mode(0o600);
        fs::set_permissions(&a, perm).await?;
        assert_eq!(fs::metadata(&a).await?.permissions().mode() & 0o777, 0o600);

        let nested = dir.join("x/y/z");
        fs::create_dir_all(&nested).await?;
        fs::create_dir_all(&nested).await?;
        assert!(fs::metadata(&nested).await?.is_dir());
        fs::remove_dir(&nested).await?;
        fs::create_dir(&nested).await?;
        DirBuilder::new().mode(0o700).create(nested.join("w")).await?;
        assert_eq!(
            fs::metadata(nested.join("w")).await?.permissions().mode() & 0o777,
            0o700
        );
        fs::write(nested.join("file"), b"x").await?;
        fs::remove_dir_all(dir.join("x")).await?;
        assert!(!fs::try_exists(dir.join("x")).await?);

        fs::remove_file(&a).await?;
        assert!(!fs::try_exists(&a).await?);
        Ok(())
    });
}

fn kind<T>(result: io::Result<T>) -> ErrorKind {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.kind(),
    }
}

#[test]
fn errors_are_io_errors_not_panics() {
    run(|dir| async move {
        let missing = dir.join("missing");
        assert_eq!(kind(File::open(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::read(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::read_to_string(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::metadata(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::remove_file(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::remove_dir_all(&missing).await), ErrorKind::NotFound);
        assert_eq!(
            kind(fs::rename(&missing, dir.join("to")).await),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(fs::copy(&missing, dir.join("to")).await),
            ErrorKind::NotFound
        );
        assert_eq!(kind(fs::read_dir(&missing).await), ErrorKind::NotFound);
        assert_eq!(kind(fs::canonicalize(&missing).await), ErrorKind::NotFound);
        assert_eq!(
            kind(fs::write(missing.join("sub"), b"x").await),
            ErrorKind::NotFound
        );

        let file = dir.join("file");
        fs::write(&file, b"x").await?;
        assert_eq!(kind(File::create_new(&file).await), ErrorKind::AlreadyExists);
        assert_eq!(
            kind(fs::create_dir(&dir.join("")).await),
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            kind(OpenOptions::new().open(&file).await),
            ErrorKind::InvalidInput
        );
        assert!(fs::read_dir(&file).await.is_err());
        assert!(fs::read_link(&file).await.is_err());
        fs::write(dir.join("bad-utf8"), [0xff, 0xfe]).await?;
        assert_eq!(
            kind(fs::read_to_string(dir.join("bad-utf8")).await),
            ErrorKind::InvalidData
        );
        Ok(())
    });
}

#[test]
fn outside_a_runtime_is_an_error() {
    let _turn = fd_table();
    let dir = TempDir::new().unwrap();
    let Poll::Ready(result) = poll_once(fs::read(dir.join("x"))) else {
        panic!("fs::read outside a runtime did not finish at once");
    };
    assert!(result.is_err());
    let mut file = File::from_std(std::fs::File::open("/proc/self/status").unwrap());
    let mut buf = [0; 16];
    let Poll::Ready(result) = poll_once(file.read(&mut buf)) else {
        panic!("File::read outside a runtime did not finish at once");
    };
    assert!(result.is_err());
    // The file is still usable afterwards.
    let std = file.try_into_std().expect("no job was started");
    drop(std);
}

#[test]
fn large_file_is_byte_exact() {
    run(|dir| async move {
        // Bigger than the 2 MiB job size, and not a multiple of anything.
        let data = pattern(5 * 1024 * 1024 + 4099);
        let path = dir.join("large");
        let mut file = File::create(&path).await?;
        let mut offset = 0;
        for (i, chunk_len) in [1, 4095, 700_000, 3 * 1024 * 1024, 13].iter().cycle().enumerate() {
            if offset == data.len() || i > 100 {
                break;
            }
            let end = (offset + chunk_len).min(data.len());
            file.write_all(&data[offset..end]).await?;
            offset = end;
        }
        assert_eq!(offset, data.len());
        file.sync_all().await?;
        assert_eq!(file.metadata().await?.len(), data.len() as u64);
        drop(file);

        assert!(fs::read(&path).await? == data, "fs::read differs");

        let mut file = File::open(&path).await?;
        let mut back = Vec::with_capacity(data.len());
        let mut buf = vec![0; 3 * 1024 * 1024];
        for size in [1, 10, 4096, 65_537, 3 * 1024 * 1024].iter().cycle().take(10_000) {
            let n = file.read(&mut buf[..*size]).await?;
            if n == 0 {
                break;
            }
            back.extend_from_slice(&buf[..n]);
        }
        assert_eq!(back.len(), data.len());
        assert!(back == data, "read back differs");

        let mut all = Vec::new();
        file.seek(SeekFrom::Start(0)).await?;
        file.read_to_end(&mut all).await?;
        assert!(all == data);
        Ok(())
    });
}

#[test]
fn seek_read_and_write_at_positions() {
    run(|dir| async move {
        let path = dir.join("seek");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await?;
        file.write_all(b"0123456789").await?;
        assert_eq!(file.seek(SeekFrom::Start(3)).await?, 3);
        let mut two = [0; 2];
        file.read_exact(&mut two).await?;
        assert_eq!(&two, b"34");
        assert_eq!(file.seek(SeekFrom::Current(-1)).await?, 4);
        assert_eq!(file.seek(SeekFrom::End(-2)).await?, 8);
        file.write_all(b"AB").await?;
        assert_eq!(file.stream_position().await?, 10);
        file.write_all(b"!").await?;
        file.seek(SeekFrom::Start(0)).await?;
        let mut all = String::new();
        file.read_to_string(&mut all).await?;
        assert_eq!(all, "01234567AB!");
        let err = file.seek(SeekFrom::Current(-100)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        Ok(())
    });
}

/// Seeks to `pos` and starts an 8-byte read that is then dropped, so its
/// bytes arrive in the file's buffer. Returns false if the pool was always
/// too quick for the read to be left pending (then there is nothing to
/// test).
async fn read_ahead(file: &mut File, pos: u64) -> io::Result<bool> {
    let mut big = [0; 8];
    for _ in 0..100 {
        file.seek(SeekFrom::Start(pos)).await?;
        if poll_once(file.read(&mut big)).is_pending() {
            return Ok(true);
        }
    }
    Ok(false)
}

#[test]
fn abandoned_read_is_kept_and_accounted_for() {
    run(|dir| async move {
        let path = dir.join("ahead");
        fs::write(&path, b"abcdefgh").await?;
        let mut file = OpenOptions::new().read(true).write(true).open(&path).await?;

        // Start an 8-byte read and drop it: its bytes arrive later.
        if !read_ahead(&mut file, 0).await? {
            return Ok(());
        }
        let mut two = [0; 2];
        file.read_exact(&mut two).await?;
        assert_eq!(&two, b"ab");
        // The OS offset is at 8, the caller's at 2.
        assert_eq!(file.stream_position().await?, 2);
        file.read_exact(&mut two).await?;
        assert_eq!(&two, b"cd");

        // Read ahead again, then write: the write goes where reading stopped.
        if !read_ahead(&mut file, 4).await? {
            return Ok(());
        }
        file.read_exact(&mut two).await?;
        assert_eq!(&two, b"ef");
        file.write_all(b"XY").await?;
        file.flush().await?;
        drop(file);
        assert_eq!(fs::read(&path).await?, b"abcdefXY");
        Ok(())
    });
}

#[test]
fn set_len_truncates_and_extends() {
    run(|dir| async move {
        let path = dir.join("len");
        let mut file = File::create(&path).await?;
        file.write_all(&[7; 100]).await?;
        // Flushes the write first.
        file.set_len(10).await?;
        assert_eq!(file.metadata().await?.len(), 10);
        file.set_len(1000).await?;
        assert_eq!(fs::metadata(&path).await?.len(), 1000);
        file.sync_data().await?;
        drop(file);
        let contents = fs::read(&path).await?;
        assert_eq!(&contents[..10], &[7; 10]);
        assert!(contents[10..].iter().all(|&b| b == 0));

        let read_only = File::open(&path).await?;
        assert!(read_only.set_len(0).await.is_err());
        Ok(())
    });
}

#[test]
fn read_dir_lists_every_entry() {
    run(|dir| async move {
        let root = dir.join("list");
        fs::create_dir(&root).await?;
        // More than one 32-entry chunk.
        let mut expected: Vec<String> = (0..100).map(|i| format!("file-{i:03}")).collect();
        for name in &expected {
            fs::write(root.join(name), name).await?;
        }
        fs::create_dir(root.join("sub")).await?;
        expected.push("sub".to_owned());

        let mut entries = fs::read_dir(&root).await?;
        let mut names = Vec::new();
        for _ in 0..1000 {
            let Some(entry) = entries.next_entry().await? else {
                break;
            };
            let name = entry.file_name().into_string().expect("ascii name");
            assert_eq!(entry.path(), root.join(&name));
            let file_type = entry.file_type().await?;
            let metadata = entry.metadata().await?;
            if name == "sub" {
                assert!(file_type.is_dir() && metadata.is_dir());
            } else {
                assert!(file_type.is_file());
                assert_eq!(metadata.len(), name.len() as u64);
            }
            assert!(entry.ino() > 0);
            names.push(name);
        }
        // Stays at the end.
        assert!(entries.next_entry().await?.is_none());
        names.sort();
        expected.sort();
        assert_eq!(names, expected);

        let mut empty = fs::read_dir(root.join("sub")).await?;
        assert!(empty.next_entry().await?.is_none());
        Ok(())
    });
}

#[test]
fn write_errors_surface_on_the_next_call() {
    run(|dir| async move {
        let path = dir.join("ro");
        fs::write(&path, b"data").await?;

        // Read-only: the write is accepted (buffered), the flush fails.
        let mut file = File::open(&path).await?;
        assert_eq!(file.write(b"more").await?, 4);
        let err = file.flush().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
        // Reported once, then the file is usable again.
        file.flush().await?;

        // The next write reports it instead of accepting bytes.
        assert_eq!(file.write(b"more").await?, 4);
        let err = file.write(b"again").await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));

        // A read in between keeps it for the flush.
        assert_eq!(file.write(b"more").await?, 4);
        let mut buf = [0; 4];
        file.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"data");
        assert_eq!(file.flush().await.unwrap_err().raw_os_error(), Some(libc::EBADF));

        // `sync_all` and `metadata` report it too.
        assert_eq!(file.write(b"more").await?, 4);
        assert_eq!(
            file.sync_all().await.unwrap_err().raw_os_error(),
            Some(libc::EBADF)
        );
        assert_eq!(file.write(b"more").await?, 4);
        assert!(file.metadata().await.is_err());
        file.metadata().await?;

        // A full device: ENOSPC.
        let mut full = OpenOptions::new().write(true).open("/dev/full").await?;
        full.write_all(b"nowhere").await?;
        let err = full.close().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
        Ok(())
    });
}

#[test]
fn std_conversions() {
    run(|dir| async move {
        let path = dir.join("conv");
        let mut file = File::create(&path).await?;
        file.write_all(b"abc").await?;
        // A write may be in flight.
        let file = match file.try_into_std() {
            Ok(std) => File::from_std(std),
            Err(file) => file,
        };
        let std = file.into_std().await;
        assert_eq!(std.metadata()?.len(), 3);
        let mut file = File::from(std);
        file.write_all(b"def").await?;
        file.flush().await?;
        let std = file.try_into_std().expect("flushed: no job in flight");
        drop(std);
        assert_eq!(fs::read(&path).await?, b"abcdef");

        let file = File::open(&path).await?;
        let mut clone = file.try_clone().await?;
        let mut contents = String::new();
        clone.read_to_string(&mut contents).await?;
        assert_eq!(contents, "abcdef");
        assert!(format!("{file:?}").starts_with("edgeio::fs::File {"));
        Ok(())
    });
}

#[test]
fn append_and_create_new_options() {
    run(|dir| async move {
        let path = dir.join("log");
        let mut file = File::create_new(&path).await?;
        file.write_all(b"one\n").await?;
        file.flush().await?;
        let mut log = OpenOptions::new().append(true).open(&path).await?;
        log.write_all(b"two\n").await?;
        log.flush().await?;
        let mut lines = BufReader::new(File::open(&path).await?).lines();
        let mut got = Vec::new();
        while let Some(line) = futures_util::StreamExt::next(&mut lines).await {
            got.push(line?);
        }
        assert_eq!(got, ["one", "two"]);

        let made = File::options()
            .write(true)
            .create(true)
            .mode(0o640)
            .custom_flags(libc::O_NOFOLLOW)
            .open(dir.join("mode"))
            .await?;
        assert_eq!(
            made.metadata().await?.permissions().mode() & 0o777,
            0o640 & !umask()
        );
        Ok(())
    });
}

/// The process's umask, from `/proc/self/status`.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find_map(|l| l.strip_prefix("Umask:")).unwrap();
    u32::from_str_radix(line.trim(), 8).unwrap()
}

#[test]
fn dropped_file_finishes_its_write() {
    run(|dir| async move {
        let path = dir.join("dropped");
        let mut file = File::create(&path).await?;
        file.write_all(&pattern(100_000)).await?;
        // Dropped with the write in flight: it completes in the background.
        drop(file);
        for _ in 0..500 {
            if fs::metadata(&path).await?.len() == 100_000 {
                return Ok(());
            }
            edgeio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the write of a dropped File never landed");
    });
}

#[test]
fn write_queued_at_shutdown_still_lands() {
    let _turn = fd_table();
    let dir = TempDir::new().unwrap();
    let path = dir.join("mandatory");
    let data = pattern(300_000);
    let runtime = edgeio::Builder::new()
        .worker_threads(1)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let (started, is_started) = std::sync::mpsc::channel();
    runtime.block_on(async {
        let mut file = File::create(&path).await.unwrap();
        // Keep the only pool thread busy, so the write waits in the queue
        // when the runtime shuts down.
        let busy = edgeio::spawn_blocking(move || {
            let _ = started.send(());
            std::thread::sleep(Duration::from_millis(300));
        });
        busy.detach();
        assert!(is_started.recv_timeout(Duration::from_secs(20)).is_ok());
        assert_eq!(file.write(&data).await.unwrap(), data.len());
        // No flush: the write is accepted, and the file dropped.
    });
    drop(runtime);
    assert!(
        std::fs::read(&path).unwrap() == data,
        "an accepted write was lost at shutdown"
    );
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync + Unpin + std::fmt::Debug>() {}
    check::<File>();
    check::<OpenOptions>();
    check::<DirBuilder>();
    check::<fs::ReadDir>();
    check::<fs::DirEntry>();
}

#[test]
fn shared_file_methods_from_many_tasks() {
    run(|dir| async move {
        let path = dir.join("shared");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await?;
        file.write_all(b"0123456789").await?;
        let file = std::sync::Arc::new(file);
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let file = file.clone();
                edgeio::spawn(async move {
                    if i % 2 == 0 {
                        file.sync_data().await?;
                    }
                    let len = file.metadata().await?.len();
                    io::Result::Ok(len)
                })
            })
            .collect();
        for task in tasks {
            let len = edgeio::time::timeout(Duration::from_secs(20), task)
                .await?
                .unwrap()?;
            assert_eq!(len, 10);
        }
        Ok(())
    });
}

#[test]
fn abandoned_jobs_do_not_wedge_the_file() {
    run(|dir| async move {
        let path = dir.join("abandoned");
        fs::write(&path, b"abcdef").await?;
        let mut file = OpenOptions::new().read(true).write(true).open(&path).await?;
        // Each started and dropped after one poll.
        let _ = poll_once(file.metadata());
        let _ = poll_once(file.sync_all());
        let _ = poll_once(file.set_len(6));
        let _ = poll_once(file.seek(SeekFrom::Start(2)));
        // The last one was a seek to 2, and it is taken into account.
        let mut rest = String::new();
        file.read_to_string(&mut rest).await?;
        assert!(rest == "cdef" || rest == "abcdef", "read {rest:?}");
        let _ = poll_once(file.write(b"XY"));
        let std = file.into_std().await;
        assert_eq!(std.metadata()?.len(), 8);
        Ok(())
    });
}
