//! tokio's `tests/support/signal.rs`: sends a signal to this process, for
//! the ported `tokio_signal_*.rs` suites (each its own test binary, so a
//! process-wide signal reaches no other test).

pub fn send_signal(signal: libc::c_int) {
    use libc::{getpid, kill};

    // SAFETY: `getpid` and `kill` have no memory-safety preconditions.
    unsafe {
        let pid = getpid();
        assert_eq!(
            kill(pid, signal),
            0,
            "kill(pid = {}, {}) failed with error: {}",
            pid,
            signal,
            std::io::Error::last_os_error(),
        );
    }
}
