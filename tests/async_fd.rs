//! `Async<T>` over plain fds: pipes and eventfds.

#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::fs::File;
use std::future::Future;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use edgeio::net::Async;
use edgeio::time::{sleep, timeout};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use temp_dir::TempDir;

/// Upper bound for any single wait in these tests.
const STEP: Duration = Duration::from_secs(10);

fn run<F, Fut>(body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    edgeio::__private::run_test(Some(2), Duration::from_secs(30), body).unwrap();
}

/// Takes ownership of a fresh fd returned by a libc call.
fn owned(fd: libc::c_int) -> io::Result<File> {
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by the kernel and nothing else owns it.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// A close-on-exec pipe, still blocking: `Async::new` must switch it.
fn pipe() -> io::Result<(File, File)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two fds pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((owned(fds[0])?, owned(fds[1])?))
}

fn eventfd() -> io::Result<File> {
    // SAFETY: eventfd takes no pointers.
    owned(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) })
}

#[test]
fn pipe_read_waits_until_data_arrives() {
    run(|| async move {
        let (read_end, mut write_end) = pipe()?;
        let mut reader = Async::new(read_end)?;
        let task = edgeio::spawn(async move {
            let mut buf = [0; 5];
            reader.read_exact(&mut buf).await?;
            io::Result::Ok(buf)
        });
        sleep(Duration::from_millis(50)).await;
        assert!(!task.is_finished(), "read finished on an empty pipe");
        // A plain blocking write from another thread.
        std::thread::spawn(move || write_end.write_all(b"hello"))
            .join()
            .expect("writer panicked")?;
        let buf = timeout(STEP, task).await?.expect("reader panicked")?;
        assert_eq!(&buf, b"hello");
        Ok(())
    });
}

#[test]
fn pipe_writer_waits_for_room_and_reader_sees_eof() {
    const TOTAL: usize = 1024 * 1024;
    run(|| async move {
        let (read_end, write_end) = pipe()?;
        let (mut reader, mut writer) = (Async::new(read_end)?, Async::new(write_end)?);
        let data: Vec<u8> = (0..TOTAL as u32).map(|i| (i % 241) as u8).collect();
        let expected = data.clone();
        // The pipe holds 64 KiB, so the writer blocks on writability many
        // times; dropping it at the end gives the reader end-of-file.
        let producer = edgeio::spawn(async move {
            writer.write_all(&data).await?;
            writer.flush().await?;
            writer.close().await
        });
        let mut received = Vec::with_capacity(TOTAL);
        timeout(STEP, reader.read_to_end(&mut received)).await??;
        assert!(received == expected, "pipe data differs");
        timeout(STEP, producer).await?.expect("writer panicked")?;
        Ok(())
    });
}

#[test]
fn eventfd_read_with_wakes_on_write() {
    run(|| async move {
        let efd = Arc::new(Async::new(eventfd()?)?);
        let reader = {
            let efd = efd.clone();
            edgeio::spawn(async move {
                let mut buf = [0; 8];
                let n = efd.read_with(|mut f| f.read(&mut buf)).await?;
                assert_eq!(n, 8);
                io::Result::Ok(u64::from_ne_bytes(buf))
            })
        };
        sleep(Duration::from_millis(50)).await;
        assert!(!reader.is_finished(), "eventfd read returned with a zero counter");
        efd.writable().await?;
        efd.write_with(|mut f| f.write(&3u64.to_ne_bytes())).await?;
        assert_eq!(timeout(STEP, reader).await?.expect("reader panicked")?, 3);

        // The read reset the counter: the next read waits again.
        let mut buf = [0; 8];
        let again = timeout(Duration::from_millis(50), efd.read_with(|mut f| f.read(&mut buf))).await;
        assert!(again.is_err(), "the counter should be zero");
        Ok(())
    });
}

