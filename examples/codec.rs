//! tokio-util's codecs straight on edgeio's sockets (feature `tokio-io`):
//! a line-based server that answers each line in upper case, with
//! `Framed<AsyncTcpStream, LinesCodec>` and no `.compat()` wrapper.
//!
//! ```text
//! cargo run --example codec --features example-codec [ADDR]   # default 127.0.0.1:7001
//! nc 127.0.0.1 7001
//! ```
//!
//! `tests/tokio_io.rs` runs it.

use std::io;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::{SinkExt, StreamExt};
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

/// The longest line accepted, so that a client cannot make the server
/// buffer without bound.
const MAX_LINE: usize = 64 * 1024;

/// Accepts connections on `listener` forever, each on its own task.
pub async fn serve(listener: AsyncTcpListener) {
    loop {
        // A failed accept ends only that attempt (after EMFILE the
        // listener waits before the next one itself).
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        edgeio::spawn(async move {
            if let Err(e) = shout(stream).await {
                eprintln!("codec: connection failed: {e}");
            }
        })
        .detach();
    }
}

/// Answers every line of one connection in upper case, until the client
/// closes it.
async fn shout(stream: AsyncTcpStream) -> Result<(), LinesCodecError> {
    let mut lines = Framed::new(stream, LinesCodec::new_with_max_length(MAX_LINE));
    while let Some(line) = lines.next().await {
        lines.send(line?.to_uppercase()).await?;
    }
    Ok(())
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7001".to_owned());
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!("codec: listening on {}", listener.local_addr()?);
    serve(listener).await;
    Ok(())
}
