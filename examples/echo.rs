//! TCP echo server.
//!
//! ```text
//! cargo run --release --example echo [ADDR]     # default 127.0.0.1:7000, or $EDGEIO_ADDR
//! ```
//!
//! Every connection gets its own task, which copies what it reads back to
//! the sender until the peer closes. Ctrl-C stops the server.

use std::io;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// Copies everything the peer sends back to it until EOF.
async fn echo(mut stream: AsyncTcpStream) -> io::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("EDGEIO_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:7000".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("echo: listening on {}", listener.local_addr()?);

    let server = edgeio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    edgeio::spawn(async move {
                        if let Err(e) = echo(stream).await {
                            eprintln!("echo: connection error: {e}");
                        }
                    })
                    .detach();
                }
                // EMFILE and friends: report and keep serving. `accept`
                // itself backs off after such errors, so this cannot spin.
                Err(e) => {
                    eprintln!("echo: accept failed: {e}");
                }
            }
        }
    });

    edgeio::signal::ctrl_c().await?;
    eprintln!("echo: shutting down");
    server.abort();
    Ok(())
}
