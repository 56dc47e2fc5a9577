#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/net_unix_pipe.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`; adaptations are commented where made ("Adapted:").
//! tokio's I/O extension traits are futures-io's (`edgeio::io`), `nix`
//! calls are written with `libc`, `tempfile` is `support/tempfile.rs` and
//! `tokio-test` is `support/tokio_test.rs`. The `cfg_attr(miri, ignore)`
//! attributes are dropped (edgeio does not run under miri), as are the
//! `cfg(target_os = "linux")` ones (edgeio is Linux-only).
//!
//! Every loop is bounded: the ones that fill a pipe by its capacity (64
//! KiB, with no reader draining it), the ones that drain it by the bytes
//! written, the waits for a wake-up by an explicit count, and all of them
//! by `#[edgeio::test]`'s watchdog.
//!
//! Left out: nothing. The tests after tokio's are edgeio's own.

#[path = "support/tempfile.rs"]
mod tempfile;
#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use edgeio::net::unix::pipe;
use tokio_test::task;
use tokio_test::{assert_err, assert_ok, assert_pending, assert_ready_ok};

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// How many times a test yields to the reactor waiting for a wake-up
/// before it gives up. One yield is enough on edgeio (a yielding task runs
/// again only after the reactor was polled); the margin is for safety.
const MAX_YIELDS: usize = 100;

/// Helper struct which will clean up temporary files once dropped.
struct TempFifo {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl TempFifo {
    fn new(name: &str) -> io::Result<TempFifo> {
        let dir = tempfile::Builder::new().prefix("tokio-fifo-tests").tempdir()?;
        let path = dir.path().join(name);
        mkfifo(&path)?;

        Ok(TempFifo { path, _dir: dir })
    }
}

impl AsRef<Path> for TempFifo {
    fn as_ref(&self) -> &Path {
        self.path.as_ref()
    }
}

// Adapted: `nix::unistd::mkfifo(&path, Mode::S_IRWXU)` with `libc`.
fn mkfifo(path: &Path) -> io::Result<()> {
    let path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    if unsafe { libc::mkfifo(path.as_ptr(), libc::S_IRWXU) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[edgeio::test]
async fn fifo_simple_send() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    let fifo = TempFifo::new("simple_send")?;

    // Create a reading task which should wait for data from the pipe.
    let mut reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let mut read_fut = task::spawn(async move {
        let mut buf = vec![0; DATA.len()];
        reader.read_exact(&mut buf).await?;
        Ok::<_, io::Error>(buf)
    });
    assert_pending!(read_fut.poll());

    let mut writer = pipe::OpenOptions::new().open_sender(&fifo)?;
    writer.write_all(DATA).await?;

    // Let the IO driver poll events for the reader.
    // Adapted: at most `MAX_YIELDS` times.
    for _ in 0..MAX_YIELDS {
        if read_fut.is_woken() {
            break;
        }
        edgeio::task::yield_now().await;
    }
    assert!(read_fut.is_woken(), "the reader was not woken");

    // Reading task should be ready now.
    let read_data = assert_ready_ok!(read_fut.poll());
    assert_eq!(&read_data, DATA);

    Ok(())
}

#[edgeio::test]
async fn fifo_simple_send_sender_first() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    // Create a new fifo file with *no reading ends open*.
    let fifo = TempFifo::new("simple_send_sender_first")?;

    // Simple `open_sender` should fail with ENXIO (no such device or address).
    let err = assert_err!(pipe::OpenOptions::new().open_sender(&fifo));
    assert_eq!(err.raw_os_error(), Some(libc::ENXIO));

    // `open_sender` in read-write mode should succeed and the pipe should be ready to write.
    let mut writer = pipe::OpenOptions::new().read_write(true).open_sender(&fifo)?;
    writer.write_all(DATA).await?;

    // Read the written data and validate.
    let mut reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let mut read_data = vec![0; DATA.len()];
    reader.read_exact(&mut read_data).await?;
    assert_eq!(&read_data, DATA);

    Ok(())
}

// Opens a FIFO file, write and *close the writer*.
async fn write_and_close(path: impl AsRef<Path>, msg: &[u8]) -> io::Result<()> {
    let mut writer = pipe::OpenOptions::new().open_sender(path)?;
    writer.write_all(msg).await?;
    drop(writer); // Explicit drop.
    Ok(())
}

/// Checks EOF behavior with single reader and writers sequentially opening
/// and closing a FIFO.
#[edgeio::test]
async fn fifo_multiple_writes() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    let fifo = TempFifo::new("fifo_multiple_writes")?;

