//! A child's piped stdin, stdout and stderr, as non-blocking pipes in the
//! epoll set.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

use edgeio_net::Async;
use futures_io::{AsyncRead, AsyncWrite};

/// Clears `O_NONBLOCK`, so a pipe end handed to another child as its stdio
/// behaves as programs expect (the flag belongs to the open file
/// description, which the child shares).
fn set_blocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFL takes no pointer argument, and `fd` is open.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above; F_SETFL takes an integer argument.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

macro_rules! child_pipe {
    ($(#[$doc:meta])* $name:ident, $std:ty) => {
        $(#[$doc])*
        ///
        /// The parent's end of the pipe is non-blocking and registered with
        /// the reactor of the runtime that spawned the child; the child's
        /// end is a separate open file description and stays blocking.
        pub struct $name {
            inner: Async<$std>,
        }

        impl $name {
            /// Wraps a pipe end of a child spawned by `std::process`,
            /// making it non-blocking and registering it with the current
            /// runtime.
            pub fn from_std(inner: $std) -> io::Result<$name> {
                Ok($name { inner: Async::new(inner)? })
            }

            /// Takes the pipe end out of the reactor, back into blocking
            /// mode, as an owned fd.
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                let inner = self.inner.into_inner()?;
                set_blocking(inner.as_fd())?;
                Ok(OwnedFd::from(inner))
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.inner.as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.inner.as_raw_fd())
                    .finish()
            }
        }

        /// Hands the pipe end to another child (tokio's `TryInto<Stdio>`),
        /// e.g. one child's stdout as the next one's stdin. Fails only if
        /// the fd cannot be put back into blocking mode.
        impl TryFrom<$name> for Stdio {
            type Error = io::Error;

            fn try_from(pipe: $name) -> io::Result<Stdio> {
                Ok(Stdio::from(pipe.into_owned_fd()?))
            }
        }
    };
}

child_pipe!(
    /// The writing end of a child's stdin, when it was [`Stdio::piped`].
    /// Dropping it closes the pipe, which the child reads as end of input.
    ChildStdin,
    std::process::ChildStdin
);
child_pipe!(
    /// The reading end of a child's stdout, when it was [`Stdio::piped`].
    ChildStdout,
    std::process::ChildStdout
);
child_pipe!(
    /// The reading end of a child's stderr, when it was [`Stdio::piped`].
    ChildStderr,
    std::process::ChildStderr
);

impl AsyncWrite for ChildStdin {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    /// Flushes (a pipe has nothing buffered). The pipe itself closes, and
    /// the child sees end of input, when the `ChildStdin` is dropped, as
    /// with tokio.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

macro_rules! async_read {
    ($name:ident) => {
        impl AsyncRead for $name {
            fn poll_read(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.inner).poll_read(cx, buf)
            }

            fn poll_read_vectored(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.inner).poll_read_vectored(cx, bufs)
            }
        }
    };
}

async_read!(ChildStdout);
async_read!(ChildStderr);
