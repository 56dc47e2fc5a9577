//! A hyper 1.x HTTP/1.1 server running on edgeio.
//!
//! ```text
//! cargo run --example hyper_server [ADDR]     # default 127.0.0.1:3000, or $EDGEIO_ADDR
//! curl http://127.0.0.1:3000/
//! ```
//!
//! hyper does not depend on any runtime; the adapter that plugs edgeio's
//! `futures-io` sockets into hyper's I/O traits lives in
//! `examples/hyper_io/mod.rs` (shared with `tests/hyper.rs`). Ctrl-C stops
//! the server.

// `EdgeioExecutor` is not needed by an HTTP/1 server; the test's client uses it.
#[path = "hyper_io/mod.rs"]
#[allow(dead_code)]
mod hyper_io;

use std::io;

use edgeio::net::AsyncTcpListener;

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("EDGEIO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("hyper_server: listening on http://{}", listener.local_addr()?);

    let server = edgeio::spawn(hyper_io::serve(listener));

    edgeio::signal::ctrl_c().await?;
    eprintln!("hyper_server: shutting down");
    server.abort();
    Ok(())
}