    let mut reader = pipe::OpenOptions::new().open_receiver(&fifo)?;

    write_and_close(&fifo, DATA).await?;
    let ev = reader.ready(Interest::READABLE).await?;
    assert!(ev.is_readable());
    let mut read_data = vec![0; DATA.len()];
    assert_ok!(reader.read_exact(&mut read_data).await);

    // Check that reader hits EOF.
    let err = assert_err!(reader.read_exact(&mut read_data).await);
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);

    // Write more data and read again.
    write_and_close(&fifo, DATA).await?;
    assert_ok!(reader.read_exact(&mut read_data).await);

    Ok(())
}

/// Checks behavior of a resilient reader (Receiver in O_RDWR access mode)
/// with writers sequentially opening and closing a FIFO.
#[edgeio::test]
async fn fifo_resilient_reader() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    let fifo = TempFifo::new("fifo_resilient_reader")?;

    // Open reader in read-write access mode.
    let mut reader = pipe::OpenOptions::new().read_write(true).open_receiver(&fifo)?;

    write_and_close(&fifo, DATA).await?;
    let ev = reader.ready(Interest::READABLE).await?;
    let mut read_data = vec![0; DATA.len()];
    reader.read_exact(&mut read_data).await?;

    // Check that reader didn't hit EOF.
    assert!(!ev.is_read_closed());

    // Resilient reader can asynchronously wait for the next writer.
    let mut second_read_fut = task::spawn(reader.read_exact(&mut read_data));
    assert_pending!(second_read_fut.poll());

    // Write more data and read again.
    write_and_close(&fifo, DATA).await?;
    assert_ok!(second_read_fut.await);

    Ok(())
}

#[edgeio::test]
async fn open_detects_not_a_fifo() -> io::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("tokio-fifo-tests")
        .tempdir()
        .unwrap();
    let path = dir.path().join("not_a_fifo");

    // Create an ordinary file.
    File::create(&path)?;

    // Check if Sender detects invalid file type.
    let err = assert_err!(pipe::OpenOptions::new().open_sender(&path));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    // Check if Receiver detects invalid file type.
    // Adapted: tokio's test calls `open_sender` a second time here; its
    // comment means `open_receiver`.
    let err = assert_err!(pipe::OpenOptions::new().open_receiver(&path));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    Ok(())
}

#[edgeio::test]
async fn from_file() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    let fifo = TempFifo::new("from_file")?;

    // Construct a Receiver from a File.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)?;
    let mut reader = pipe::Receiver::from_file(file)?;

    // Construct a Sender from a File.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)?;
    let mut writer = pipe::Sender::from_file(file)?;

    // Write and read some data to test async.
    let mut read_fut = task::spawn(async move {
        let mut buf = vec![0; DATA.len()];
        reader.read_exact(&mut buf).await?;
        Ok::<_, io::Error>(buf)
    });
    assert_pending!(read_fut.poll());

    writer.write_all(DATA).await?;

    let read_data = assert_ok!(read_fut.await);
    assert_eq!(&read_data, DATA);

    Ok(())
}