#[test]
fn mut_accessors_and_readiness() {
    run(|| async move {
        let (read_end, write_end) = pipe()?;
        let mut reader = Async::new(read_end)?;
        let mut writer = Async::new(write_end)?;
        assert_eq!(reader.as_raw_fd(), reader.get_ref().as_raw_fd());
        // SAFETY: the closure writes to the File, which keeps its fd.
        unsafe { writer.write_with_mut(|f| f.write(b"abc")).await? };
        timeout(STEP, reader.readable()).await??;
        let mut buf = [0; 3];
        // SAFETY: the closure reads from the File, which keeps its fd.
        let n = unsafe { reader.read_with_mut(|f| f.read(&mut buf)).await? };
        assert_eq!(&buf[..n], b"abc");
        // `get_mut` gives the File; a direct read now sees an empty pipe.
        // SAFETY: the File is only read from.
        let err = unsafe { reader.get_mut() }
            .read(&mut buf)
            .expect_err("pipe is empty and non-blocking");
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        Ok(())
    });
}

#[test]
fn into_inner_deregisters() {
    run(|| async move {
        let (read_end, mut write_end) = pipe()?;
        let first = Async::new(read_end)?;
        // Registering the same fd twice would fail with EEXIST, so this
        // only works if `into_inner` removed it from epoll.
        let second = Async::new(first.into_inner()?)?;
        write_end.write_all(b"x")?;
        let mut buf = [0];
        let n = timeout(STEP, second.read_with(|mut f| f.read(&mut buf))).await??;
        assert_eq!((n, buf), (1, *b"x"));
        Ok(())
    });
}

#[test]
fn unsupported_fds_and_missing_runtime_are_errors() {
    // Outside a runtime: an error, not a panic.
    let (read_end, _write_end) = pipe().unwrap();
    assert!(Async::new(read_end).is_err());

    run(|| async move {
        // epoll refuses regular files.
        let file = File::open("/proc/self/exe").or_else(|_| File::open("/etc/hostname"))?;
        let err = Async::new(file).expect_err("regular files cannot be polled");
        assert_eq!(err.raw_os_error(), Some(libc::EPERM));
        Ok(())
    });
}

/// What I/O safety rules out at compile time: registering a bare fd
/// number, and reaching `&mut T` (through which the fd could be closed
/// while registered) without `unsafe`.
#[test]
fn raw_fds_and_mut_access_need_unsafe() {
    trybuild::TestCases::new().compile_fail("tests/io_safety/*.rs");
}

/// A FIFO hangs up when its last writer goes, and a reader then sees end
/// of file; once a new writer opens it, a read says `EAGAIN` again and
/// must park until data comes. It used to spin: the hang-up's readiness
/// bit outlived the hang-up.
#[test]
fn fifo_reader_waits_again_after_a_new_writer_opens() {
    run(|| async move {
        let dir = TempDir::new()?;
        let path = dir.join("fifo");
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())?;
        // SAFETY: `c_path` is a NUL-terminated path that outlives the call.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let open_writer = || std::fs::OpenOptions::new().write(true).open(&path);
        // Opening the read end without O_NONBLOCK would block until a
        // writer shows up.
        // SAFETY: `c_path` is a NUL-terminated path that outlives the call.
        let read_end = owned(unsafe {
            libc::open(
                c_path.as_ptr(),
                libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        })?;
        let mut reader = Async::new(read_end)?;

        let mut writer = open_writer()?;
        writer.write_all(b"first")?;
        drop(writer);
        let mut got = Vec::new();
        timeout(STEP, reader.read_to_end(&mut got)).await??;
        assert_eq!(got, b"first");

        let mut writer = open_writer()?;
        let mut buf = [0; 16];
        let quiet = timeout(Duration::from_millis(100), reader.read(&mut buf)).await;
        assert!(quiet.is_err(), "read returned {quiet:?} with nothing written");
        writer.write_all(b"second")?;
        let n = timeout(STEP, reader.read(&mut buf)).await??;
        assert_eq!(&buf[..n], b"second");
        drop(writer);
        Ok(())
    });
}
