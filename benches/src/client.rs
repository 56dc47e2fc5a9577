//! The load generator: the hidden `client` sub-command, run as a separate
//! process (the bench binary re-executed) on one thread with a bare epoll
//! loop (`loadgen.rs`), no async runtime. The same client drives both
//! servers.
//!
//! Protocol with the parent: with `--idle N` it first opens N connections
//! (one echo of `--idle-size` bytes each, so the server has accepted them), prints
//! `READY <n>` and waits for a line on stdin. Then it opens `--conns`
//! connections, runs request/response ping-pong on each for the warm-up
//! plus the measured duration, and prints `RESULT key=value ...`.

use std::collections::HashMap;
use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::flags::Flags;
use crate::http_wire;
use crate::loadgen::{self, Exchange, Measured, Window};
use crate::proc::{self, CpuUse, Proc};
use crate::report::{self, Figure};
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
    /// Bytes each idle connection echoes once before it goes idle.
    pub idle_size: usize,
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
            idle_size: 1,
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
            idle_size: flags.get("idle-size")?.unwrap_or(1),
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
            ("idle-size", self.idle_size.to_string()),
        ]
        .into_iter()
        .flat_map(|(name, value)| [format!("--{name}"), value])
        .collect()
    }
}

/// The client process's `main`.
pub fn run(args: &ClientArgs) -> io::Result<()> {
    proc::raise_nofile()?;
    let mut idle = Vec::with_capacity(args.idle);
    let message = vec![b'x'; args.idle_size.max(1)];
    let mut reply = vec![0; message.len()];
    for _ in 0..args.idle {
        let mut stream = connect(args.addr)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.write_all(&message)?;
        stream.read_exact(&mut reply)?;
        idle.push(stream);
    }
    if args.idle > 0 {
        println!("READY {}", idle.len());
        io::stdin().lock().read_line(&mut String::new())?;
    }
    let streams = (0..args.conns)
        .map(|_| connect(args.addr))
        .collect::<io::Result<Vec<_>>>()?;
    let (request, expect) = match args.mode {
        Mode::Echo => (vec![b'e'; args.size], None),
        Mode::Http => (http_wire::REQUEST.to_vec(), Some(http_wire::RESPONSE)),
    };
    let exchange = Exchange {
        request: &request,
        reply_len: expect.map_or(args.size, <[u8]>::len),
        expect,
    };
    let from = Instant::now() + args.warmup;
    let window = Window {
        from,
        until: from + args.duration,
        timeout: IO_TIMEOUT,
    };
    let (mut measured, errors) = match loadgen::ping_pong(streams, exchange, window) {
        Ok(measured) => (measured, 0),
        Err(e) => {
            eprintln!("client: {e}");
            (Measured::default(), args.conns)
        }
    };
    let latencies = &mut measured.latencies;
    latencies.sort_unstable();
    println!(
        "RESULT requests={} completed={} secs={} p50_us={} p99_us={} errors={errors}",
        latencies.len(),
        measured.completed,
        args.duration.as_secs_f64(),
        percentile(latencies, 50.0),
        percentile(latencies, 99.0),
    );
    drop(idle);
    Ok(())
}

fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Nearest-rank percentile of sorted nanoseconds, in microseconds.
fn percentile(sorted_ns: &[u64], p: f64) -> f64 {
    if sorted_ns.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_ns.len() as f64).ceil() as usize;
    sorted_ns[rank.clamp(1, sorted_ns.len()) - 1] as f64 / 1000.0
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
    /// Requests answered over the whole run, warm-up included: what the
    /// server's CPU time paid for.
    pub completed: f64,
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
            completed: field("completed")?,
        })
    }

    /// The figures, named after `label`, given the CPU time (all threads,
    /// user and kernel) the server used while this load ran. CPU per
    /// request is where a cheaper server shows even when throughput ties
    /// because the load generator is the bottleneck.
    ///
    /// The user/kernel split goes to the breakdown table, under `label`.
    pub fn figures(&self, label: &str, server_cpu: CpuUse) -> Vec<Figure> {
        let mut figures = vec![
            Figure::rate(format!("{label}: throughput"), "req/s", self.requests_per_sec),
            Figure::cost(format!("{label}: p50 latency"), "µs", self.p50_us),
            Figure::cost(format!("{label}: p99 latency"), "µs", self.p99_us),
        ];
        figures.extend(report::server_cpu_figures(label, server_cpu, self.completed));
        figures
    }
}
