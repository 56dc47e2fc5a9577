//! Boilerplate shared by the socket types.
//!
//! Every socket type is a struct with one field, `inner: Async<std type>`.
//! The logic lives in [`Async`](crate::Async); these macros only forward to
//! it, so that TCP and Unix streams (and their `&` forms) do not each carry a
//! copy of the same trait impls.

/// What `poll_close` reports for `shutdown(Write)`: a peer that already
/// reset the connection leaves nothing to close, which is not a failure of
/// closing.
pub(crate) fn close_result(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
        other => other,
    }
}

/// `AsRawFd` and `AsFd`, forwarded to `inner`.
macro_rules! impl_fd_traits {
    ($ty:ty) => {
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.inner.as_raw_fd()
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }
    };
}

/// `from_std`/`into_std`, and the crate-internal `from_nonblocking` for
/// sockets created or accepted with `SOCK_NONBLOCK` (no `fcntl` needed).
macro_rules! impl_std_conversions {
    ($ty:ty, $std:ty) => {
        impl $ty {
            #[doc = concat!("Wraps a `", stringify!($std), "`, switching it to non-blocking mode.")]
            ///
            /// # Errors
            ///
            /// Outside a runtime, or if the socket cannot be registered.
            pub fn from_std(io: $std) -> std::io::Result<Self> {
                Ok(Self {
                    inner: crate::Async::new(io)?,
                })
            }

            #[doc = concat!("Deregisters the socket and returns it as a `", stringify!($std), "`,")]
            /// still in non-blocking mode (`set_nonblocking(false)` changes that).
            ///
            /// # Errors
            ///
            /// None today: the fd only leaves the reactor. The `io::Result`
            /// is tokio's signature, so code ported from it compiles unchanged.
            pub fn into_std(self) -> std::io::Result<$std> {
                self.inner.into_inner()
            }

            pub(crate) fn from_nonblocking(io: impl Into<$std>) -> std::io::Result<Self> {
                Ok(Self {
                    inner: crate::Async::new_nonblocking(io.into())?,
                })
            }
        }

        /// tokio's spelling of [`from_std`](Self::from_std), for
        /// `std_socket.try_into()`.
        impl TryFrom<$std> for $ty {
            type Error = std::io::Error;

            fn try_from(io: $std) -> std::io::Result<Self> {
                Self::from_std(io)
            }
        }
    };
}

/// Inherent `readable`/`writable` and their `poll_` forms.
macro_rules! impl_readiness {
    ($ty:ty) => {
        impl $ty {
            /// Waits until the socket may be readable (data, a pending
            /// connection, end of stream or an error), without reading.
            ///
            /// This is a hint: readiness is only consumed by an operation
            /// that reports `WouldBlock` (such as `try_read`), so a task that
            /// calls this in a loop must also read, or it will spin.
            pub async fn readable(&self) -> std::io::Result<()> {
                self.inner.readable().await
            }

            /// Waits until the socket may be writable, without writing.
            /// Same caveat as [`readable`](Self::readable).
            pub async fn writable(&self) -> std::io::Result<()> {
                self.inner.writable().await
            }

            /// Waits until the socket may make progress in a direction of
            /// `interest` (`Interest::READABLE | Interest::WRITABLE` for
            /// either) and returns what the reactor saw, as tokio's `ready`:
            /// [`Ready::is_read_closed`](crate::Ready::is_read_closed) once
            /// the peer shut down its side, `is_error` for a pending error.
            ///
            /// A hint, like [`readable`](Self::readable): follow it with the
            /// `try_` methods until one reports `WouldBlock`, which clears
            /// the readiness; otherwise the next `ready` returns at once.
            pub async fn ready(&self, interest: crate::Interest) -> std::io::Result<crate::Ready> {
                self.inner.ready(interest).await
            }

            /// Runs `f`, an operation on the socket's fd (through
            /// `AsRawFd`, for instance a `libc` call), once without waiting,
            /// as tokio's `try_io`: `WouldBlock` if no direction of
            /// `interest` is known to be ready, or if `f` reports it, which
            /// then clears those directions' readiness.
            ///
            /// `f` must report an fd that cannot proceed with `WouldBlock`,
            /// and return `WouldBlock` for no other reason.
            pub fn try_io<R>(
                &self,
                interest: crate::Interest,
                f: impl FnOnce() -> std::io::Result<R>,
            ) -> std::io::Result<R> {
                self.inner.try_io(interest, |_| f())
            }

            /// Waits for `interest` and runs `f` until it does not report
            /// `WouldBlock` (tokio's `async_io`); same contract on `f` as
            /// [`try_io`](Self::try_io).
            pub async fn async_io<R>(
                &self,
                interest: crate::Interest,
                mut f: impl FnMut() -> std::io::Result<R>,
            ) -> std::io::Result<R> {
                self.inner.async_io(interest, |_| f()).await
            }

            /// Poll form of [`readable`](Self::readable).
            pub fn poll_read_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.inner.poll_readable(cx)
            }

            /// Poll form of [`writable`](Self::writable).
            pub fn poll_write_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.inner.poll_writable(cx)
            }
        }
    };
}