#[edgeio::test]
async fn from_file_detects_not_a_fifo() -> io::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("tokio-fifo-tests")
        .tempdir()
        .unwrap();
    let path = dir.path().join("not_a_fifo");

    // Create an ordinary file.
    File::create(&path)?;

    // Check if Sender detects invalid file type.
    let file = std::fs::OpenOptions::new().write(true).open(&path)?;
    let err = assert_err!(pipe::Sender::from_file(file));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    // Check if Receiver detects invalid file type.
    let file = std::fs::OpenOptions::new().read(true).open(&path)?;
    let err = assert_err!(pipe::Receiver::from_file(file));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    Ok(())
}

#[edgeio::test]
async fn from_file_detects_wrong_access_mode() -> io::Result<()> {
    let fifo = TempFifo::new("wrong_access_mode")?;

    // Open a read end to open the fifo for writing.
    let _reader = pipe::OpenOptions::new().open_receiver(&fifo)?;

    // Check if Receiver detects write-only access mode.
    let write_only = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)?;
    let err = assert_err!(pipe::Receiver::from_file(write_only));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    // Check if Sender detects read-only access mode.
    let rdonly = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)?;
    let err = assert_err!(pipe::Sender::from_file(rdonly));
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    Ok(())
}

// Adapted: `nix::fcntl::fcntl(fd, F_GETFL)` with `libc`.
fn is_nonblocking<T: AsFd>(fd: &T) -> io::Result<bool> {
    // SAFETY: F_GETFL takes no pointer argument, and the fd is open for
    // the borrow.
    let flags = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((flags & libc::O_NONBLOCK) != 0)
}

#[edgeio::test]
async fn from_file_sets_nonblock() -> io::Result<()> {
    let fifo = TempFifo::new("sets_nonblock")?;

    // Open read and write ends to let blocking files open.
    let _reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let _writer = pipe::OpenOptions::new().open_sender(&fifo)?;

    // Check if Receiver sets the pipe in non-blocking mode.
    let rdonly = std::fs::OpenOptions::new().read(true).open(&fifo)?;
    assert!(!is_nonblocking(&rdonly)?);
    let reader = pipe::Receiver::from_file(rdonly)?;
    assert!(is_nonblocking(&reader)?);

    // Check if Sender sets the pipe in non-blocking mode.
    let write_only = std::fs::OpenOptions::new().write(true).open(&fifo)?;
    assert!(!is_nonblocking(&write_only)?);
    let writer = pipe::Sender::from_file(write_only)?;
    assert!(is_nonblocking(&writer)?);

    Ok(())
}

fn writable_by_poll(writer: &pipe::Sender) -> bool {
    task::spawn(writer.writable()).poll().is_ready()
}

// Adapted, in the three `try_read*` tests: a new pipe end's readiness is
// unknown until the reactor has polled (in tokio as in edgeio), so
// tokio's fill loop stops at once, before writing anything, and its tests
// compare two empty buffers. Here the test yields to the reactor first,
// so that the pipe really fills, and checks that it wrote something.

#[edgeio::test]
async fn try_read_write() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    // Create a pipe pair over a fifo file.
    let fifo = TempFifo::new("try_read_write")?;
    let reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let writer = pipe::OpenOptions::new().open_sender(&fifo)?;
    // Adapted: see above.
    edgeio::task::yield_now().await;

    // Fill the pipe buffer with `try_write`.
    let mut write_data = Vec::new();
    while writable_by_poll(&writer) {
        match writer.try_write(DATA) {
            Ok(n) => write_data.extend(&DATA[..n]),
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                break;
            }
        }
    }
    assert!(!write_data.is_empty()); // Adapted: see above.

    // Drain the pipe buffer with `try_read`.
    let mut read_data = vec![0; write_data.len()];
    let mut i = 0;
    while i < write_data.len() {
        reader.readable().await?;
        match reader.try_read(&mut read_data[i..]) {
            Ok(n) => i += n,
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                continue;
            }
        }
    }

    assert_eq!(read_data, write_data);

    Ok(())
}

