//! Turning libc's `-1` returns into `io::Error`s.

use std::io;

/// Turns a `-1` return value from a libc call into the thread's `errno`.
pub(super) fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}
