//! The HTTP servers' per-connection handlers, twins: the same lines, one
//! per runtime, both serving with the session of `http_wire.rs`.

use std::io;

use crate::http_wire::Session;

/// Bytes read per `read` call.
const CHUNK: usize = 4096;

/// Serves requests on one connection (edgeio).
pub async fn serve_edgeio(mut stream: edgeio::net::AsyncTcpStream) -> io::Result<()> {
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let mut session = Session::default();
    let mut chunk = [0u8; CHUNK];
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

/// Serves requests on one connection (tokio).
pub async fn serve_tokio(mut stream: tokio::net::TcpStream) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut session = Session::default();
    let mut chunk = [0u8; CHUNK];
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
