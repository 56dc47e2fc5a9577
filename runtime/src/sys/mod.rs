//! The operating-system layer: thin, safe wrappers over the Linux syscalls
//! the reactor needs. Everything above this module is portable Rust; every
//! raw `libc` call of the runtime lives here, each with its `// SAFETY:` note.

mod epoll;
mod eventfd;
pub(crate) mod signal;

pub(crate) use epoll::{Epoll, Event, Events};
pub(crate) use eventfd::EventFd;

use std::io;

/// Turns a `-1` return value from a libc call into the thread's `errno`.
fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}
