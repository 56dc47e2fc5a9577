//! The self-pipe that carries signals into the reactor.
//!
//! A signal handler may only call async-signal-safe functions, so ours
//! bumps a counter and writes one byte to a non-blocking pipe; the read end
//! is watched by epoll like any socket. The pipe is created once per process
//! and never closed, so the handler can never write into an fd that was
//! closed and reused.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::OnceLock;

use super::cvt;

/// Write end of the pipe, read by the handler.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
/// Signals received since the handler was installed.
static RECEIVED: AtomicU64 = AtomicU64::new(0);

struct SignalPipe {
    read: OwnedFd,
    // Kept open for the life of the process: the handler writes to it.
    _write: OwnedFd,
}

static SIGINT_PIPE: OnceLock<Result<SignalPipe, i32>> = OnceLock::new();

extern "C" fn on_signal(_: libc::c_int) {
    // Preserve errno for the interrupted code, as handlers must.
    // SAFETY: __errno_location returns this thread's errno slot.
    let errno = unsafe { *libc::__errno_location() };
    RECEIVED.fetch_add(1, Ordering::SeqCst);
    let fd = WRITE_FD.load(Ordering::SeqCst);
    let byte = 1u8;
    // SAFETY: write(2) is async-signal-safe; `fd` is the never-closed pipe
    // and `byte` outlives the call. A full pipe (EAGAIN) already holds a
    // pending wake-up, so the result is ignored.
    let _ = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

fn install_sigint() -> Result<SignalPipe, i32> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two fds into the array we pass.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) }).map_err(errno)?;
    // SAFETY: both fds are fresh and exclusively ours.
    let pipe = unsafe {
        SignalPipe {
            read: OwnedFd::from_raw_fd(fds[0]),
            _write: OwnedFd::from_raw_fd(fds[1]),
        }
    };
    WRITE_FD.store(fds[1], Ordering::SeqCst);

    // SAFETY: an all-zero sigaction is a valid "no flags, empty mask" value
    // that we then fill in.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `action` is initialised; the handler only uses
    // async-signal-safe operations.
    cvt(unsafe { libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) }).map_err(errno)?;
    Ok(pipe)
}

fn errno(e: io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// Installs the SIGINT handler (once) and returns the pipe's read end.
pub(crate) fn sigint_pipe() -> io::Result<BorrowedFd<'static>> {
    match SIGINT_PIPE.get_or_init(install_sigint) {
        Ok(pipe) => Ok(pipe.read.as_fd()),
        Err(code) => Err(io::Error::from_raw_os_error(*code)),
    }
}

/// SIGINTs received so far.
pub(crate) fn sigint_count() -> u64 {
    RECEIVED.load(Ordering::SeqCst)
}

/// Empties the pipe, whose contents only ever mean "look at the counter";
/// returns whether there was anything to read.
pub(crate) fn drain(fd: BorrowedFd<'_>) -> bool {
    use std::os::fd::AsRawFd;
    let mut buf = [0u8; 64];
    let mut drained = false;
    // SAFETY: reads into a live buffer of the length given; stops at EAGAIN.
    while unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {
        drained = true;
    }
    drained
}
