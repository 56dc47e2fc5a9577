//! Waiting for a child's exit through the reactor: its `pidfd`, or SIGCHLD
//! where the kernel has no `pidfd_open`.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::process::ExitStatus;
use std::task::{ready, Context, Poll};

use edgeio_runtime::signal::unix::{signal, Signal, SignalKind};
use edgeio_runtime::{is_rt_shutdown_err, Registration};

/// How a child's exit reaches the reactor.
pub(crate) enum ExitWatch {
    /// A pidfd (Linux 5.3+): readable once the child has exited, so its
    /// exit is one more edge in the epoll set, with no handler and no
    /// thread.
    Pidfd(Pidfd),
    /// Where `pidfd_open` does not exist: a SIGCHLD listener, after each
    /// delivery of which the child is polled with `waitpid(WNOHANG)`. This
    /// installs a process-wide SIGCHLD handler (see `signal`).
    Sigchld(Signal),
}

impl ExitWatch {
    /// Starts watching the child `pid`, which the caller has spawned and not
    /// reaped (so the pid cannot have been reused).
    pub(crate) fn new(pid: u32) -> io::Result<ExitWatch> {
        match pidfd_open(pid) {
            Ok(fd) => Ok(ExitWatch::Pidfd(Pidfd::new(fd)?)),
            // ENOSYS: a kernel before 5.3. EPERM: a seccomp filter that
            // predates the syscall (older container runtimes answer unknown
            // syscalls with EPERM rather than ENOSYS).
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) => {
                Ok(ExitWatch::Sigchld(signal(SignalKind::child())?))
            }
            Err(e) => Err(e),
        }
    }

    /// Reaps `child` once it has exited, waiting for the reactor to say so.
    pub(crate) fn poll_exit(
        &mut self,
        cx: &mut Context<'_>,
        child: &mut std::process::Child,
    ) -> Poll<io::Result<ExitStatus>> {
        match self {
            ExitWatch::Pidfd(pidfd) => match pidfd.poll_exit(cx, child) {
                // The runtime that registered the pidfd has shut down
                // (the child was spawned there and is waited for in
                // another one): register it with the current runtime.
                Poll::Ready(Err(e)) if is_rt_shutdown_err(&e) => {
                    if let Some(status) = child.try_wait()? {
                        return Poll::Ready(Ok(status));
                    }
                    if pidfd.reregister().is_err() {
                        return Poll::Ready(Err(e));
                    }
                    pidfd.poll_exit(cx, child)
                }
                polled => polled,
            },
            ExitWatch::Sigchld(sigchld) => loop {
                // Polled before waiting: the listener was created before
                // this check, so an exit after it is a delivery we will see.
                if let Some(status) = child.try_wait()? {
                    return Poll::Ready(Ok(status));
                }
                if ready!(sigchld.poll_recv(cx)).is_none() {
                    return Poll::Ready(Err(io::Error::other(
                        "the runtime shut down while waiting for a child process",
                    )));
                }
            },
        }
    }
}

impl fmt::Debug for ExitWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitWatch::Pidfd(pidfd) => f.debug_tuple("Pidfd").field(&pidfd.fd.as_raw_fd()).finish(),
            ExitWatch::Sigchld(_) => f.write_str("Sigchld"),
        }
    }
}

/// A pidfd registered with a runtime's reactor.
pub(crate) struct Pidfd {
    // Declared before `fd` so it drops first: it names the fd by number.
    registration: Registration,
    fd: OwnedFd,
}

impl Pidfd {
    fn new(fd: OwnedFd) -> io::Result<Pidfd> {
        // SAFETY: `fd` is owned by the same `Pidfd` and declared after the
        // registration, so it is closed only after the registration goes.
        let registration = unsafe { Registration::new(fd.as_fd())? };
        Ok(Pidfd { registration, fd })
    }

    /// Reaps `child` once the pidfd is readable (the child has exited).
    fn poll_exit(
        &self,
        cx: &mut Context<'_>,
        child: &mut std::process::Child,
    ) -> Poll<io::Result<ExitStatus>> {
        // Readable means exited; a spurious wake-up finds it alive.
        self.registration.poll_read_io(cx, || {
            child.try_wait()?.ok_or_else(|| io::ErrorKind::WouldBlock.into())
        })
    }

    fn reregister(&mut self) -> io::Result<()> {
        // SAFETY: as in `new`.
        self.registration = unsafe { Registration::new(self.fd.as_fd())? };
        Ok(())
    }
}

/// `pidfd_open(2)`: an fd that refers to process `pid`, close-on-exec.
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: pidfd_open takes a pid and flags, no pointers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a non-negative result is a fresh fd that nothing else owns
    // (pidfd_open sets O_CLOEXEC itself).
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}
