//! The signal handler and the self-pipe that carries signals into the
//! reactor.
//!
//! A signal handler may only call async-signal-safe functions, so ours
//! bumps the signal's delivery counter, writes one byte to a non-blocking
//! pipe, and calls the handler that was installed before ours (if any).
//! The pipe's read end is watched by epoll like any socket. It is one pipe
//! for every signal, created once per process and never closed, so the
//! handler can never write into an fd that was closed and reused.
//!
//! Why a handler and not `signalfd`: a signalfd only hears signals that are
//! blocked in *every* thread of the process, including threads the runtime
//! did not create (the main thread before the runtime started, a test
//! harness's threads, a C library's). A thread that leaves the signal
//! unblocked receives it with its default action, and SIGTERM's default
//! kills the process. A handler works whatever the threads' masks are.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use super::cvt::cvt;

/// One more than the largest signal number Linux has (`SIGRTMAX` is 64).
pub(crate) const SIGNAL_SLOTS: usize = 65;

/// What the process knows about one signal number.
struct Slot {
    /// Deliveries since our handler was installed.
    received: AtomicU64,
    /// Whether our handler is installed (it never is uninstalled).
    installed: AtomicBool,
    /// The handler that was there before ours, to be chained; null when it
    /// was `SIG_DFL` or `SIG_IGN`. Leaked on purpose: the handler may read
    /// it at any moment for the rest of the process's life.
    previous: AtomicPtr<libc::sigaction>,
}

#[allow(clippy::declare_interior_mutable_const)] // only used to fill `SLOTS`
const EMPTY_SLOT: Slot = Slot {
    received: AtomicU64::new(0),
    installed: AtomicBool::new(false),
    previous: AtomicPtr::new(ptr::null_mut()),
};

static SLOTS: [Slot; SIGNAL_SLOTS] = [EMPTY_SLOT; SIGNAL_SLOTS];

/// Write end of the pipe, read by the handler.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// Serialises installation, so two threads registering one signal at once
/// do not both take the other's handler for "the previous one".
static INSTALL: Mutex<()> = Mutex::new(());

struct SignalPipe {
    read: OwnedFd,
    // Kept open for the life of the process: the handler writes to it.
    _write: OwnedFd,
}

static PIPE: OnceLock<Result<SignalPipe, i32>> = OnceLock::new();

extern "C" fn on_signal(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // Preserve errno for the interrupted code, as handlers must.
    // SAFETY: __errno_location returns this thread's errno slot.
    let errno = unsafe { *libc::__errno_location() };
    let Some(slot) = usize::try_from(signal).ok().and_then(|s| SLOTS.get(s)) else {
        return;
    };
    // Counted before the byte is written: whoever drains the byte then
    // finds the count already raised. Atomics are lock-free, so safe here.
    slot.received.fetch_add(1, Ordering::SeqCst);
    let fd = WRITE_FD.load(Ordering::SeqCst);
    let byte = 1u8;
    // SAFETY: write(2) is async-signal-safe; `fd` is the never-closed pipe
    // and `byte` outlives the call. A full pipe (EAGAIN) already holds a
    // pending wake-up, so the result is ignored.
    let _ = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    // SAFETY: __errno_location returns this thread's errno slot, valid
    // for the thread's whole life; writing it is async-signal-safe.
    unsafe { *libc::__errno_location() = errno };

    let previous = slot.previous.load(Ordering::SeqCst);
    if !previous.is_null() {
        // SAFETY: a non-null `previous` is a box leaked by `install`, freed
        // only when installing this handler failed, and then this handler
        // never runs for `signal`; a replaced box is leaked, not freed.
        let action = unsafe { &*previous };
        if action.sa_flags & libc::SA_SIGINFO != 0 {
            // SAFETY: `install` stores only handlers that are neither
            // SIG_DFL nor SIG_IGN, so this is a function address; with
            // SA_SIGINFO it is a three-argument handler (sigaction(2)),
            // called with the kernel's own arguments as it would have been
            // without us.
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(action.sa_sigaction) };
            handler(signal, info, context);
        } else {
            // SAFETY: without SA_SIGINFO, `sa_sigaction` is the address of
            // a one-argument handler (neither SIG_DFL nor SIG_IGN: `install`
            // checked before storing it).
            let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(action.sa_sigaction) };
            handler(signal);
        }
    }
}

fn create_pipe() -> Result<SignalPipe, i32> {
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
    Ok(pipe)
}

