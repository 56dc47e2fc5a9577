//! Load client for the echo server: opens N connections, sends messages
//! and checks every byte that comes back.
//!
//! ```text
//! cargo run --release --example echo_client -- [ADDR] [CONNECTIONS] [MESSAGES] [SIZE]
//! ```
//! Defaults: 127.0.0.1:7000, 50 connections, 1000 messages of 64 bytes each.

use std::io;
use std::time::{Duration, Instant};

use edgeio::net::AsyncTcpStream;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

fn arg<T: std::str::FromStr>(index: usize, default: T) -> io::Result<T> {
    match std::env::args().nth(index) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad argument {index}: {s:?}"),
            )
        }),
    }
}

/// Sends `messages` messages of `size` bytes, one at a time, and verifies
/// each echo. Returns the round-trip latencies.
async fn client(addr: String, id: usize, messages: usize, size: usize) -> io::Result<Vec<Duration>> {
    let mut stream = AsyncTcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    let mut out = vec![0u8; size];
    let mut back = vec![0u8; size];
    let mut latencies = Vec::with_capacity(messages);
    for m in 0..messages {
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = (id + m + i) as u8;
        }
        let start = Instant::now();
        stream.write_all(&out).await?;
        stream.read_exact(&mut back).await?;
        latencies.push(start.elapsed());
        if back != out {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "echo returned different bytes",
            ));
        }
    }
    Ok(latencies)
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let addr: String = arg(1, "127.0.0.1:7000".to_owned())?;
    let connections: usize = arg(2, 50)?;
    let messages: usize = arg(3, 1000)?;
    let size: usize = arg(4, 64)?;

    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|id| edgeio::spawn(client(addr.clone(), id, messages, size)))
        .collect();
    let mut latencies = Vec::with_capacity(connections * messages);
    for handle in clients {
        latencies.extend(handle.await??);
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{connections} connections x {messages} messages of {size} B in {elapsed:.2?}: {:.0} msg/s, p50 {:?}, p99 {:?}",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
    );
    Ok(())
}
