//! The hyper servers (issue 21): the same hyper `service_fn` answering
//! "Hello, World!" on both runtimes, served with hyper-util's
//! auto-detecting `auto::Builder` (HTTP/1 and HTTP/2 by the first bytes).
//!
//! edgeio serves with its own facade, `edgeio::hyper::serve` (feature
//! `hyper`), what a user of edgeio writes; tokio with the accept loop that
//! facade replaces, written as a tokio user writes it (and as `axum::serve`
//! does): `TokioIo`, `TokioExecutor`, and `TokioTimer`, because edgeio's
//! `serve` gives hyper its timer too (which turns on hyper's limit for
//! reading a request's headers). Both serve each connection with
//! `serve_connection_with_upgrades`, Nagle off, on its own task.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;

/// The body of every response.
pub const HELLO: &str = "Hello, World!";

/// The service of both servers.
async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(HELLO.as_bytes()))))
}

/// Serves hyper on `listener` (edgeio): the facade of the `hyper` feature.
pub async fn serve_edgeio(listener: edgeio::net::AsyncTcpListener) -> io::Result<()> {
    edgeio::hyper::serve(
        listener,
        edgeio::hyper::HyperToTowerService::new(service_fn(hello)),
    )
    .await
}

/// Pause after a failed `accept` (EMFILE and the like) instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// Serves hyper on `listener` (tokio): what `edgeio::hyper::serve` does,
/// with hyper-util's tokio adapters.
pub async fn serve_tokio(listener: tokio::net::TcpListener) -> io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        drop(tokio::spawn(async move {
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service_fn(hello));
            // An error ends only this connection (the peer went away).
            let _ = conn.await;
        }));
    }
}
