//! Soak tests: long runs that look for leaks and lost wake-ups. Ignored by
//! `cargo test`; run them with
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! Knobs: `EDGEIO_SOAK_SECS` (default 60) is the length of the echo phase,
//! `EDGEIO_HUNT_SECS` (default 240) that of the lost-wakeup hunt, and
//! `EDGEIO_SOAK_CONNS` (default 1000) the connections held in the echo
//! phase. With the defaults the run takes about 5 minutes.
//!
//! Phase 1, echo: an edgeio echo server (2 workers) and `CONNS` clients on
//! a second runtime (2 workers), all connections open at once, each
//! sending chunks of a deterministic per-connection byte pattern at full
//! speed and verifying every echoed byte. RSS is sampled from
//! `/proc/self/status`; after warm-up it must not grow by more than
//! max(10 %, 16 MiB). After everything closes, `/proc/self/fd` must be back
//! to its baseline.
//!
//! Phase 2, lost-wakeup hunt: on one 2-worker runtime, ping-pong echo round
//! trips on a few connections and a wake chain (a token passed task to
//! task through one-slot channels, started from outside the runtime), each
//! iteration under a timeout that fails loudly on any hang.
//!
//! At the end the figures go to `tests/RELIABILITY.md`.

use std::fmt::Write as _;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::timeout;
use edgeio::{Builder, Runtime};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

const MIB: u64 = 1024 * 1024;
/// Upper bound for one iteration of anything; exceeding it is a hang.
const HANG: Duration = Duration::from_secs(30);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft.
fn raise_nofile() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit the calls read/write.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    lim.rlim_cur
}

/// Byte `i` of connection `conn`'s stream (a multiplicative hash: not
/// periodic, different per connection).
fn byte(conn: u64, i: u64) -> u8 {
    (i.wrapping_add(conn << 40).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// Size of chunk `n` of connection `conn`: 1 byte to 16 KiB.
fn chunk_len(conn: u64, n: u64) -> usize {
    1 + ((conn.wrapping_mul(31).wrapping_add(n)).wrapping_mul(0x2545_F491_4F6C_DD1D) >> 50) as usize
}

fn runtime(name: &str) -> Runtime {
    Builder::new()
        .worker_threads(2)
        .thread_name(name)
        .build()
        .unwrap()
}

async fn bounded<T>(what: &str, fut: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    match timeout(HANG, fut).await {
        Ok(r) => r,
        Err(_) => panic!("HANG: {what} did not finish within {HANG:?}"),
    }
}

async fn echo(mut stream: AsyncTcpStream) -> io::Result<u64> {
    let mut buf = vec![0; 32 * 1024];
    let mut total = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        stream.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

/// Spawns an accept loop serving every connection with [`echo`].
fn serve(rt: &Runtime) -> SocketAddr {
    let listener = rt
        .block_on(async { AsyncTcpListener::bind("127.0.0.1:0") })
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => edgeio::spawn(echo(stream)).detach(),
                Err(e) => eprintln!("accept: {e}"),
            }
        }
    })
    .detach();
    addr
}

#[derive(Default)]
struct Figures {
    conns: u64,
    bytes_verified: u64,
    echo_rounds: u64,
    pingpong_iterations: u64,
    chain_iterations: u64,
    chain_len: usize,
    rss_start: u64,
    rss_warm: u64,
    rss_peak: u64,
    rss_end: u64,
    fd_baseline: usize,
    fd_end: usize,
    nofile: u64,
    leaks: Vec<String>,
    echo_secs: f64,
    hunt_secs: f64,
}