fn errno(e: io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// The pipe's read end, created on first use.
pub(crate) fn pipe() -> io::Result<BorrowedFd<'static>> {
    match PIPE.get_or_init(create_pipe) {
        Ok(pipe) => Ok(pipe.read.as_fd()),
        Err(code) => Err(io::Error::from_raw_os_error(*code)),
    }
}

/// Installs our handler for `signal` (once per process), keeping the one
/// installed before it to be called from ours. The caller has checked that
/// `signal` is in `1..SIGNAL_SLOTS` and may be handled at all.
pub(crate) fn install(signal: libc::c_int) -> io::Result<()> {
    let slot = usize::try_from(signal)
        .ok()
        .and_then(|s| SLOTS.get(s))
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    if slot.installed.load(Ordering::Acquire) {
        return Ok(());
    }
    // The pipe first: the handler must have somewhere to write.
    pipe()?;
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if slot.installed.load(Ordering::Acquire) {
        return Ok(());
    }

    // SAFETY: an all-zero sigaction is a valid value that sigaction(2)
    // overwrites.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries the current one into `old`.
    cvt(unsafe { libc::sigaction(signal, ptr::null(), &mut old) })?;
    if old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN {
        slot.previous
            .store(Box::into_raw(Box::new(old)), Ordering::SeqCst);
    }

    // SAFETY: an all-zero sigaction is a valid "no flags, empty mask" value
    // that we then fill in.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
        as libc::sighandler_t;
    // SA_RESTART: system calls interrupted by the signal are restarted, so
    // the rest of the program never sees EINTR because of us. SA_ONSTACK:
    // run on the thread's alternate stack if it has one (a chained handler
    // may rely on it).
    action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART | libc::SA_ONSTACK;
    // Every signal is blocked while the handler runs, so deliveries of
    // different signals run one after the other instead of nesting. Nested,
    // each one pushes a signal frame (kilobytes with the CPU's extended
    // state) on the same alternate stack, which `std` makes only a few
    // pages large: a burst of a few dozen real-time signals overflowed it
    // into its guard page (SIGSEGV), as tokio's signal_realtime.rs showed.
    // The handler is a few instructions long, so nothing waits for long.
    // SAFETY: `sa_mask` is a live sigset_t that sigfillset initialises.
    cvt(unsafe { libc::sigfillset(&mut action.sa_mask) })?;
    // SAFETY: an all-zero sigaction is a valid value that sigaction(2)
    // overwrites.
    let mut replaced: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: `action` and `replaced` are live, initialised sigactions;
    // `on_signal` has the SA_SIGINFO signature and only uses
    // async-signal-safe operations.
    if let Err(e) = cvt(unsafe { libc::sigaction(signal, &action, &mut replaced) }) {
        let previous = slot.previous.swap(ptr::null_mut(), Ordering::SeqCst);
        if !previous.is_null() {
            // SAFETY: our handler is not installed, so nothing else can
            // read the box `install` leaked just above.
            drop(unsafe { Box::from_raw(previous) });
        }
        return Err(e);
    }
    if replaced.sa_sigaction != old.sa_sigaction || replaced.sa_flags != old.sa_flags {
        // Other code changed the handler between our query and our
        // install: chain the one we actually replaced. A delivery in that
        // instant may have called the earlier one instead, never none.
        let chained = if replaced.sa_sigaction != libc::SIG_DFL && replaced.sa_sigaction != libc::SIG_IGN {
            Box::into_raw(Box::new(replaced))
        } else {
            ptr::null_mut()
        };
        // The superseded box is leaked: the handler may be reading it.
        slot.previous.store(chained, Ordering::SeqCst);
    }
    slot.installed.store(true, Ordering::Release);
    Ok(())
}

/// Deliveries of `signal` since its handler was installed; 0 for a number
/// out of range.
pub(crate) fn received(signal: usize) -> u64 {
    SLOTS
        .get(signal)
        .map_or(0, |slot| slot.received.load(Ordering::SeqCst))
}

/// Empties the pipe through `fd` (a duplicate of its read end), whose
/// contents only ever mean "look at the counters"; returns whether there
/// was anything to read.
pub(crate) fn drain(fd: BorrowedFd<'_>) -> bool {
    let mut buf = [0u8; 64];
    let mut drained = false;
    // SAFETY: reads into a live buffer of the length given; stops at EAGAIN.
    while unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) } > 0 {
        drained = true;
    }
    drained
}
