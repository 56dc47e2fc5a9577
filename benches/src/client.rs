//! The load generator: the hidden `client` sub-command, run as a separate
//! process (the bench binary re-executed) on a single-threaded tokio
//! runtime. The same client drives both servers.
//!
//! Protocol with the parent: with `--idle N` it first opens N connections
//! (one 1-byte echo each, so the server has accepted them), prints
//! `READY <n>` and waits for a line on stdin. Then it opens `--conns`
//! connections, runs request/response ping-pong on each for the warm-up
//! plus the measured duration, and prints `RESULT key=value ...`.

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::cli::Flags;
use crate::http;
use crate::proc::{self, Proc};
use crate::report::Figure;
use crate::suite::Suite;

/// Longest wait for one connect or one request/response exchange.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// What each request and response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `size` bytes, echoed back.
    Echo,
    /// One HTTP/1.1 keep-alive GET; the response is the hello world one.
    Http,
}

#[derive(Debug, Clone)]
pub struct ClientArgs {
    pub addr: SocketAddr,
    pub mode: Mode,
    pub conns: usize,
    pub size: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub idle: usize,
}

impl Default for ClientArgs {
    fn default() -> ClientArgs {
        ClientArgs {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            mode: Mode::Echo,
            conns: 1,
            size: 64,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(1),
            idle: 0,
        }
    }
}

impl ClientArgs {
    pub fn from_flags(flags: &Flags) -> Result<ClientArgs, String> {
        let mode = match flags.require::<String>("mode")?.as_str() {
            "echo" => Mode::Echo,
            "http" => Mode::Http,
            other => return Err(format!("unknown mode `{other}`")),
        };
        Ok(ClientArgs {
            addr: flags.require("addr")?,
            mode,
            conns: flags.require("conns")?,
            size: flags.require("size")?,
            warmup: Duration::from_millis(flags.require("warmup-ms")?),
            duration: Duration::from_millis(flags.require("duration-ms")?),
            idle: flags.get("idle")?.unwrap_or(0),
        })
    }

    fn to_args(&self) -> Vec<String> {
        let mode = match self.mode {
            Mode::Echo => "echo",
            Mode::Http => "http",
        };
        [
            ("addr", self.addr.to_string()),
            ("mode", mode.to_owned()),
            ("conns", self.conns.to_string()),
            ("size", self.size.to_string()),
            ("warmup-ms", self.warmup.as_millis().to_string()),
            ("duration-ms", self.duration.as_millis().to_string()),
            ("idle", self.idle.to_string()),
        ]
        .into_iter()
        .flat_map(|(name, value)| [format!("--{name}"), value])
        .collect()
    }
}

/// The client process's `main`.
pub fn run(args: &ClientArgs) -> io::Result<()> {
    proc::raise_nofile()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(drive(args))
}

async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Writes `request`, reads exactly `reply.len()` bytes back, within
/// [`IO_TIMEOUT`].
async fn exchange(stream: &mut TcpStream, request: &[u8], reply: &mut [u8]) -> io::Result<()> {
    let io = async {
        stream.write_all(request).await?;
        stream.read_exact(reply).await.map(drop)
    };
    tokio::time::timeout(IO_TIMEOUT, io)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no reply in time"))?
}

async fn drive(args: &ClientArgs) -> io::Result<()> {
    let mut idle = Vec::with_capacity(args.idle);
    for _ in 0..args.idle {
        let mut stream = connect(args.addr).await?;
        exchange(&mut stream, b"x", &mut [0]).await?;
        idle.push(stream);
    }
    if args.idle > 0 {
        println!("READY {}", idle.len());
        // Nothing else runs on this runtime meanwhile: blocking is fine.
        io::stdin().lock().read_line(&mut String::new())?;
    }
    let mut streams = Vec::with_capacity(args.conns);
    for _ in 0..args.conns {
        streams.push(connect(args.addr).await?);
    }
    let from = Instant::now() + args.warmup;
    let until = from + args.duration;
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|stream| tokio::spawn(ping_pong(stream, args.mode, args.size, from, until)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(l)) => latencies.extend(l),
            _ => errors += 1,
        }
    }
    latencies.sort_unstable();
    println!(
        "RESULT requests={} secs={} p50_us={} p99_us={} errors={errors}",
        latencies.len(),
        args.duration.as_secs_f64(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
    );
    drop(idle);
    Ok(())
}

/// Nearest-rank percentile of sorted nanoseconds, in microseconds.
fn percentile(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_ns.len() as f64).ceil() as usize;
    sorted_ns[rank.clamp(1, sorted_ns.len()) - 1] as f64 / 1000.0
}

/// Request/response on one connection until `until`; returns the latency
/// (ns) of each exchange started at or after `from`.
async fn ping_pong(
    mut stream: TcpStream,
    mode: Mode,
    size: usize,
    from: Instant,
    until: Instant,
) -> io::Result<Vec<u64>> {
    let request = match mode {
        Mode::Echo => vec![b'e'; size],
        Mode::Http => http::REQUEST.to_vec(),
    };
    let mut reply = vec![
        0;
        if mode == Mode::Echo {
            size
        } else {
            http::RESPONSE.len()
        }
    ];
    let mut latencies = Vec::new();
    loop {
        let start = Instant::now();
        if start >= until {
            return Ok(latencies);
        }
        exchange(&mut stream, &request, &mut reply).await?;
        if mode == Mode::Http && reply != http::RESPONSE {
            return Err(io::Error::other("unexpected HTTP response"));
        }
        if start >= from {
            latencies.push(start.elapsed().as_nanos() as u64);
        }
    }
}

/// A client process started by the suite.
pub fn spawn(suite: &Suite, args: &ClientArgs) -> io::Result<Proc> {
    let mut command = suite.self_command(suite.cpus.client_cpus());
    command.arg("client").args(args.to_args());
    Proc::spawn(command)
}

/// Runs a client to the end and returns what it measured.
pub fn run_to_end(suite: &Suite, args: &ClientArgs) -> io::Result<Outcome> {
    let client = spawn(suite, args)?;
    Outcome::wait(&client, args)
}

/// What a client run measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub requests_per_sec: f64,
    pub p50_us: f64,
    pub p99_us: f64,
}

impl Outcome {
    /// Waits for the client's `RESULT` line (bounded by its duration plus
    /// a minute for connecting) and checks it.
    pub fn wait(client: &Proc, args: &ClientArgs) -> io::Result<Outcome> {
        let line = client.expect("RESULT", args.warmup + args.duration + Duration::from_secs(60))?;
        let fields: HashMap<&str, f64> = line
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
            .collect();
        let field = |name| {
            fields
                .get(name)
                .copied()
                .ok_or_else(|| io::Error::other(format!("client result lacks {name}")))
        };
        let (requests, errors) = (field("requests")?, field("errors")?);
        if errors > 0.0 || requests == 0.0 {
            return Err(io::Error::other(format!(
                "client: {errors} of {} connections failed, {requests} requests",
                args.conns
            )));
        }
        Ok(Outcome {
            requests_per_sec: requests / field("secs")?,
            p50_us: field("p50_us")?,
            p99_us: field("p99_us")?,
        })
    }

    /// The figures, named after `label`.
    pub fn figures(&self, label: &str) -> Vec<Figure> {
        vec![
            Figure::rate(format!("{label}: throughput"), "req/s", self.requests_per_sec),
            Figure::cost(format!("{label}: p50 latency"), "µs", self.p50_us),
            Figure::cost(format!("{label}: p99 latency"), "µs", self.p99_us),
        ]
    }
}