#[edgeio::test]
async fn try_read_write_vectored() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    // Create a pipe pair over a fifo file.
    let fifo = TempFifo::new("try_read_write_vectored")?;
    let reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let writer = pipe::OpenOptions::new().open_sender(&fifo)?;
    // Adapted: see above `try_read_write`.
    edgeio::task::yield_now().await;

    let write_bufs: Vec<_> = DATA.chunks(3).map(io::IoSlice::new).collect();

    // Fill the pipe buffer with `try_write_vectored`.
    let mut write_data = Vec::new();
    while writable_by_poll(&writer) {
        match writer.try_write_vectored(&write_bufs) {
            Ok(n) => write_data.extend(&DATA[..n]),
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                break;
            }
        }
    }
    assert!(!write_data.is_empty()); // Adapted: see above `try_read_write`.

    // Drain the pipe buffer with `try_read_vectored`.
    let mut read_data = vec![0; write_data.len()];
    let mut i = 0;
    while i < write_data.len() {
        reader.readable().await?;

        let mut read_bufs: Vec<_> = read_data[i..]
            .chunks_mut(0x10000)
            .map(io::IoSliceMut::new)
            .collect();
        match reader.try_read_vectored(&mut read_bufs) {
            Ok(n) => i += n,
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                continue;
            }
        }
    }

    assert_eq!(read_data, write_data);

    Ok(())
}

#[edgeio::test]
async fn try_read_buf() -> std::io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the fifo";

    // Create a pipe pair over a fifo file.
    let fifo = TempFifo::new("try_read_write_vectored")?;
    let reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let writer = pipe::OpenOptions::new().open_sender(&fifo)?;
    // Adapted: see above `try_read_write`.
    edgeio::task::yield_now().await;

    // Fill the pipe buffer with `try_write`.
    let mut write_data = Vec::new();
    while writable_by_poll(&writer) {
        match writer.try_write(DATA) {
            Ok(n) => write_data.extend(&DATA[..n]),
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                break;
            }
        }
    }
    assert!(!write_data.is_empty()); // Adapted: see above `try_read_write`.

    // Drain the pipe buffer with `try_read_buf`.
    // Adapted: `Vec::with_capacity`, not tokio's `vec![0; n]`: `try_read_buf`
    // appends to a `Vec` (in tokio too), after the `n` zeros, which only
    // passes in tokio because nothing was written.
    let mut read_data = Vec::with_capacity(write_data.len());
    let mut i = 0;
    while i < write_data.len() {
        reader.readable().await?;
        match reader.try_read_buf(&mut read_data) {
            Ok(n) => i += n,
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                continue;
            }
        }
    }

    assert_eq!(read_data, write_data);

    Ok(())
}

#[edgeio::test]
async fn anon_pipe_simple_send() -> io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the pipe";

    let (mut writer, mut reader) = pipe::pipe()?;

    // Create a reading task which should wait for data from the pipe.
    let mut read_fut = task::spawn(async move {
        let mut buf = vec![0; DATA.len()];
        reader.read_exact(&mut buf).await?;
        Ok::<_, io::Error>(buf)
    });
    assert_pending!(read_fut.poll());

    writer.write_all(DATA).await?;

    // Let the IO driver poll events for the reader.
    // Adapted: at most `MAX_YIELDS` times.
    for _ in 0..MAX_YIELDS {
        if read_fut.is_woken() {
            break;
        }
        edgeio::task::yield_now().await;
    }
    assert!(read_fut.is_woken(), "the reader was not woken");

    // Reading task should be ready now.
    let read_data = assert_ready_ok!(read_fut.poll());
    assert_eq!(&read_data, DATA);

    Ok(())
}

