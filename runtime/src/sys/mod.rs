//! The operating-system layer: thin, safe wrappers over the Linux syscalls
//! the reactor needs. Everything above this module is portable Rust; every
//! raw `libc` call of the runtime lives here, each with its `// SAFETY:` note.

mod cvt;
mod epoll;
mod eventfd;
pub(crate) mod signal;

pub(crate) use epoll::{Epoll, Event, Events};
pub(crate) use eventfd::EventFd;
