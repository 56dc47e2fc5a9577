//! [`serve`]: an accept loop serving HTTP/1 and HTTP/2 with any tower
//! service, with graceful shutdown.

use std::error::Error as StdError;
use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use http_body::Body;
use hyper::body::Incoming;
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_service::Service;

use super::{Executor, Io, Listener, Timer};

type BoxError = Box<dyn StdError + Send + Sync>;
type BoxFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

/// How long `serve` waits after an accept error it does not recognise
/// (neither a failed connection nor resource exhaustion, which the
/// listener backs off from itself), so that a persistent one cannot spin:
/// axum's choice.
const UNKNOWN_ERROR_DELAY: Duration = Duration::from_secs(1);

/// Serves HTTP/1 and HTTP/2 (told apart by the first bytes of each
/// connection) on every connection `listener` accepts, each on its own
/// task, with `service`: an `axum::Router`, a tonic service, or any
/// [`tower_service::Service`] taking a `Request<Incoming>` (for a hyper
/// service such as hyper's `service_fn`, wrap it in
/// [`HyperToTowerService`](super::HyperToTowerService)). The service is
/// cloned for each connection. HTTP upgrades (WebSocket) work.
///
/// The edgeio counterpart of `axum::serve` (which needs tokio's reactor).
/// The returned [`Serve`] is a future that runs until an I/O error ends
/// it, which never happens: accept errors are retried (a failed
/// connection at once, running out of descriptors after the listener's
/// backoff), and connection errors end only their connection. Use
/// [`Serve::with_graceful_shutdown`] to stop it.
///
/// Connections get hyper's defaults, plus edgeio's [`Timer`], which turns
/// on hyper's 30 s limit for reading a request's headers. For other
/// settings, write the accept loop with hyper-util's `auto::Builder`,
/// [`Io`] and [`Executor`] (see the `https` example).
///
/// ```no_run
/// use std::convert::Infallible;
/// use bytes::Bytes;
/// use edgeio::hyper::HyperToTowerService;
/// use http_body_util::Full;
/// use hyper::service::service_fn;
///
/// # async fn demo() -> std::io::Result<()> {
/// let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:3000")?;
/// let hello = service_fn(|_req: hyper::Request<hyper::body::Incoming>| async {
///     Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from("hello"))))
/// });
/// edgeio::hyper::serve(listener, HyperToTowerService::new(hello))
///     .with_graceful_shutdown(async { edgeio::signal::ctrl_c().await.unwrap() })
///     .await
/// # }
/// ```
pub fn serve<L, S, B>(listener: L, service: S) -> Serve<L, S>
where
    L: Listener,
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Serve {
        server: Lazy::new((listener, service)),
    }
}

/// The future [`serve`] returns.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Serve<L, S> {
    server: Lazy<(L, S)>,
}

impl<L, S> Serve<L, S> {
    /// Stops the server once `signal` completes: it stops accepting (the
    /// listener is closed, so new connections are refused), asks every
    /// connection to finish (an idle HTTP/1 connection closes at once, a
    /// busy one after its response; HTTP/2 sends `GOAWAY` and lets its
    /// open streams finish), and completes, with `Ok(())`, when the last
    /// one has closed. That wait has no limit of its own; wrap the future
    /// in [`crate::time::timeout`] to give one. Dropping the future (when
    /// such a timeout expires, say) closes the listener and asks the
    /// connections to finish the same way, without waiting for them.
    ///
    /// # Panics
    ///
    /// If this `Serve` was already polled.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> WithGracefulShutdown<L, S, F>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (listener, service) = self.server.into_parts();
        WithGracefulShutdown {
            server: Lazy::new((listener, service, signal)),
        }
    }
}

impl<L, S, B> Future for Serve<L, S>
where
    L: Listener,
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().server.poll(cx, |(listener, service)| {
            Box::pin(run(listener, service, std::future::pending::<()>(), false))
        })
    }
}

/// The future [`Serve::with_graceful_shutdown`] returns.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WithGracefulShutdown<L, S, F> {
    server: Lazy<(L, S, F)>,
}

