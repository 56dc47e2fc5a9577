//! `futures_util::select!` and `futures_util::join!` on edgeio.
//!
//! ```text
//! cargo run --example select_join
//! ```
//!
//! Starts a loopback echo server, then:
//!
//! 1. `join!`: two clients connect and round-trip a message concurrently;
//! 2. `select!`: a read that the server never answers races an
//!    `edgeio::time::sleep`, and the timeout wins.
//!
//! Everything runs on 127.0.0.1 and the program exits by itself in well
//! under a second.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::future::FutureExt;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts connections forever and echoes each one back to its sender.
async fn echo_server(listener: AsyncTcpListener) {
    while let Ok((mut stream, _peer)) = listener.accept().await {
        edgeio::spawn(async move {
            let mut buf = [0u8; 1024];
            while let Ok(n @ 1..) = stream.read(&mut buf).await {
                if stream.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        })
        .detach();
    }
}

/// Connects to `addr`, sends `msg` and returns what comes back.
async fn round_trip(addr: SocketAddr, msg: &str) -> io::Result<String> {
    let mut stream = AsyncTcpStream::connect(addr).await?;
    stream.write_all(msg.as_bytes()).await?;
    let mut reply = vec![0u8; msg.len()];
    stream.read_exact(&mut reply).await?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = edgeio::spawn(echo_server(listener));

    // join!: both round trips are polled concurrently in this one task; the
    // macro finishes when both have.
    let (a, b) = futures_util::join!(round_trip(addr, "hello"), round_trip(addr, "world"));
    println!("join!: got {:?} and {:?}", a?, b?);

    // select!: nothing is sent, so the echo server never replies and the
    // read stays pending; the 200 ms sleep finishes first. Both futures must
    // be fused (`FutureExt::fuse`) and pinned for select!.
    let mut stream = AsyncTcpStream::connect(addr).await?;
    let mut buf = [0u8; 64];
    let started = Instant::now();
    let read = stream.read(&mut buf).fuse();
    let timeout = edgeio::time::sleep(Duration::from_millis(200)).fuse();
    futures_util::pin_mut!(read, timeout);
    futures_util::select! {
        res = read => println!("select!: read finished first: {res:?}"),
        () = timeout => println!("select!: timed out after {:?} with no data", started.elapsed()),
    }

    server.abort();
    Ok(())
}
