//! A hyper 1.x server on edgeio: HTTP/1.1 (keep-alive) and HTTP/2, with a
//! hyper `service_fn`.
//!
//! ```text
//! cargo run --example hyper_server --features hyper [ADDR]   # default 127.0.0.1:3000, or $EDGEIO_ADDR
//! curl http://127.0.0.1:3000/
//! curl --http2-prior-knowledge http://127.0.0.1:3000/
//! ```
//!
//! hyper does not depend on a runtime; `edgeio::hyper` (feature `hyper`)
//! plugs edgeio's sockets, tasks and timers into it. Ctrl-C stops the
//! server gracefully: requests in flight finish first. `tests/hyper.rs`
//! runs this server.

use std::convert::Infallible;
use std::io;

use bytes::Bytes;
use edgeio::hyper::HyperToTowerService;
use edgeio::net::AsyncTcpListener;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

/// The body every request to [`hello`] gets back.
pub const HELLO: &str = "Hello from hyper on edgeio!";

/// The service: answers every request with [`HELLO`].
pub async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(HELLO.as_bytes()))))
}

/// Serves [`hello`] on `listener` until `shutdown` completes, then lets
/// the requests in flight finish.
pub async fn run(
    listener: AsyncTcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    edgeio::hyper::serve(listener, HyperToTowerService::new(service_fn(hello)))
        .with_graceful_shutdown(shutdown)
        .await
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("EDGEIO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("hyper_server: listening on http://{}", listener.local_addr()?);
    run(listener, async {
        if let Err(e) = edgeio::signal::ctrl_c().await {
            eprintln!("hyper_server: cannot wait for Ctrl-C ({e}); serving until killed");
            std::future::pending::<()>().await;
        }
        eprintln!("hyper_server: shutting down");
    })
    .await
}
