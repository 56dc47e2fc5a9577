//! Graceful shutdown: an echo server that, on SIGTERM or Ctrl-C, stops
//! accepting, lets its open connections finish within a deadline, and
//! exits 0.
//!
//! ```text
//! cargo run --example graceful [ADDR] [DRAIN_SECS]   # default 127.0.0.1:7000, 10 s
//! ```
//!
//! Try it: connect with `nc 127.0.0.1 7000` (typed lines come back), then
//! `kill -TERM <pid>` or press Ctrl-C in the server's terminal. From that
//! moment new connections are refused, while the open `nc` session keeps
//! being echoed until it closes or the drain deadline passes, whichever
//! comes first; then the server exits with status 0. This is what a
//! container runtime or systemd expects: SIGTERM first, SIGKILL only
//! after a grace period.

use std::io;
use std::time::Duration;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::signal::unix::{signal, SignalKind};
use edgeio::JoinHandle;
use futures_util::future::FutureExt;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use futures_util::{pin_mut, select};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7000".to_owned());
    let drain_secs = match args.next() {
        Some(secs) => secs
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("DRAIN_SECS: {e}")))?,
        None => 10,
    };
    edgeio::block_on(run(&addr, Duration::from_secs(drain_secs)))
}

/// Serves on `addr` until SIGTERM or SIGINT, then drains for at most
/// `deadline`. Prints its progress on stdout, one line per step.
pub async fn run(addr: &str, deadline: Duration) -> io::Result<()> {
    // Listen for the signals before anything can send them: from here on,
    // SIGTERM and SIGINT no longer end the process by themselves.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let listener = AsyncTcpListener::bind(addr)?;
    println!("graceful: listening on {}", listener.local_addr()?);

    let shutdown = async {
        select! {
            _ = terminate.recv().fuse() => "SIGTERM",
            _ = interrupt.recv().fuse() => "SIGINT",
        }
    }
    .fuse();
    pin_mut!(shutdown);
    let mut connections: Vec<JoinHandle<()>> = Vec::new();
    let cause = loop {
        select! {
            cause = shutdown => break cause,
            accepted = listener.accept().fuse() => match accepted {
                Ok((stream, _peer)) => {
                    connections.retain(|connection| !connection.is_finished());
                    connections.push(edgeio::spawn(echo(stream)));
                }
                // EMFILE and friends: report and keep serving (`accept`
                // backs off after such errors, so this cannot spin).
                Err(e) => eprintln!("graceful: accept failed: {e}"),
            },
        }
    };

    // Closing the listener makes the kernel refuse new connections (and
    // reset the ones still in its backlog).
    drop(listener);
    connections.retain(|connection| !connection.is_finished());
    println!("graceful: {cause}, draining {} connection(s)", connections.len());
    let drained = edgeio::time::timeout(deadline, async {
        for connection in &mut connections {
            let _ = connection.await;
        }
    })
    .await;
    match drained {
        Ok(()) => println!("graceful: all connections closed"),
        Err(_) => {
            let open = connections.iter().filter(|c| !c.is_finished()).count();
            for connection in &connections {
                connection.abort();
            }
            println!("graceful: deadline passed, cut {open} connection(s)");
        }
    }
    Ok(())
}

/// Echoes until the peer closes (or the connection fails).
async fn echo(mut stream: AsyncTcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}
