//! TCP echo ping-pong: twin per-connection handlers and the `echo` group.

use std::io;

use crate::client::{self, ClientArgs, Mode};
use crate::proc;
use crate::report::Figure;
use crate::rt::Rt;
use crate::server::App;
use crate::suite::Suite;

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

/// Server worker counts measured (the machine target has 2 cores).
pub const WORKERS: [usize; 2] = [1, 2];
const CONNECTIONS: [usize; 3] = [1, 64, 1000];
const SIZES: [usize; 2] = [64, 16 * 1024];

pub fn size_name(size: usize) -> String {
    if size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// The `echo` group: every connection count × message size × worker count.
pub fn run(suite: &mut Suite) {
    let (warmup, duration) = suite.durations();
    for workers in WORKERS {
        for conns in CONNECTIONS {
            for size in SIZES {
                let label = format!("{conns} conn × {}, {workers}w", size_name(size));
                let args = ClientArgs {
                    mode: Mode::Echo,
                    conns,
                    size,
                    warmup,
                    duration,
                    ..ClientArgs::default()
                };
                suite.measure("echo", &label, |suite, rt| {
                    one_run(suite, rt, workers, App::Echo, &args, &label)
                });
            }
        }
    }
}

/// One server, one client run against it: requests/s, latency and the
/// server's CPU time per request.
pub fn one_run(
    suite: &Suite,
    rt: Rt,
    workers: usize,
    app: App,
    args: &ClientArgs,
    label: &str,
) -> io::Result<Vec<Figure>> {
    let (server, addr) = suite.start_server(rt, workers, app)?;
    let (outcome, server_cpu) = proc::cpu_used_during(server.pid(), || {
        client::run_to_end(suite, &ClientArgs { addr, ..args.clone() })
    })?;
    Ok(outcome.figures(label, server_cpu))
}
