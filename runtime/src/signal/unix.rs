//! Unix signals as async streams: tokio's `signal::unix`.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

use super::registry::Listener;
use crate::sys::signal::SIGNAL_SLOTS;

/// A signal number, with constructors for the usual ones.
///
/// Any number may be named with [`SignalKind::from_raw`]; [`signal`]
/// refuses the ones a handler must not or cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// Names a signal by its number, e.g. a real-time signal
    /// (`libc::SIGRTMIN() + n`).
    #[must_use]
    pub const fn from_raw(signum: std::os::raw::c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal's number.
    #[must_use]
    pub const fn as_raw_value(&self) -> std::os::raw::c_int {
        self.0
    }

    /// SIGALRM: a real-time timer expired.
    #[must_use]
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// SIGCHLD: a child process stopped or exited.
    #[must_use]
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// SIGHUP: the terminal hung up; daemons take it as "reload".
    #[must_use]
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// SIGINT: Ctrl-C at the terminal.
    #[must_use]
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// SIGIO: I/O is possible on a descriptor set up for it.
    #[must_use]
    pub const fn io() -> SignalKind {
        SignalKind(libc::SIGIO)
    }

    /// SIGPIPE: a write to a pipe or socket nobody reads any more.
    #[must_use]
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// SIGQUIT: Ctrl-\ at the terminal.
    #[must_use]
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// SIGTERM: the polite request to exit (what `kill`, systemd and
    /// container runtimes send first).
    #[must_use]
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// SIGUSR1.
    #[must_use]
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// SIGUSR2.
    #[must_use]
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// SIGWINCH: the terminal window changed size.
    #[must_use]
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<std::os::raw::c_int> for SignalKind {
    fn from(signum: std::os::raw::c_int) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for std::os::raw::c_int {
    fn from(kind: SignalKind) -> std::os::raw::c_int {
        kind.as_raw_value()
    }
}

/// Signals whose handler the process must not replace: SIGKILL and SIGSTOP
/// cannot be caught, and returning from a handler for a synchronous fault
/// (SIGSEGV, SIGBUS, SIGILL, SIGFPE) re-runs the faulting instruction
/// forever, so a handler that only records the fault for later makes the
/// process spin. tokio refuses the same list.
const FORBIDDEN: [libc::c_int; 6] = [
    libc::SIGKILL,
    libc::SIGSTOP,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
];

/// Listens for `kind` in the current runtime: the returned [`Signal`]
/// yields once for every delivery (or burst of deliveries) after this call.
///
/// The first listener for a signal installs a process-wide handler that
/// stays for the rest of the process's life: from then on the signal's
/// default action (for SIGTERM, SIGINT, SIGHUP: terminating the process)
/// no longer happens, even when no `Signal` exists any more, so the
/// program decides itself what the signal means. This is tokio's
/// behaviour too. A handler installed *before* ours (by C code, or by
/// another library) is not lost: ours calls it after recording the
/// delivery, with the same arguments. (It runs with every signal blocked,
/// as ours does, rather than with its own `sa_mask`, and a later
/// `sigaction` by someone else replaces ours.)
///
/// Delivery does not depend on any thread's signal mask: it goes through a
/// handler writing to a self-pipe registered with the reactor (no
/// `signalfd`, which would need the signal blocked in every thread of the
/// process).
///
/// # Errors
///
/// Outside a runtime; for a signal number out of range (`< 1` or above
/// `SIGRTMAX`) or reserved by the C library; for the signals that cannot or
/// must not be handled (SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL,
/// SIGFPE), an error of kind `InvalidInput` (never a panic).
///
/// ```no_run
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_runtime::signal::unix::{signal, SignalKind};
///
/// let mut terminate = signal(SignalKind::terminate())?;
/// terminate.recv().await;
/// println!("SIGTERM: shutting down");
/// # std::io::Result::Ok(())
/// # });
/// ```
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.as_raw_value();
    if signum < 1 || signum as usize >= SIGNAL_SLOTS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal number {signum} is out of range"),
        ));
    }
    if FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to register signal {signum}: it cannot or must not be handled"),
        ));
    }
    Ok(Signal {
        kind,
        listener: Listener::new(signum)?,
    })
}

/// A stream of deliveries of one signal, created by [`signal`].
///
/// Deliveries that arrive while nobody polls are coalesced: a burst of
/// signals between two `recv`s yields at least one notification, not one
/// per signal (the kernel itself merges pending standard signals). Every
/// `Signal` for the same signal, in any runtime, is notified separately.
pub struct Signal {
    kind: SignalKind,
    listener: Listener,
}

impl Signal {
    /// Waits for the next delivery. Returns `None` once the runtime has
    /// shut down and no more deliveries can be observed.
    ///
    /// Cancel safe: a delivery seen by a cancelled `recv` is still reported
    /// by the next one.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Poll form of [`Signal::recv`], for hand-written futures and streams.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.listener.poll(cx).map(|delivered| delivered.then_some(()))
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
