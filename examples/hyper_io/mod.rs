//! Glue between hyper 1.x and edgeio, shared by the `hyper_server` example
//! and `tests/hyper.rs` (both include it with `#[path]`; a directory module
//! under `examples/` is not built as an example of its own).
//!
//! hyper 1.x is runtime-agnostic: it does its I/O through its own
//! [`hyper::rt::Read`]/[`hyper::rt::Write`] traits and spawns background
//! work through a [`hyper::rt::Executor`]. edgeio's sockets implement
//! `futures_io::AsyncRead`/`AsyncWrite`, so all that is needed is:
//!
//! - [`Io`], a wrapper translating between the two sets of I/O traits, and
//! - [`EdgeioExecutor`], which hands hyper's futures to `edgeio::spawn`.
//!
//! No [`hyper::rt::Timer`] is provided: HTTP/1 serving and client
//! connections work without one as long as no timeouts
//! (`header_read_timeout` and the like) are configured.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use edgeio::net::AsyncTcpListener;
use futures_util::io::{AsyncRead, AsyncWrite};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::rt::ReadBufCursor;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};

/// The body every request to [`hello`] gets back.
pub const HELLO: &str = "Hello from hyper on edgeio!";

/// Size of the scratch buffer [`Io`] reads into.
const READ_CHUNK: usize = 16 * 1024;

/// Adapts a `futures_io::AsyncRead + AsyncWrite` stream (such as
/// [`edgeio::net::AsyncTcpStream`]) to hyper's [`hyper::rt::Read`] and
/// [`hyper::rt::Write`].
///
/// `T: Unpin` is required so that the inner stream can be re-pinned with
/// [`Pin::new`] without any pin projection (edgeio's sockets are `Unpin`).
///
/// Reading never touches uninitialised memory: hyper hands out a
/// [`ReadBufCursor`] over possibly-uninitialised bytes, which can only be
/// filled safely through [`ReadBufCursor::put_slice`]. `Io` therefore reads
/// into its own zero-initialised scratch buffer (allocated once per
/// connection) and copies what arrived into hyper's buffer. This costs one
/// `memcpy` per read but needs no `unsafe`.
pub struct Io<T> {
    inner: T,
    scratch: Box<[u8]>,
}

impl<T> Io<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Io {
            inner,
            scratch: vec![0; READ_CHUNK].into_boxed_slice(),
        }
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let len = buf.remaining().min(this.scratch.len());
        // A zero-length read would report EOF; hyper never asks with a full
        // buffer, but keep the contract exact anyway.
        if len == 0 {
            return Poll::Ready(Ok(()));
        }
        let n = ready!(Pin::new(&mut this.inner).poll_read(cx, &mut this.scratch[..len]))?;
        // Filling nothing signals EOF to hyper, as `Ok(0)` does for futures-io.
        buf.put_slice(&this.scratch[..n]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for Io<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    /// edgeio's sockets forward vectored writes to `writev`, so let hyper
    /// queue headers and body as separate slices instead of copying them
    /// into one buffer.
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    /// hyper's `shutdown` is futures-io's `close` (for a TCP stream: shut
    /// down the write half).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

/// A [`hyper::rt::Executor`] that runs hyper's background futures as
/// detached edgeio tasks. Not needed by HTTP/1 server connections, but
/// `hyper-util`'s pooled client and HTTP/2 take one.
#[derive(Clone, Copy, Debug, Default)]
pub struct EdgeioExecutor;

impl<F> hyper::rt::Executor<F> for EdgeioExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, fut: F) {
        edgeio::spawn(fut).detach();
    }
}

/// The service: answers every request with [`HELLO`].
pub async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(HELLO.as_bytes()))))
}

/// Accepts connections on `listener` forever, serving each with HTTP/1.1
/// (keep-alive included) on its own edgeio task.
pub async fn serve(listener: AsyncTcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let _ = stream.set_nodelay(true);
                edgeio::spawn(async move {
                    let conn = http1::Builder::new().serve_connection(Io::new(stream), service_fn(hello));
                    if let Err(e) = conn.await {
                        eprintln!("hyper_server: connection error: {e}");
                    }
                })
                .detach();
            }
            // EMFILE and friends: report and keep serving; `accept` itself
            // backs off after such errors.
            Err(e) => {
                eprintln!("hyper_server: accept failed: {e}");
            }
        }
    }
}