#[edgeio::test]
async fn anon_pipe_spawn_echo() -> std::io::Result<()> {
    use edgeio::process::Command;

    const DATA: &str = "this is some data to write to the pipe";

    let (tx, mut rx) = pipe::pipe()?;

    let status = Command::new("echo")
        .arg("-n")
        .arg(DATA)
        .stdout(tx.into_blocking_fd()?)
        .status();

    let mut buf = vec![0; DATA.len()];
    rx.read_exact(&mut buf).await?;
    assert_eq!(String::from_utf8(buf).unwrap(), DATA);

    let exit_code = status.await?;
    assert!(exit_code.success());

    // Check if the pipe is closed.
    buf = Vec::new();
    let total = assert_ok!(rx.try_read(&mut buf));
    assert_eq!(total, 0);

    Ok(())
}

/// Adapted: `nix::unistd::pipe2(O_CLOEXEC | O_NONBLOCK)` with `libc`;
/// returns (read end, write end), as nix's.
fn pipe2(flags: libc::c_int) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` is a writable array of two `c_int`s.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pipe2` succeeded: both fds are open, and owned by nothing
    // else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[edgeio::test]
async fn anon_pipe_from_owned_fd() -> std::io::Result<()> {
    const DATA: &[u8] = b"this is some data to write to the pipe";

    let (rx_fd, tx_fd) = pipe2(libc::O_CLOEXEC | libc::O_NONBLOCK)?;

    let mut rx = pipe::Receiver::from_owned_fd(rx_fd)?;
    let mut tx = pipe::Sender::from_owned_fd(tx_fd)?;

    let mut buf = vec![0; DATA.len()];
    tx.write_all(DATA).await?;
    rx.read_exact(&mut buf).await?;
    assert_eq!(buf, DATA);

    Ok(())
}

#[edgeio::test]
async fn anon_pipe_into_nonblocking_fd() -> std::io::Result<()> {
    let (tx, rx) = pipe::pipe()?;

    let tx_fd = tx.into_nonblocking_fd()?;
    let rx_fd = rx.into_nonblocking_fd()?;

    assert!(is_nonblocking(&tx_fd)?);
    assert!(is_nonblocking(&rx_fd)?);

    Ok(())
}

#[edgeio::test]
async fn anon_pipe_into_blocking_fd() -> std::io::Result<()> {
    let (tx, rx) = pipe::pipe()?;

    let tx_fd = tx.into_blocking_fd()?;
    let rx_fd = rx.into_blocking_fd()?;

    assert!(!is_nonblocking(&tx_fd)?);
    assert!(!is_nonblocking(&rx_fd)?);

    Ok(())
}

#[edgeio::test]
async fn try_io_writable() -> std::io::Result<()> {
    let (tx, _rx) = pipe::pipe()?;

    // Give the runtime some time to update bookkeeping.
    edgeio::task::yield_now().await;

    {
        let mut called = false;
        let _ = tx.try_io(|| {
            called = true;
            Ok(())
        });
        assert!(
            called,
            "closure should have been called, since socket should still be marked as writable"
        );
    }
    {
        let mut called = false;
        let _ = tx.try_io(|| {
            called = true;
            io::Result::<()>::Err(io::ErrorKind::WouldBlock.into())
        });
        assert!(
            called,
            "closure should have been called, since socket should still be marked as writable"
        );
    }

    {
        let mut called = false;
        let _ = tx.try_io(|| {
            called = true;
            Ok(())
        });
        assert!(
            !called,
            "closure should not have been called, since socket writable state should have been cleared"
        );
    }

    Ok(())
}

#[edgeio::test]
async fn try_io_readable() -> io::Result<()> {
    let (mut tx, rx) = pipe::pipe()?;

    // Give the runtime some time to update bookkeeping.
    edgeio::task::yield_now().await;

    {
        let mut called = false;
        let _ = rx.try_io(|| {
            called = true;
            Ok(())
        });
        assert!(
            !called,
            "closure should not have been called, since socket should not be readable"
        );
    }

    // Make `a` readable by writing to `b`.
    // Give the runtime some time to update bookkeeping.
    tx.write_all(&[0]).await?;
    edgeio::task::yield_now().await;

    {
        let mut called = false;
        let _ = rx.try_io(|| {
            called = true;
            Ok(())
        });
        assert!(
            called,
            "closure should have been called, since socket should have data available to read"
        );
    }

    {
        let mut called = false;
        let _ = rx.try_io(|| {
            called = true;
            io::Result::<()>::Err(io::ErrorKind::WouldBlock.into())
        });
        assert!(
            called,
            "closure should have been called, since socket should have data available to read"
        );
    }

    {
        let mut called = false;
        let _ = rx.try_io(|| {
            called = true;
            Ok(())
        });
        assert!(
            !called,
            "closure should not have been called, since socket readable state should have been cleared"
        );
    }

    Ok(())
}

