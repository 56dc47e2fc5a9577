//! Passing file descriptors over Unix sockets (`SCM_RIGHTS`): one
//! `sendmsg` / `recvmsg` each, shared by [`AsyncUnixStream`] and
//! [`AsyncUnixDatagram`].
//!
//! [`AsyncUnixStream`]: crate::AsyncUnixStream
//! [`AsyncUnixDatagram`]: crate::AsyncUnixDatagram

use std::io;
use std::mem::{self, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr;

/// The most descriptors Linux passes in one message (`SCM_MAX_FD`); a
/// `sendmsg` with more fails with `EINVAL`.
pub(crate) const MAX_FDS: usize = 253;

/// Room for the control data of one message: `MAX_FDS` descriptors, plus
/// credentials in case the socket has `SO_PASSCRED` set (then the kernel
/// attaches them to every message). 1280 bytes, in `u64`s so that it is
/// aligned for a `cmsghdr`.
type ControlBuf = [MaybeUninit<u64>; 160];

fn control_space(fds: usize) -> usize {
    // `fds <= MAX_FDS`, so the byte count fits a `c_uint`.
    let bytes = (fds * mem::size_of::<RawFd>()) as libc::c_uint;
    // SAFETY: `CMSG_SPACE` only does arithmetic.
    unsafe { libc::CMSG_SPACE(bytes) as usize }
}

fn credentials_space() -> usize {
    // SAFETY: as above.
    unsafe { libc::CMSG_SPACE(mem::size_of::<libc::ucred>() as libc::c_uint) as usize }
}

fn cvt(n: isize) -> io::Result<usize> {
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// Sends `buf` with `fds` attached, as one `sendmsg` (`MSG_NOSIGNAL`: a
/// closed peer is an `EPIPE` error, not a signal). On a stream socket the
/// descriptors travel with the first byte sent.
pub(crate) fn send(socket: BorrowedFd<'_>, buf: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
    if fds.len() > MAX_FDS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "more than 253 file descriptors in one message (SCM_MAX_FD)",
        ));
    }
    let mut control: ControlBuf = [MaybeUninit::new(0); 160];
    let mut iov = libc::iovec {
        iov_base: buf.as_ptr().cast_mut().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: an all-zero `msghdr` is valid (null pointers, zero lengths).
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    if !fds.is_empty() {
        let space = control_space(fds.len());
        debug_assert!(space <= mem::size_of::<ControlBuf>());
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        // SAFETY: `msg_control` points to `space` zeroed, aligned bytes,
        // room for one header and `fds.len()` descriptors, so the first
        // header exists and its data holds `fds.len()` `RawFd`s.
        unsafe {
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN((fds.len() * mem::size_of::<RawFd>()) as libc::c_uint) as _;
            let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
            for (i, fd) in fds.iter().enumerate() {
                ptr::write_unaligned(data.add(i), fd.as_raw_fd());
            }
        }
    }
    // SAFETY: `msg` points to `iov` (valid for `buf.len()` bytes) and to
    // the control buffer, all alive until `sendmsg` returns; the fds it
    // names are borrowed, so open.
    cvt(unsafe { libc::sendmsg(socket.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) })
}