impl<L, S, B, F> Future for WithGracefulShutdown<L, S, F>
where
    L: Listener,
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    F: Future<Output = ()> + Send + 'static,
{
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().server.poll(cx, |(listener, service, signal)| {
            Box::pin(run(listener, service, signal, true))
        })
    }
}

impl<L, S> fmt::Debug for Serve<L, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve").finish_non_exhaustive()
    }
}

impl<L, S, F> fmt::Debug for WithGracefulShutdown<L, S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithGracefulShutdown").finish_non_exhaustive()
    }
}

/// A server's parts until its first poll, then the running server (one
/// allocation per server, which keeps `Serve` a plain future with a
/// nameable type).
struct Lazy<P> {
    parts: Option<P>,
    running: Option<BoxFuture>,
}

// The parts are never pinned: they move into the boxed future.
impl<P> Unpin for Lazy<P> {}

impl<P> Lazy<P> {
    fn new(parts: P) -> Lazy<P> {
        Lazy {
            parts: Some(parts),
            running: None,
        }
    }

    fn into_parts(self) -> P {
        self.parts
            .expect("a server cannot be configured after it was polled")
    }

    fn poll(&mut self, cx: &mut Context<'_>, start: impl FnOnce(P) -> BoxFuture) -> Poll<io::Result<()>> {
        if let Some(parts) = self.parts.take() {
            self.running = Some(start(parts));
        }
        let running = self.running.as_mut().expect("server polled after it completed");
        let result = std::task::ready!(running.as_mut().poll(cx));
        self.running = None;
        Poll::Ready(result)
    }
}

/// The accept loop.
async fn run<L, S, B, F>(mut listener: L, service: S, signal: F, graceful: bool) -> io::Result<()>
where
    L: Listener,
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    F: Future<Output = ()> + Send,
{
    let mut builder = auto::Builder::new(Executor);
    builder.http1().timer(Timer);
    builder.http2().timer(Timer);
    let builder = Arc::new(builder);
    let shutdown = graceful.then(GracefulShutdown::new);
    let mut signal = pin!(signal);

    loop {
        let Some(accepted) = unless_signalled(signal.as_mut(), listener.accept()).await else {
            break;
        };
        let io = match accepted {
            Ok((io, _peer)) => io,
            Err(e) if is_connection_error(&e) || is_resource_error(&e) => continue,
            Err(_) => {
                let delay = crate::time::sleep(UNKNOWN_ERROR_DELAY);
                if unless_signalled(signal.as_mut(), delay).await.is_none() {
                    break;
                }
                continue;
            }
        };
        let builder = builder.clone();
        let service = TowerToHyperService::new(service.clone());
        let watcher = shutdown.as_ref().map(GracefulShutdown::watcher);
        crate::spawn(async move {
            let conn = builder.serve_connection_with_upgrades(Io::new(io), service);
            // An error here is the peer's (a reset, a malformed request,
            // a timeout) and ends only this connection.
            let _ = match watcher {
                Some(watcher) => watcher.watch(conn).await,
                None => conn.await,
            };
        })
        .detach();
    }

    // New connections are refused from here on.
    drop(listener);
    if let Some(shutdown) = shutdown {
        shutdown.shutdown().await;
    }
    Ok(())
}

/// Runs `future` unless `signal` completes first (`None` then). The signal
/// is polled first, so a server told to stop accepts nothing more.
async fn unless_signalled<T>(
    mut signal: Pin<&mut impl Future<Output = ()>>,
    future: impl Future<Output = T>,
) -> Option<T> {
    let mut future = pin!(future);
    poll_fn(|cx| {
        if signal.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        future.as_mut().poll(cx).map(Some)
    })
    .await
}

/// An error of one incoming connection (it failed before it was
/// accepted), not of the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error() == Some(libc::EPROTO)
}

/// Out of descriptors or memory: edgeio's listeners wait before the next
/// accept themselves.
fn is_resource_error(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}