// edgeio's own tests: behaviour tokio documents but does not test, and
// edgeio's differences.

/// Writing once every reader is gone fails with `BrokenPipe`, and a writer
/// waiting for room is woken to see it.
#[edgeio::test]
async fn write_after_receiver_dropped_is_broken_pipe() -> io::Result<()> {
    let (mut tx, rx) = pipe::pipe()?;
    drop(rx);
    let err = assert_err!(tx.write_all(b"nobody listens").await);
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);

    // A writer blocked on a full pipe wakes up when the reader goes.
    let (tx, rx) = pipe::pipe()?;
    edgeio::task::yield_now().await;
    let chunk = [7; 4096];
    let mut filled = 0;
    loop {
        match tx.try_write(&chunk) {
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
        assert!(filled <= 16 << 20, "the pipe never filled");
    }
    let writer = edgeio::spawn(async move {
        let mut tx = tx;
        tx.write_all(&chunk).await
    });
    edgeio::task::yield_now().await;
    drop(rx);
    let err = assert_err!(writer.await.unwrap());
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    Ok(())
}

/// The reader sees end of stream only once *every* writing end is closed.
#[edgeio::test]
async fn eof_when_all_senders_dropped() -> io::Result<()> {
    let fifo = TempFifo::new("eof_all_senders")?;
    let mut reader = pipe::OpenOptions::new().open_receiver(&fifo)?;
    let mut first = pipe::OpenOptions::new().open_sender(&fifo)?;
    let mut second = pipe::OpenOptions::new().open_sender(&fifo)?;
    first.write_all(b"one ").await?;
    drop(first);
    second.write_all(b"two").await?;
    // A read now finds the data, and then waits: `second` is still open.
    let mut buf = [0; 7];
    reader.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"one two");
    let mut pending = task::spawn(async { reader.read(&mut buf).await });
    assert_pending!(pending.poll());
    drop(second);
    assert_eq!(assert_ok!(pending.await), 0);
    Ok(())
}

/// `into_nonblocking_fd` takes the fd out of the reactor: it can be
/// registered again, and works there.
#[edgeio::test]
async fn into_nonblocking_fd_deregisters() -> io::Result<()> {
    let (tx, rx) = pipe::pipe()?;
    let mut tx = pipe::Sender::from_owned_fd(tx.into_nonblocking_fd()?)?;
    let mut rx = pipe::Receiver::from_owned_fd(rx.into_blocking_fd()?)?;
    assert!(is_nonblocking(&rx)?);
    tx.write_all(b"again").await?;
    let mut buf = [0; 5];
    rx.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"again");
    Ok(())
}

/// `O_RDWR` is accepted for either end, and `unchecked` opens a FIFO
/// without the check.
#[edgeio::test]
async fn read_write_fd_is_either_end_and_unchecked_opens() -> io::Result<()> {
    let fifo = TempFifo::new("rdwr")?;
    let open_rdwr = || std::fs::OpenOptions::new().read(true).write(true).open(&fifo);
    let mut tx = pipe::Sender::from_file(open_rdwr()?)?;
    let mut rx = pipe::Receiver::from_file(open_rdwr()?)?;
    tx.write_all(b"rdwr").await?;
    let mut buf = [0; 4];
    rx.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"rdwr");

    let mut rx = pipe::OpenOptions::new().unchecked(true).open_receiver(&fifo)?;
    let mut tx = pipe::OpenOptions::new().unchecked(true).open_sender(&fifo)?;
    tx.write_all(b"unchecked").await?;
    let mut buf = [0; 9];
    rx.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"unchecked");
    Ok(())
}