/// Phase 1.
fn echo_soak(f: &mut Figures, secs: u64, conns: u64) {
    let server_rt = runtime("soak-server");
    let client_rt = runtime("soak-client");
    let addr = serve(&server_rt);
    let verified = Arc::new(AtomicU64::new(0));
    let rounds = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    // All connections first, so they are all held during the run.
    let streams: Vec<AsyncTcpStream> = client_rt.block_on(async {
        let mut v = Vec::with_capacity(conns as usize);
        for _ in 0..conns {
            v.push(bounded("connect", AsyncTcpStream::connect(addr)).await.unwrap());
        }
        v
    });
    f.conns = streams.len() as u64;
    println!("soak: {} connections open, fds {}", f.conns, open_fds());

    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let clients: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(c, stream)| {
            let (verified, rounds, stop) = (verified.clone(), rounds.clone(), stop.clone());
            client_rt.spawn(async move {
                let c = c as u64;
                let (mut offset, mut n) = (0u64, 0u64);
                let mut out = Vec::new();
                let mut back = vec![0u8; 16 * 1024 + 1];
                while !stop.load(Ordering::Relaxed) {
                    let len = chunk_len(c, n);
                    out.clear();
                    out.extend((offset..offset + len as u64).map(|i| byte(c, i)));
                    let (mut w, mut r) = (&stream, &stream);
                    let back = &mut back[..len];
                    bounded("echo round", async {
                        let (a, b) = futures_util::join!(w.write_all(&out), r.read_exact(back));
                        a.and(b)
                    })
                    .await?;
                    if back != &out[..] {
                        panic!("connection {c}: echoed bytes differ at offset {offset}");
                    }
                    offset += len as u64;
                    n += 1;
                    verified.fetch_add(len as u64, Ordering::Relaxed);
                    rounds.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, io::Error>(())
            })
        })
        .collect();

    // Sample RSS while the clients run; warm-up is the first fifth.
    let warm_at = started + Duration::from_secs(secs / 5).max(Duration::from_secs(2));
    let period = Duration::from_secs((secs / 15).clamp(1, 5));
    let mut samples = Vec::new();
    while Instant::now() < deadline {
        std::thread::sleep(period.min(deadline.saturating_duration_since(Instant::now())));
        let rss = rss_kib();
        samples.push((Instant::now(), rss));
        f.rss_peak = f.rss_peak.max(rss);
        if f.rss_warm == 0 && Instant::now() >= warm_at {
            f.rss_warm = rss;
        }
        println!(
            "soak: t={:>4.0}s rss={} KiB verified={} MiB",
            started.elapsed().as_secs_f64(),
            rss,
            verified.load(Ordering::Relaxed) / MIB
        );
    }
    stop.store(true, Ordering::Relaxed);
    client_rt.block_on(async {
        for client in clients {
            timeout(HANG, client)
                .await
                .expect("HANG: client did not stop")
                .expect("client panicked")
                .expect("client failed");
        }
    });
    f.echo_secs = started.elapsed().as_secs_f64();
    f.bytes_verified = verified.load(Ordering::Relaxed);
    f.echo_rounds = rounds.load(Ordering::Relaxed);

    // Growth after warm-up.
    let warm = if f.rss_warm == 0 {
        samples.first().map_or(0, |s| s.1)
    } else {
        f.rss_warm
    };
    let after_warm_peak = samples
        .iter()
        .filter(|s| s.0 >= warm_at)
        .map(|s| s.1)
        .max()
        .unwrap_or(warm);
    let allowed = (warm / 10).max(16 * 1024);
    if after_warm_peak > warm + allowed {
        f.leaks.push(format!(
            "RSS grew after warm-up: {warm} KiB -> {after_warm_peak} KiB (allowed +{allowed} KiB)"
        ));
    }

    // Clients gone: the server's echo tasks see end of file and finish,
    // leaving only the listener registered.
    let server_handle = server_rt.handle().clone();
    let wait_until = Instant::now() + Duration::from_secs(10);
    while server_handle.metrics().registered_fds > 1 && Instant::now() < wait_until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = server_handle.metrics().registered_fds;
    if left != 1 {
        f.leaks.push(format!(
            "server registered_fds {left} after all clients closed (want 1)"
        ));
    }
    let client_left = client_rt.metrics().registered_fds;
    if client_left != 0 {
        f.leaks.push(format!(
            "client registered_fds {client_left} after all closed (want 0)"
        ));
    }
    drop(client_rt);
    drop(server_rt);
}

/// A one-slot channel: enough to pass a token and a wake-up.
#[derive(Default)]
struct Slot(Mutex<(Option<u64>, Option<Waker>)>);