/// Receives into `buf`, appending the descriptors that came with the data
/// to `fds` (close-on-exec, `MSG_CMSG_CLOEXEC`). At most `max_fds` fit;
/// if more came (`MSG_CTRUNC`), the kernel closed the rest, and this
/// closes those that did fit too and fails, so that no descriptor leaks
/// and none goes missing unnoticed.
pub(crate) fn recv(
    socket: BorrowedFd<'_>,
    buf: &mut [u8],
    fds: &mut Vec<OwnedFd>,
    max_fds: usize,
) -> io::Result<usize> {
    let mut control: ControlBuf = [MaybeUninit::new(0); 160];
    let space = control_space(max_fds.min(MAX_FDS)) + credentials_space();
    debug_assert!(space <= mem::size_of::<ControlBuf>());
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: an all-zero `msghdr` is valid.
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = space as _;
    // SAFETY: `msg` points to `iov` (writable for `buf.len()` bytes) and
    // to `space` bytes of control buffer, all alive until `recvmsg`
    // returns.
    let n = cvt(unsafe { libc::recvmsg(socket.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) })?;

    // Take ownership of every descriptor received before anything else,
    // so that each is closed on any way out.
    let mut received = Vec::new();
    // SAFETY: `recvmsg` filled `msg_controllen` bytes of well-formed
    // control messages; the CMSG macros walk them within that length.
    // An `SCM_RIGHTS` message's data is an array of fds now open in this
    // process and owned by nobody else.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                let len = (*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                for i in 0..len / mem::size_of::<RawFd>() {
                    received.push(OwnedFd::from_raw_fd(ptr::read_unaligned(data.add(i))));
                }
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    if msg.msg_flags & libc::MSG_CTRUNC != 0 {
        drop(received);
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "file descriptors truncated (MSG_CTRUNC): more than {max_fds} came with the \
                 {n} bytes received, which are discarded; the descriptors were closed"
            ),
        ));
    }
    fds.append(&mut received);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::io::Read;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixDatagram;

    use super::*;

    fn pipe() -> (File, File) {
        let mut fds = [0; 2];
        // SAFETY: `fds` is a valid array of two ints for `pipe2` to fill.
        // Non-blocking: a leaked write end shows as `EAGAIN`, not a hang.
        let flags = libc::O_CLOEXEC | libc::O_NONBLOCK;
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) }, 0);
        // SAFETY: both fds are open and owned by nobody else.
        unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) }
    }

    /// Whether every copy of the pipe's write end is closed: only then
    /// does a read see end of file. (Counting `/proc/self/fd` would race
    /// with the other tests of this binary.)
    fn all_writers_closed(read_end: &mut File) -> bool {
        let mut buf = [0; 1];
        matches!(read_end.read(&mut buf), Ok(0))
    }

    /// More descriptors than the receiver makes room for: an error, and
    /// none of them left open. (The public methods make room for the most
    /// a message can carry, so there this takes a sender adding control
    /// data of its own.)
    #[test]
    fn truncated_control_data_is_an_error_and_leaks_nothing() {
        let (a, b) = UnixDatagram::pair().unwrap();
        let (mut read_end, write_end) = pipe();
        // Twenty: past the room for one fd plus the credentials' reserve.
        let twenty = vec![write_end.as_fd(); 20];
        send(a.as_fd(), b"twenty", &twenty).unwrap();
        drop(twenty);
        drop(write_end);
        let mut buf = [0; 8];
        let mut fds = Vec::new();
        let err = recv(b.as_fd(), &mut buf, &mut fds, 1).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{err}");
        assert!(fds.is_empty());
        assert!(all_writers_closed(&mut read_end), "a passed descriptor leaked");
    }

    #[test]
    fn received_descriptors_are_close_on_exec() {
        let (a, b) = UnixDatagram::pair().unwrap();
        let (mut read_end, write_end) = pipe();
        send(a.as_fd(), b"three", &[write_end.as_fd(); 3]).unwrap();
        drop(write_end);
        let mut buf = [0; 8];
        let mut fds = Vec::new();
        let n = recv(b.as_fd(), &mut buf, &mut fds, MAX_FDS).unwrap();
        assert_eq!((&buf[..n], fds.len()), (&b"three"[..], 3));
        for fd in &fds {
            // SAFETY: F_GETFD takes no pointer; `fd` is open.
            let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
            assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        }
        drop(fds);
        assert!(all_writers_closed(&mut read_end));
    }

    #[test]
    fn too_many_descriptors_is_invalid_input() {
        let (a, _b) = UnixDatagram::pair().unwrap();
        let fds = vec![a.as_fd(); MAX_FDS + 1];
        let err = send(a.as_fd(), b"x", &fds).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
