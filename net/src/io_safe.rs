//! [`IoSafe`]: I/O objects that keep their file descriptor for life.

use std::fs::File;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::{BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::process::{ChildStderr, ChildStdin, ChildStdout};
use std::rc::Rc;
use std::sync::Arc;

/// An I/O object whose methods, including those taking `&mut self`, never
/// close its file descriptor or swap it for another.
///
/// [`Async<T>`](crate::Async) registers `T`'s fd once and removes that fd
/// number from epoll when it drops. If one of `T`'s methods closed the fd
/// while it was registered, the number could be reused by another file,
/// which the removal would then take out of epoll: a breach of Rust's I/O
/// safety, and a socket elsewhere that never hears of its events. So
/// `Async<T>` only implements `AsyncRead`/`AsyncWrite`, which call `T`'s
/// `Read`/`Write` methods through `&mut T`, for `T: IoSafe`.
///
/// # Safety
///
/// No method of the type, safe or not, may close the fd its `AsFd`
/// implementation returns or make `as_fd` return a different one. (Moving
/// a new value in through `&mut T` is a different matter: `Async` only
/// hands out `&mut T` from `unsafe` methods.)
pub unsafe trait IoSafe {}

// SAFETY: these std types hold one fd from creation to drop.
unsafe impl IoSafe for File {}
// SAFETY: as above.
unsafe impl IoSafe for OwnedFd {}
// SAFETY: a borrowed fd stays open for the borrow, and cannot be closed.
unsafe impl IoSafe for BorrowedFd<'_> {}
// SAFETY: as for `File`.
unsafe impl IoSafe for TcpStream {}
// SAFETY: as for `File`.
unsafe impl IoSafe for TcpListener {}
// SAFETY: as for `File`.
unsafe impl IoSafe for UdpSocket {}
// SAFETY: as for `File`.
unsafe impl IoSafe for UnixStream {}
// SAFETY: as for `File`.
unsafe impl IoSafe for UnixListener {}
// SAFETY: as for `File`.
unsafe impl IoSafe for UnixDatagram {}
// SAFETY: as for `File`.
unsafe impl IoSafe for ChildStdin {}
// SAFETY: as for `File`.
unsafe impl IoSafe for ChildStdout {}
// SAFETY: as for `File`.
unsafe impl IoSafe for ChildStderr {}
// SAFETY: a shared reference only reaches `T`'s methods that `T: IoSafe`
// already vouches for.
unsafe impl<T: IoSafe + ?Sized> IoSafe for &T {}
// SAFETY: as for `&T`; the box itself never touches the fd.
unsafe impl<T: IoSafe + ?Sized> IoSafe for Box<T> {}
// SAFETY: as for `&T`.
unsafe impl<T: IoSafe + ?Sized> IoSafe for Arc<T> {}
// SAFETY: as for `&T`.
unsafe impl<T: IoSafe + ?Sized> IoSafe for Rc<T> {}
