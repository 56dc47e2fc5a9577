//! Readiness after an error, over a real fd: one direction's `EAGAIN` must
//! not hide an error from the other direction (issue 19, item 7).

use std::io;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::time::Duration;

use edgeio_runtime::time::timeout;
use edgeio_runtime::{Interest, Registration, Runtime};

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for `pipe2` to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pipe2` succeeded, so both fds are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn write(fd: &OwnedFd, buf: &[u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    // SAFETY: `buf` is valid for `buf.len()` bytes and `fd` is open.
    let n = unsafe { libc::write(fd.as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// A pipe's write end with a full buffer whose reader goes away gets
/// `EPOLLERR` alone (no room was made, so no `EPOLLOUT`). An operation in
/// the *read* direction that then reports `EAGAIN` used to clear the error
/// for both directions, and the writer waited forever.
#[test]
fn read_eagain_does_not_hide_the_error_from_writers() {
    let runtime = Runtime::new().unwrap();
    runtime
        .block_on(async {
            let (reader, writer) = pipe()?;
            // SAFETY: `writer` outlives `registration`: declared earlier,
            // dropped later.
            let registration = unsafe { Registration::new(writer.as_fd())? };
            timeout(Duration::from_secs(5), registration.writable()).await??;

            // Fill the pipe until a write reports WouldBlock (bounded: a
            // pipe holds at most 1 MiB by default).
            let chunk = [0u8; 65536];
            let mut full = false;
            for _ in 0..1024 {
                match registration.try_write_io(|| write(&writer, &chunk)) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        full = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            assert!(full, "the pipe never filled");

            drop(reader);
            let ready = timeout(Duration::from_secs(5), registration.ready(Interest::READABLE)).await??;
            assert!(
                ready.is_error(),
                "the reader's departure shows as an error: {ready:?}"
            );
            // An operation in the read direction finds nothing to do.
            let nothing =
                registration.try_read_io(|| -> io::Result<()> { Err(io::ErrorKind::WouldBlock.into()) });
            assert_eq!(nothing.unwrap_err().kind(), io::ErrorKind::WouldBlock);

            // The writer must still be told: its next write fails (EPIPE).
            let ready = timeout(Duration::from_secs(2), registration.ready(Interest::WRITABLE))
                .await
                .expect("a read's EAGAIN hid the error from the writer")?;
            assert!(ready.is_error());
            let err = registration.write_io(|| write(&writer, b"x")).await.unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EPIPE));
            drop(registration);
            Ok::<_, io::Error>(())
        })
        .unwrap();
}
