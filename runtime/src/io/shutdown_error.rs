//! The error I/O gets once its runtime has shut down, and
//! [`is_rt_shutdown_err`] to tell it from the others.

use std::error::Error;
use std::fmt;
use std::io;

/// What an `io::Error` from a shut-down reactor wraps: a type of its own,
/// so that [`is_rt_shutdown_err`] recognises it by type, not by message.
#[derive(Debug)]
struct RuntimeShutdown;

impl fmt::Display for RuntimeShutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the edgeio runtime has shut down")
    }
}

impl Error for RuntimeShutdown {}

/// The error of a registration, a wait for readiness or a timer on a
/// runtime that has shut down.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other(RuntimeShutdown)
}

/// Whether `err` is the one edgeio's I/O returns because its runtime has
/// shut down (tokio's `runtime::is_rt_shutdown_err`): e.g. `accept` on a
/// listener whose runtime was dropped. Any other error, including one
/// with the same message, is not.
///
/// ```
/// use edgeio_runtime::{is_rt_shutdown_err, AsyncFd, Runtime};
///
/// let first = Runtime::new()?;
/// let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_nonblocking(true)?;
/// let fd = first.block_on(async { AsyncFd::new(socket) })?;
/// drop(first);
/// let second = Runtime::new()?;
/// let err = second.block_on(fd.readable()).unwrap_err();
/// assert!(is_rt_shutdown_err(&err));
/// assert!(!is_rt_shutdown_err(&std::io::Error::other("the edgeio runtime has shut down")));
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use]
pub fn is_rt_shutdown_err(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Other && err.get_ref().is_some_and(|inner| inner.is::<RuntimeShutdown>())
}