/// `AsyncRead`/`AsyncWrite` for a stream socket and for `&` it, plus
/// `split`. Reads and writes go through `&Async<T>`'s impls, or with
/// `tcp` through its TCP forms, which trust a short read or write to mean
/// the kernel buffer is empty or full. Flushing is a no-op (sockets have
/// no user-space buffer) and closing shuts down the writing half, so the
/// peer reads end-of-stream.
macro_rules! impl_stream_io {
    ($ty:ty) => {
        impl_stream_io!($ty, tcp = false);
    };
    ($ty:ty, tcp = $tcp:literal) => {
        impl_stream_io!(@traits $ty, $tcp);
        impl_stream_io!(@traits &$ty, $tcp);
        impl_stream_io!(@halves $ty);

        impl $ty {
            /// Splits the stream into a reading and a writing half that can
            /// move to different tasks (one reader and one writer at a
            /// time); [`ReadHalf::reunite`](crate::ReadHalf::reunite) puts
            /// them back together.
            ///
            /// Both halves share the socket, which closes when both are
            /// dropped. Dropping the write half does *not* shut down the
            /// writing direction; close it
            /// (`futures_util::io::AsyncWriteExt::close`) for that, or use
            /// [`into_split`](Self::into_split).
            ///
            /// tokio's `split` borrows the stream (`&mut self`) instead.
            /// This one takes it by value because the I/O traits here are
            /// futures-io's: `futures_util::io::AsyncReadExt` (which
            /// `edgeio::io` re-exports) has a by-value `split` of its own,
            /// which method resolution would pick over a borrowing inherent
            /// one, so a ported `stream.split()` would silently get
            /// futures' lock-based halves. By value, the inherent method
            /// wins, and its halves are `'static` and can be reunited. For
            /// tokio's borrowed halves, use `&stream` for both: `&Self`
            /// implements `AsyncRead` and `AsyncWrite`, and the stream
            /// stays usable.
            pub fn split(self) -> (crate::ReadHalf<$ty>, crate::WriteHalf<$ty>) {
                crate::split::split(self, None)
            }

            /// Splits the stream into owned halves, as tokio's
            /// `into_split`: like [`split`](Self::split), except that
            /// dropping the write half shuts down the writing direction
            /// (the peer reads end of stream), unless
            /// [`WriteHalf::forget`](crate::WriteHalf::forget) was called
            /// or the halves were reunited.
            pub fn into_split(self) -> (crate::ReadHalf<$ty>, crate::WriteHalf<$ty>) {
                crate::split::split(self, Some(|stream: &$ty| {
                    // The peer may be gone already; there is nothing to
                    // report a failure to in `drop`.
                    let _ = stream.inner.get_ref().shutdown(std::net::Shutdown::Write);
                }))
            }

            /// Reads without waiting: `WouldBlock` if nothing can be read
            /// right now. Pairs with [`readable`](Self::readable) for
            /// callers that manage their own buffers.
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.inner.try_read_with(|mut io| std::io::Read::read(&mut io, buf))
            }

            /// Writes without waiting: `WouldBlock` if the send buffer is
            /// full. Pairs with [`writable`](Self::writable).
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                self.inner.try_write_with(|mut io| std::io::Write::write(&mut io, buf))
            }

            /// Reads into several buffers, filled in order, without
            /// waiting; see [`try_read`](Self::try_read).
            pub fn try_read_vectored(
                &self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::io::Result<usize> {
                self.inner
                    .try_read_with(|mut io| std::io::Read::read_vectored(&mut io, bufs))
            }

            /// Writes from several buffers, in order, without waiting; see
            /// [`try_write`](Self::try_write).
            pub fn try_write_vectored(
                &self,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::io::Result<usize> {
                self.inner
                    .try_write_with(|mut io| std::io::Write::write_vectored(&mut io, bufs))
            }

            /// Reads into `buf`'s spare capacity without waiting, advancing
            /// it by the bytes read; see [`try_read`](Self::try_read).
            /// `Ok(0)` at end of stream (or if `buf` has no room left:
            /// a `Vec` or `BytesMut` grows, a full `&mut [u8]` does not).
            pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
                self.inner.try_read_with(|io| {
                    crate::read_buf::read_buf(buf, |dst| socket2::SockRef::from(io).recv(dst))
                })
            }
        }
    };
    (@halves $ty:ty) => {
        impl crate::ReadHalf<$ty> {
            /// Waits until the stream may be readable; see the stream's
            /// `readable`.
            pub async fn readable(&self) -> std::io::Result<()> {
                self.as_ref().readable().await
            }

            /// Waits for readiness in a direction of `interest`; see the
            /// stream's `ready`.
            pub async fn ready(&self, interest: crate::Interest) -> std::io::Result<crate::Ready> {
                self.as_ref().ready(interest).await
            }

            /// Reads without waiting; see the stream's `try_read`.
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.as_ref().try_read(buf)
            }

            /// Reads into several buffers without waiting; see the
            /// stream's `try_read_vectored`.
            pub fn try_read_vectored(&self, bufs: &mut [std::io::IoSliceMut<'_>]) -> std::io::Result<usize> {
                self.as_ref().try_read_vectored(bufs)
            }

            /// Reads into `buf`'s spare capacity without waiting; see the
            /// stream's `try_read_buf`.
            pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
                self.as_ref().try_read_buf(buf)
            }
        }

        impl crate::WriteHalf<$ty> {
            /// Waits until the stream may be writable; see the stream's
            /// `writable`.
            pub async fn writable(&self) -> std::io::Result<()> {
                self.as_ref().writable().await
            }

            /// Waits for readiness in a direction of `interest`; see the
            /// stream's `ready`.
            pub async fn ready(&self, interest: crate::Interest) -> std::io::Result<crate::Ready> {
                self.as_ref().ready(interest).await
            }

            /// Writes without waiting; see the stream's `try_write`.
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                self.as_ref().try_write(buf)
            }

            /// Writes from several buffers without waiting; see the
            /// stream's `try_write_vectored`.
            pub fn try_write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
                self.as_ref().try_write_vectored(bufs)
            }
        }
    };
    (@traits $target:ty, $tcp:literal) => {
        impl futures_io::AsyncRead for $target {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                if $tcp {
                    self.inner.poll_read_tcp(cx, buf)
                } else {
                    std::pin::Pin::new(&mut &self.inner).poll_read(cx, buf)
                }
            }

            fn poll_read_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut &self.inner).poll_read_vectored(cx, bufs)
            }
        }

        impl futures_io::AsyncWrite for $target {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                if $tcp {
                    self.inner.poll_write_tcp(cx, buf)
                } else {
                    std::pin::Pin::new(&mut &self.inner).poll_write(cx, buf)
                }
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut &self.inner).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(crate::macros::close_result(
                    self.inner.get_ref().shutdown(std::net::Shutdown::Write),
                ))
            }
        }
    };
}
