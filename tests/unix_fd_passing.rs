//! Passing file descriptors over Unix sockets (`SCM_RIGHTS`), stream and
//! datagram: a pipe's write end goes across, the receiver writes through
//! it, the bytes come out of the pipe's read end, and no descriptor is
//! left open (`/proc/self/fd`).
//!
//! One test function, so that nothing else in this binary opens or closes
//! descriptors while it counts them.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::time::Duration;

use edgeio::net::{UnixDatagram, UnixStream};
use edgeio::time::timeout;

const STEP: Duration = Duration::from_secs(10);

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

fn pipe() -> io::Result<(std::fs::File, std::fs::File)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for `pipe2` to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pipe2` succeeded: both fds are open and owned by nobody else.
    Ok(unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    })
}

fn is_cloexec(fd: &OwnedFd) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: F_GETFD takes no pointer; `fd` is open.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    flags >= 0 && flags & libc::FD_CLOEXEC != 0
}

/// Sends the write end of a new pipe with `send`, receives it with
/// `recv`, writes through the received copy and reads from the pipe.
async fn pass_a_pipe<S, R, SF, RF>(label: &str, send: S, recv: R) -> io::Result<()>
where
    S: FnOnce(OwnedFd) -> SF,
    SF: std::future::Future<Output = io::Result<()>>,
    R: FnOnce() -> RF,
    RF: std::future::Future<Output = io::Result<(Vec<u8>, Vec<OwnedFd>)>>,
{
    let (mut read_end, write_end) = pipe()?;
    send(OwnedFd::from(write_end)).await?;
    let (data, mut fds) = timeout(STEP, recv()).await??;
    assert_eq!(data, b"fd", "{label}: the data that carried the fd");
    assert_eq!(fds.len(), 1, "{label}: one descriptor");
    let received = fds.pop().unwrap();
    assert!(is_cloexec(&received), "{label}: received without close-on-exec");
    // The sender's copy is gone (moved into `send` and dropped there), so
    // the received one is the only write end: write, close, read to EOF.
    let mut writer = std::fs::File::from(received);
    writer.write_all(format!("through the passed fd ({label})").as_bytes())?;
    drop(writer);
    let mut text = String::new();
    read_end.read_to_string(&mut text)?;
    assert_eq!(text, format!("through the passed fd ({label})"));
    Ok(())
}

#[test]
fn file_descriptors_pass_over_unix_sockets_without_leaks() {
    edgeio::__private::run_test(Some(2), Duration::from_secs(60), || async {
        let before = open_fds();
        {
            let (a, b) = UnixStream::pair()?;
            let (a, b) = (&a, &b);
            pass_a_pipe(
                "stream",
                |fd| async move {
                    let n = a.send_with_fds(b"fd", &[fd.as_fd()]).await?;
                    assert_eq!(n, 2);
                    Ok(())
                },
                || async move {
                    let mut buf = [0; 16];
                    let mut fds = Vec::new();
                    let n = b.recv_with_fds(&mut buf, &mut fds).await?;
                    Ok((buf[..n].to_vec(), fds))
                },
            )
            .await?;

            // Bytes without descriptors come through too, and an empty
            // buffer cannot carry descriptors on a stream.
            a.send_with_fds(b"plain", &[]).await?;
            let mut buf = [0; 16];
            let mut fds = Vec::new();
            let n = timeout(STEP, b.recv_with_fds(&mut buf, &mut fds)).await??;
            assert_eq!((&buf[..n], fds.len()), (&b"plain"[..], 0));
            let (_r, w) = pipe()?;
            let err = a.send_with_fds(b"", &[w.as_fd()]).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            let err = a.try_send_with_fds(b"", &[w.as_fd()]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

            // Several at once, with the non-waiting forms.
            let (r2, w2) = pipe()?;
            timeout(STEP, a.writable()).await??;
            a.try_send_with_fds(b"two", &[r2.as_fd(), w2.as_fd()])?;
            let n = loop {
                timeout(STEP, b.readable()).await??;
                match b.try_recv_with_fds(&mut buf, &mut fds) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    other => break other?,
                }
            };
            assert_eq!((&buf[..n], fds.len()), (&b"two"[..], 2));
            drop(fds);
        }
        {
            let (a, b) = UnixDatagram::pair()?;
            let (a, b) = (&a, &b);
            pass_a_pipe(
                "datagram",
                |fd| async move {
                    a.send_with_fds(b"fd", &[fd.as_fd()]).await?;
                    Ok(())
                },
                || async move {
                    let mut buf = [0; 16];
                    let mut fds = Vec::new();
                    let n = b.recv_with_fds(&mut buf, &mut fds).await?;
                    Ok((buf[..n].to_vec(), fds))
                },
            )
            .await?;
            // An empty datagram may carry a descriptor.
            let (_r, w) = pipe()?;
            assert_eq!(a.send_with_fds(b"", &[w.as_fd()]).await?, 0);
            let mut buf = [0; 4];
            let mut fds = Vec::new();
            let n = timeout(STEP, b.recv_with_fds(&mut buf, &mut fds)).await??;
            assert_eq!((n, fds.len()), (0, 1));
        }
        // Descriptors sent but never received are closed with the socket.
        {
            let (a, b) = UnixStream::pair()?;
            let (_r, w) = pipe()?;
            a.send_with_fds(b"unread", &[w.as_fd()]).await?;
            drop((a, b));
        }
        // Closing happens in the kernel's garbage collector for in-flight
        // descriptors; give it a bounded moment.
        let mut after = open_fds();
        for _ in 0..100 {
            if after == before {
                break;
            }
            edgeio::time::sleep(Duration::from_millis(10)).await;
            after = open_fds();
        }
        assert_eq!(after, before, "descriptors leaked");
        io::Result::Ok(())
    })
    .unwrap();
}
