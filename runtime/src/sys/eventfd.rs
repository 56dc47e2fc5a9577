//! An `eventfd` that lets any thread interrupt a blocked `epoll_wait`.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::cvt::cvt;

#[derive(Debug)]
pub(crate) struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub(crate) fn new() -> io::Result<EventFd> {
        // SAFETY: no pointers; a non-negative result is a fresh fd we own.
        let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        Ok(EventFd {
            // SAFETY: `cvt` let through only a successful result, a fresh
            // eventfd that nothing else owns or will close.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Raises an edge for the registered epoll. Every write to an eventfd
    /// wakes its waiters, even while the counter is already non-zero, so
    /// the counter is never drained: that saves the reactor a `read` per
    /// interruption (mio's waker works the same way). Only a counter about
    /// to overflow (`EAGAIN`, after 2^64 - 2 writes) is reset first.
    pub(crate) fn notify(&self) {
        if let Err(e) = self.add_one() {
            if e.kind() == io::ErrorKind::WouldBlock {
                self.reset();
                let _ = self.add_one();
            }
        }
    }

    /// Adds one to the counter.
    fn add_one(&self) -> io::Result<()> {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64, as eventfd requires.
        cvt(unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) } as i32)?;
        Ok(())
    }

    /// Sets the counter back to zero.
    fn reset(&self) {
        let mut buf: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64, as eventfd requires.
        let _ = unsafe { libc::read(self.fd.as_raw_fd(), (&mut buf as *mut u64).cast(), 8) };
    }
}

impl AsRawFd for EventFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
