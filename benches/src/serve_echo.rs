//! The echo servers' per-connection handlers, twins: the same lines, one
//! per runtime; plain, and with an idle timeout reset on every request.

use std::io;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{select, Either};

/// Read buffer of one server connection.
const BUF: usize = 16 * 1024;

/// Copies everything the peer sends back to it until EOF (edgeio).
pub async fn serve_edgeio(mut stream: edgeio::net::AsyncTcpStream) -> io::Result<()> {
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; BUF];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

/// Copies everything the peer sends back to it until EOF (tokio).
pub async fn serve_tokio(mut stream: tokio::net::TcpStream) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; BUF];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

/// How long a connection may stay silent in the idle-timeout echo server:
/// long enough that no connection of a run ever times out, so the row
/// measures keeping the timer, not firing it.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The echo loop with an idle timeout that every request pushes back, as
/// servers keep one per connection (edgeio). `Sleep::reset` moves the
/// pending timer; the read and the timer race in `select`.
pub async fn serve_idle_edgeio(mut stream: edgeio::net::AsyncTcpStream) -> io::Result<()> {
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; BUF];
    let mut idle = pin!(edgeio::time::sleep(IDLE_TIMEOUT));
    loop {
        let n = match select(pin!(stream.read(&mut buf)), idle.as_mut()).await {
            Either::Left((n, _)) => n?,
            Either::Right(((), _)) => return Ok(()),
        };
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
        idle.as_mut().reset(edgeio::time::Instant::now() + IDLE_TIMEOUT);
    }
}

/// The echo loop with an idle timeout that every request pushes back, as
/// servers keep one per connection (tokio).
pub async fn serve_idle_tokio(mut stream: tokio::net::TcpStream) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; BUF];
    let mut idle = pin!(tokio::time::sleep(IDLE_TIMEOUT));
    loop {
        let n = match select(pin!(stream.read(&mut buf)), idle.as_mut()).await {
            Either::Left((n, _)) => n?,
            Either::Right(((), _)) => return Ok(()),
        };
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
        idle.as_mut().reset(tokio::time::Instant::now() + IDLE_TIMEOUT);
    }
}