impl Slot {
    fn send(&self, v: u64) {
        let waker = {
            let mut s = self.0.lock().unwrap();
            assert!(s.0.is_none(), "slot overrun");
            s.0 = Some(v);
            s.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    async fn recv(&self) -> u64 {
        poll_fn(|cx| {
            let mut s = self.0.lock().unwrap();
            match s.0.take() {
                Some(v) => Poll::Ready(v),
                None => {
                    s.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }
}

/// Phase 2.
fn lost_wakeup_hunt(f: &mut Figures, secs: u64) {
    const PINGERS: u64 = 4;
    const CHAIN: usize = 8;
    f.chain_len = CHAIN;
    let rt = runtime("soak-hunt");
    let addr = serve(&rt);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);

    // Ping-pong echo round trips: tiny messages, so both workers park and
    // are woken by the reactor all the time.
    let pingpong = Arc::new(AtomicU64::new(0));
    let pingers: Vec<_> = (0..PINGERS)
        .map(|p| {
            let pingpong = pingpong.clone();
            rt.spawn(async move {
                let mut stream = bounded("connect", AsyncTcpStream::connect(addr)).await?;
                let mut i = 0u64;
                while Instant::now() < deadline {
                    let len = 1 + (i % 64) as usize;
                    let msg: Vec<u8> = (0..len as u64).map(|k| byte(p, i + k)).collect();
                    let mut back = vec![0; len];
                    match timeout(Duration::from_secs(10), async {
                        stream.write_all(&msg).await?;
                        stream.read_exact(&mut back).await
                    })
                    .await
                    {
                        Ok(r) => r?,
                        Err(_) => panic!("LOST WAKE-UP: ping-pong {p} iteration {i} hung for 10 s"),
                    }
                    assert_eq!(back, msg, "ping-pong {p} iteration {i}: wrong echo");
                    i += 1;
                    pingpong.fetch_add(1, Ordering::Relaxed);
                    if i % 256 == 0 {
                        // Let every worker go to sleep now and then.
                        edgeio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                Ok::<_, io::Error>(())
            })
        })
        .collect();

    // Wake chain: slots[0] -> task 0 -> slots[1] -> ... -> slots[CHAIN],
    // driven from this (non-worker) thread, so every iteration also crosses
    // into the runtime from outside and back.
    let slots: Arc<Vec<Slot>> = Arc::new((0..=CHAIN).map(|_| Slot::default()).collect());
    let stages: Vec<_> = (0..CHAIN)
        .map(|k| {
            let slots = slots.clone();
            rt.spawn(async move {
                loop {
                    let v = slots[k].recv().await;
                    if v == u64::MAX {
                        slots[k + 1].send(v);
                        return;
                    }
                    slots[k + 1].send(v + 1);
                }
            })
        })
        .collect();
    let mut chain = 0u64;
    rt.block_on(async {
        while Instant::now() < deadline {
            slots[0].send(chain);
            let got = match timeout(Duration::from_secs(10), slots[CHAIN].recv()).await {
                Ok(v) => v,
                Err(_) => panic!("LOST WAKE-UP: wake chain iteration {chain} hung for 10 s"),
            };
            assert_eq!(got, chain + CHAIN as u64);
            chain += 1;
            if chain % 1024 == 0 {
                edgeio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        slots[0].send(u64::MAX);
        assert_eq!(
            timeout(HANG, slots[CHAIN].recv()).await.expect("chain stop"),
            u64::MAX
        );
        for s in stages {
            timeout(HANG, s)
                .await
                .expect("HANG: stage")
                .expect("stage panicked");
        }
        for p in pingers {
            timeout(HANG, p)
                .await
                .expect("HANG: pinger")
                .expect("pinger panicked")
                .expect("pinger failed");
        }
    });
    f.chain_iterations = chain;
    f.pingpong_iterations = pingpong.load(Ordering::Relaxed);
    f.hunt_secs = started.elapsed().as_secs_f64();
    drop(rt);
}

fn sh(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn write_report(f: &Figures, secs: u64, hunt_secs: u64) {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "?".into());
    let mut s = String::new();
    let _ = writeln!(s, "# Reliability figures\n");
    let _ = writeln!(
        s,
        "Generated by `tests/soak.rs` (`EDGEIO_SOAK_SECS={secs} EDGEIO_HUNT_SECS={hunt_secs} EDGEIO_SOAK_CONNS={} cargo test --release --test soak -- --ignored --nocapture`). \
         Overwritten by every soak run.{}\n",
        f.conns,
        if (secs, hunt_secs) == (60, 240) {
            String::new()
        } else {
            " **This was a shortened run** (the defaults are 60 s of echo and 240 s of hunt).".to_owned()
        }
    );
    let _ = writeln!(s, "| figure | value |\n|---|---|");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(s, "| {k} | {v} |");
    };
    row("date (UTC)", sh("date", &["-u", "+%Y-%m-%d %H:%M:%S"]));
    row(
        "machine",
        format!("{nproc} CPUs ({cpu}), Linux {}", kernel.trim()),
    );
    row(
        "duration",
        format!(
            "echo phase {:.1} s, lost-wakeup hunt {:.1} s",
            f.echo_secs, f.hunt_secs
        ),
    );
    row(
        "connections held at once",
        format!(
            "{} (server 2 workers, clients on a second 2-worker runtime)",
            f.conns
        ),
    );
    row(
        "bytes echoed and verified",
        format!(
            "{} ({:.1} MiB, {:.1} MiB/s), in {} rounds",
            f.bytes_verified,
            f.bytes_verified as f64 / MIB as f64,
            f.bytes_verified as f64 / MIB as f64 / f.echo_secs.max(1e-9),
            f.echo_rounds
        ),
    );
    row(
        "ping-pong round trips (4 connections, 2 workers)",
        f.pingpong_iterations.to_string(),
    );
    row(
        "wake-chain iterations",
        format!(
            "{} (chain of {} tasks, {} wakes)",
            f.chain_iterations,
            f.chain_len,
            f.chain_iterations * (f.chain_len as u64 + 1)
        ),
    );
    row(
        "faults injected",
        "none in this soak (fault injection is in tests/faults.rs)".into(),
    );
    row(
        "RSS start / after warm-up / peak / end",
        format!(
            "{} / {} / {} / {} KiB",
            f.rss_start, f.rss_warm, f.rss_peak, f.rss_end
        ),
    );
    row(
        "open fds baseline / end",
        format!(
            "{} / {} (RLIMIT_NOFILE soft raised to {})",
            f.fd_baseline, f.fd_end, f.nofile
        ),
    );
    row(
        "hangs (per-iteration timeouts hit)",
        "0 (any would have failed the run)".into(),
    );
    row(
        "leaks found",
        if f.leaks.is_empty() {
            "none".into()
        } else {
            f.leaks.join("; ")
        },
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/RELIABILITY.md");
    std::fs::write(path, s).unwrap();
    println!("soak: wrote {path}");
}

#[test]
#[ignore = "soak: run with `cargo test --release --test soak -- --ignored --nocapture`"]
fn soak() {
    let secs = env_or("EDGEIO_SOAK_SECS", 60);
    let hunt_secs = env_or("EDGEIO_HUNT_SECS", 240);
    let conns = env_or("EDGEIO_SOAK_CONNS", 1000);
    let mut f = Figures {
        nofile: raise_nofile(),
        ..Figures::default()
    };
    assert!(
        f.nofile > 2 * conns + 64,
        "RLIMIT_NOFILE hard limit {} too low for {conns} connections",
        f.nofile
    );
    f.fd_baseline = open_fds();
    f.rss_start = rss_kib();

    echo_soak(&mut f, secs, conns);
    lost_wakeup_hunt(&mut f, hunt_secs);

    // Worker threads exit asynchronously after the runtime is dropped;
    // give the fd table a moment to settle.
    let until = Instant::now() + Duration::from_secs(5);
    while open_fds() != f.fd_baseline && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    f.fd_end = open_fds();
    f.rss_end = rss_kib();
    if f.fd_end != f.fd_baseline {
        f.leaks.push(format!(
            "open fds {} at the end, baseline {}",
            f.fd_end, f.fd_baseline
        ));
    }
    write_report(&f, secs, hunt_secs);
    assert!(f.leaks.is_empty(), "leaks: {:?}", f.leaks);
    assert!(f.bytes_verified > 0 && f.chain_iterations > 0 && f.pingpong_iterations > 0);
}
