//! One epoll instance, used edge-triggered.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use super::cvt::cvt;

/// Interest every fd is registered with, exactly once: both directions,
/// peer half-close, urgent data (for `Interest::PRIORITY`; a socket that
/// never gets any never reports it), edge-triggered. Readiness is then tracked in user space,
/// so no operation ever pays for an `epoll_ctl(MOD)`.
const INTEREST: u32 =
    (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLPRI | libc::EPOLLET) as u32;

/// Interest of the reactor's own eventfd: readable only. An eventfd is
/// always writable, and every read that drains it signals writability
/// again; with `EPOLLOUT` in its interest, each interruption was followed by
/// a second, empty return from `epoll_wait`.
const NOTIFIER_INTEREST: u32 = (libc::EPOLLIN | libc::EPOLLET) as u32;

/// An owned epoll file descriptor.
#[derive(Debug)]
pub(crate) struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a non-negative result is a
        // fresh fd that nothing else owns, so OwnedFd may take it.
        let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Epoll {
            // SAFETY: `cvt` let through only a successful result, a fresh
            // epoll fd that nothing else owns or will close.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Adds `fd` with the fixed edge-triggered interest; events carry `token`.
    pub(crate) fn add(&self, fd: RawFd, token: u64) -> io::Result<()> {
        self.add_with(fd, token, INTEREST)
    }

    /// Adds the reactor's eventfd, for readability only.
    pub(crate) fn add_notifier(&self, fd: RawFd, token: u64) -> io::Result<()> {
        self.add_with(fd, token, NOTIFIER_INTEREST)
    }

    fn add_with(&self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: interest,
            u64: token,
        };
        // SAFETY: `event` is a valid epoll_event that outlives the call.
        cvt(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) })?;
        Ok(())
    }

    /// Removes `fd`. Must happen before the fd is closed: the kernel only
    /// drops the registration when the last duplicate of the open file
    /// description goes, so a `dup`'d fd would otherwise keep reporting.
    pub(crate) fn delete(&self, fd: RawFd) -> io::Result<()> {
        // SAFETY: EPOLL_CTL_DEL ignores the event pointer (null is allowed
        // since Linux 2.6.9).
        cvt(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) })?;
        Ok(())
    }

    /// Waits for events, at most `timeout` (`None`: forever), and fills
    /// `events` with what arrived. `EINTR` is reported as zero events.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        let timeout_ms = match timeout {
            None => -1,
            // Round up so a timer is never woken a little early and then
            // spun on with zero timeouts.
            Some(d) => {
                let ms = d.as_nanos().div_ceil(1_000_000);
                ms.min(libc::c_int::MAX as u128) as libc::c_int
            }
        };
        events.list.clear();
        let capacity = events.list.capacity().min(libc::c_int::MAX as usize) as libc::c_int;
        // SAFETY: the kernel writes at most `capacity` entries into the
        // vector's spare capacity, and we set the length to what it reports.
        let n = unsafe {
            libc::epoll_wait(
                self.fd.as_raw_fd(),
                events.list.as_mut_ptr(),
                capacity,
                timeout_ms,
            )
        };
        match cvt(n) {
            // SAFETY: the first `n` entries were initialised by the kernel.
            Ok(n) => unsafe { events.list.set_len(n as usize) },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// A reusable buffer for the events one `epoll_wait` returns.
pub(crate) struct Events {
    list: Vec<libc::epoll_event>,
}

impl Events {
    pub(crate) fn with_capacity(capacity: usize) -> Events {
        Events {
            list: Vec::with_capacity(capacity.max(1)),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.list.iter().map(|e| Event {
            token: e.u64,
            flags: e.events,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }
}

/// One readiness event, decoded into what the reactor cares about.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Event {
    pub(crate) token: u64,
    flags: u32,
}

impl Event {
    pub(crate) fn is_readable(&self) -> bool {
        self.flags & (libc::EPOLLIN | libc::EPOLLPRI) as u32 != 0
    }

    pub(crate) fn is_writable(&self) -> bool {
        self.flags & libc::EPOLLOUT as u32 != 0
    }

    /// Urgent data (TCP out-of-band), or a change on a special file that
    /// signals with `EPOLLPRI` (a sysfs GPIO value, `/proc/self/mounts`).
    pub(crate) fn is_priority(&self) -> bool {
        self.flags & libc::EPOLLPRI as u32 != 0
    }

    /// The peer shut down its writing side, or the connection hung up.
    pub(crate) fn is_read_closed(&self) -> bool {
        self.flags & (libc::EPOLLRDHUP | libc::EPOLLHUP) as u32 != 0
    }

    /// Both directions are gone.
    pub(crate) fn is_write_closed(&self) -> bool {
        self.flags & libc::EPOLLHUP as u32 != 0
    }

    /// `EPOLLERR` is reported whether or not it was asked for; the pending
    /// error is fetched by the next syscall on the fd.
    pub(crate) fn is_error(&self) -> bool {
        self.flags & libc::EPOLLERR as u32 != 0
    }
}

impl AsRawFd for Epoll {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