/// edgeio's `from_*_unchecked` set `O_NONBLOCK` (tokio's leave it to the
/// caller), and refuse a regular file with an error (epoll's `EPERM`).
#[edgeio::test]
async fn unchecked_constructors() -> io::Result<()> {
    let (rx_fd, tx_fd) = pipe2(libc::O_CLOEXEC)?;
    assert!(!is_nonblocking(&rx_fd)?);
    let rx = pipe::Receiver::from_owned_fd_unchecked(rx_fd)?;
    let tx = pipe::Sender::from_file_unchecked(File::from(tx_fd))?;
    assert!(is_nonblocking(&rx)?);
    assert!(is_nonblocking(&tx)?);

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("regular");
    let file = File::create(&path)?;
    assert_err!(pipe::Sender::from_file_unchecked(file));
    let file = File::open(&path)?;
    assert_err!(pipe::Receiver::from_file_unchecked(file));
    Ok(())
}

/// Outside a runtime, every constructor returns an error (tokio panics).
#[test]
fn constructors_outside_a_runtime_are_errors() {
    let _watchdog = tokio_test::watchdog();
    assert_err!(pipe::pipe());
    let fifo = TempFifo::new("no_runtime").unwrap();
    assert_err!(pipe::OpenOptions::new().open_receiver(&fifo));
    assert_err!(pipe::OpenOptions::new().read_write(true).open_sender(&fifo));
    let (rx_fd, tx_fd) = pipe2(libc::O_CLOEXEC).unwrap();
    assert_err!(pipe::Receiver::from_owned_fd(rx_fd));
    assert_err!(pipe::Sender::from_owned_fd(tx_fd));
}

/// `&Sender` writes and `&Receiver` reads, as `&UnixStream` does.
#[edgeio::test]
async fn shared_references_read_and_write() -> io::Result<()> {
    let (tx, rx) = pipe::pipe()?;
    (&tx).write_all(b"by reference").await?;
    drop(tx);
    let mut text = String::new();
    (&rx).read_to_string(&mut text).await?;
    assert_eq!(text, "by reference");
    Ok(())
}

/// With the `tokio-io` feature, tokio's traits work on the pipe ends.
#[cfg(feature = "tokio-io")]
#[edgeio::test]
async fn tokio_traits() -> io::Result<()> {
    use std::future::poll_fn;
    use std::pin::Pin;

    let (mut tx, mut rx) = pipe::pipe()?;
    let n = poll_fn(|cx| tokio::io::AsyncWrite::poll_write(Pin::new(&mut tx), cx, b"tokio")).await?;
    assert_eq!(n, 5);
    poll_fn(|cx| tokio::io::AsyncWrite::poll_shutdown(Pin::new(&mut tx), cx)).await?;
    drop(tx);
    let mut storage = [0; 8];
    let mut buf = tokio::io::ReadBuf::new(&mut storage);
    poll_fn(|cx| tokio::io::AsyncRead::poll_read(Pin::new(&mut rx), cx, &mut buf)).await?;
    assert_eq!(buf.filled(), b"tokio");
    let mut buf = tokio::io::ReadBuf::new(&mut storage);
    poll_fn(|cx| tokio::io::AsyncRead::poll_read(Pin::new(&mut rx), cx, &mut buf)).await?;
    assert!(buf.filled().is_empty(), "end of stream");
    Ok(())
}

/// The pipe ends move between tasks and threads, and are shared, as
/// tokio's are.
#[test]
fn pipe_ends_are_send_sync_unpin() {
    fn check<T: Send + Sync + Unpin + std::fmt::Debug>() {}
    check::<pipe::Sender>();
    check::<pipe::Receiver>();
    check::<pipe::OpenOptions>();
}
