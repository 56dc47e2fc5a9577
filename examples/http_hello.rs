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
//! `Content-Length`; `Connection: close` is honoured.

use std::io;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
const CLOSE_RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!";
const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// Largest request header accepted.
const MAX_HEADER: usize = 16 * 1024;

/// What one request header says about the connection.
struct Request {
    /// Bytes of header plus body.
    len: usize,
    close: bool,
}

/// Parses one request header from the start of `buf`; `Ok(None)` if it is
/// not complete yet.
fn parse(buf: &[u8]) -> Result<Option<Request>, ()> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEADER { Err(()) } else { Ok(None) };
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(drop)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or(())?;
    let http10 = request_line.ends_with("HTTP/1.0");
    let mut body = 0usize;
    let mut close = http10;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(())?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            body = value.parse().map_err(drop)?;
        } else if name.eq_ignore_ascii_case("connection") {
            close =
                value.eq_ignore_ascii_case("close") || (http10 && !value.eq_ignore_ascii_case("keep-alive"));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked bodies are out of scope for this example.
            return Err(());
        }
    }
    Ok(Some(Request {
        len: end + 4 + body,
        close,
    }))
}

async fn serve(mut stream: AsyncTcpStream) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut out = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut consumed = 0;
        let mut close = false;
        loop {
            match parse(&buf[consumed..]) {
                Ok(Some(request)) if consumed + request.len <= buf.len() => {
                    consumed += request.len;
                    close = request.close;
                    out.extend_from_slice(if close { CLOSE_RESPONSE } else { RESPONSE });
                    if close {
                        break;
                    }
                }
                // Incomplete header, or a body still arriving.
                Ok(_) => break,
                Err(()) => {
                    out.extend_from_slice(BAD_REQUEST);
                    close = true;
                    break;
                }
            }
        }
        buf.drain(..consumed);
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
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
                    edgeio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    });
    edgeio::signal::ctrl_c().await?;
    server.abort();
    Ok(())
}
