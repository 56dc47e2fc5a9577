//! Minimal HTTP/1.1 server answering every request with "Hello, World!".
//!
//! ```text
//! cargo run --release --example http_hello [ADDR]   # default 127.0.0.1:8080, or $EDGEIO_ADDR
//! wrk -t1 -c64 -d10s http://127.0.0.1:8080/
//! ```
//!
//! Keep-alive and pipelining are supported: every complete request header
//! in the buffer gets a response, and all responses produced by one read
//! are written with one `write_all`. Request bodies are skipped by
//! `Content-Length`; `Connection: close` is honoured. The parsing lives in
//! `session.rs`, which the benchmarks reuse.

mod session;

use std::io;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use session::Session;

async fn serve(mut stream: AsyncTcpStream) -> io::Result<()> {
    let mut session = Session::default();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        let close = session.feed(&chunk[..n]);
        if !session.output.is_empty() {
            stream.write_all(&session.output).await?;
            session.output.clear();
        }
        if close {
            return Ok(());
        }
    }
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("EDGEIO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("http_hello: listening on http://{}/", listener.local_addr()?);
    let server = edgeio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    edgeio::spawn(async move {
                        let _ = serve(stream).await;
                    })
                    .detach();
                }
                Err(e) => {
                    eprintln!("http_hello: accept failed: {e}");
                }
            }
        }
    });
    edgeio::signal::ctrl_c().await?;
    server.abort();
    Ok(())
}
