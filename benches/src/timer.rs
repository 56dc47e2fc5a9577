//! The `timer` group: timer throughput with many timers pending, memory
//! per pending timer, and an echo server that keeps an idle timeout per
//! connection.
//!
//! Throughput and memory are measured in a child process per run (the
//! hidden `timers` sub-command): a fresh process has a fresh heap, so the
//! resident-memory delta of one run is not hidden by memory a previous run
//! freed.

use std::io;
use std::time::Duration;

use crate::app::App;
use crate::client::ClientArgs;
use crate::flags::Flags;
use crate::netrun;
use crate::proc::Proc;
use crate::report::Figure;
use crate::rt::{self, Flavor, Rt};
use crate::suite::{Spec, Suite};

/// Timers pending while the operations run.
const PENDING: [u64; 3] = [1, 10_000, 1_000_000];
/// Timers inserted between two yields in insert+fire: one deadline for
/// the chunk, so they fire together; small enough that inserting a chunk
/// takes less than `FIRE_AFTER` on either runtime, so no timer is already
/// due when it is first polled (it would then never be inserted).
const FIRE_CHUNK: u64 = 1000;
/// How far ahead insert+fire's timers are due: tokio's resolution, one
/// millisecond.
const FIRE_AFTER: Duration = Duration::from_millis(1);
/// The pending timers' deadlines: an hour away, spread over 65 s in
/// millisecond steps so that they sit in many slots (tokio's wheel) or
/// keys (edgeio's map), as a server's idle timeouts do.
const PENDING_AFTER: Duration = Duration::from_secs(3600);

macro_rules! timer_twins {
    ($module:ident, $Runtime:ty, $sleep:path, $sleep_until:path, $yield_now:path, $now:expr) => {
        pub mod $module {
            use std::time::{Duration, Instant};

            use super::{FIRE_AFTER, FIRE_CHUNK, PENDING_AFTER};

            /// Inserts `pending` timers an hour away and keeps them;
            /// returns the process's resident memory growth in bytes
            /// per timer, the time `ops` insert+cancel took, the time `ops`
            /// insert+fire took, and the time inserting the pending
            /// timers and finally dropping them all took.
            pub fn run(runtime: &$Runtime, pending: u64, ops: u64) -> (f64, Duration, Duration, Duration) {
                let timed = async move {
                    let pid = std::process::id();
                    let before = crate::proc::rss_kib(pid).unwrap_or(0);
                    let mut kept = Vec::with_capacity(pending as usize);
                    let start = Instant::now();
                    for i in 0..pending {
                        let after = PENDING_AFTER + Duration::from_millis(i % 65_536);
                        let mut sleep = Box::pin($sleep(after));
                        assert!(futures_util::poll!(sleep.as_mut()).is_pending());
                        kept.push(sleep);
                    }
                    let mut bulk = start.elapsed();
                    let after = crate::proc::rss_kib(pid).unwrap_or(0);
                    let per_timer = after.saturating_sub(before) as f64 * 1024.0 / pending as f64;

                    // insert+cancel: a sleep polled once (its timer
                    // inserted) and dropped (cancelled).
                    let start = Instant::now();
                    for i in 0..ops {
                        let mut sleep = std::pin::pin!($sleep(Duration::from_millis(1000 + i % 1024)));
                        assert!(futures_util::poll!(sleep.as_mut()).is_pending());
                    }
                    let cancel = start.elapsed();

                    // insert+fire: chunks of sleeps due in a millisecond,
                    // each polled once (inserted); after each chunk the
                    // task yields, so the worker polls its reactor and
                    // fires what is due, and the fired sleeps at the front
                    // are collected. Timers fire while later ones are
                    // inserted: the wait for the deadline overlaps work,
                    // and only the last millisecond is spent waiting.
                    let start = Instant::now();
                    let mut waiting = std::collections::VecDeque::new();
                    let mut left = ops;
                    while left > 0 {
                        let chunk = left.min(FIRE_CHUNK);
                        let deadline = $now + FIRE_AFTER;
                        for _ in 0..chunk {
                            let mut sleep = Box::pin($sleep_until(deadline));
                            if futures_util::poll!(sleep.as_mut()).is_pending() {
                                waiting.push_back(sleep);
                            }
                        }
                        left -= chunk;
                        $yield_now().await;
                        while let Some(front) = waiting.front_mut() {
                            if futures_util::poll!(front.as_mut()).is_pending() {
                                break;
                            }
                            waiting.pop_front();
                        }
                    }
                    for sleep in waiting {
                        sleep.await;
                    }
                    let fire = start.elapsed();
                    let start = Instant::now();
                    drop(kept);
                    bulk += start.elapsed();
                    (per_timer, cancel, fire, bulk)
                };
                runtime.block_on(runtime.spawn(timed)).expect("timer task")
            }
        }
    };
}

timer_twins!(
    edgeio_timers,
    edgeio::Runtime,
    edgeio::time::sleep,
    edgeio::time::sleep_until,
    edgeio::yield_now,
    edgeio::time::Instant::now()
);
timer_twins!(
    tokio_timers,
    tokio::runtime::Runtime,
    tokio::time::sleep,
    tokio::time::sleep_until,
    tokio::task::yield_now,
    tokio::time::Instant::now()
);

/// Arguments of the hidden `timers` sub-command.
#[derive(Debug)]
pub struct TimersArgs {
    pub rt: Rt,
    pub pending: u64,
    pub ops: u64,
}

impl TimersArgs {
    pub fn from_flags(flags: &Flags) -> Result<TimersArgs, String> {
        let rt: String = flags.require("rt")?;
        Ok(TimersArgs {
            rt: Rt::parse(&rt)
                .filter(|rt| Rt::BOTH.contains(rt))
                .ok_or_else(|| format!("unknown runtime `{rt}`"))?,
            pending: flags.require("pending")?,
            ops: flags.require("ops")?,
        })
    }
}

/// The `timers` child process's `main`: one 1-worker runtime, one run,
/// one `RESULT` line.
pub fn child(args: &TimersArgs) -> io::Result<()> {
    let (per_timer, cancel, fire, bulk) = match args.rt {
        Rt::Edgeio => edgeio_timers::run(&rt::edgeio(Flavor::MultiThread(1))?, args.pending, args.ops),
        _ => tokio_timers::run(&rt::tokio(Flavor::MultiThread(1))?, args.pending, args.ops),
    };
    println!(
        "RESULT bytes_per_timer={per_timer} cancel_ns={} fire_ns={} bulk_ns={}",
        cancel.as_nanos(),
        fire.as_nanos(),
        bulk.as_nanos()
    );
    Ok(())
}

/// The `timer` group.
pub fn run(suite: &mut Suite) {
    let ops: u64 = if suite.opts.quick { 50_000 } else { 200_000 };
    for pending in PENDING {
        // Inserting and dropping a million timers dominates those runs.
        let per_run = Duration::from_millis(300) + Duration::from_nanos(pending * 2500);
        let label = format!("{} pending", thousands(pending));
        suite.measure("timer", &label, Spec::new(per_run), |suite, rt| {
            one_run(suite, rt, pending, ops, &label)
        });
    }
    let (warmup, duration) = suite.durations();
    let conns = 1000;
    let label = format!("{conns} conn × 64 B, idle timeout reset per request, 1w");
    let args = ClientArgs {
        conns,
        size: 64,
        warmup,
        duration,
        ..ClientArgs::default()
    };
    let spec = Spec::new(suite.network_run(Duration::from_millis(400)));
    suite.measure("timer", &label, spec, |suite, rt| {
        netrun::one_run(suite, rt, Flavor::MultiThread(1), App::EchoIdle, &args, &label)
    });
    netrun::trace(
        suite,
        "timer",
        App::EchoIdle,
        &label,
        Flavor::MultiThread(1),
        &args,
        false,
    );
}

fn one_run(suite: &Suite, rt: Rt, pending: u64, ops: u64, label: &str) -> io::Result<Vec<Figure>> {
    let mut command = suite.self_command(suite.cpus.server_cpus(1));
    command.args(["timers", "--rt", rt.name(), "--pending"]);
    command.arg(pending.to_string()).arg("--ops").arg(ops.to_string());
    let child = Proc::spawn(command)?;
    let line = child.expect("RESULT", Duration::from_secs(120))?;
    let field = |name: &str| -> io::Result<f64> {
        line.split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| io::Error::other(format!("timers: no {name} in `{line}`")))
    };
    let rate = |ns: f64| ops as f64 / (ns / 1e9).max(1e-9);
    let mut figures = vec![
        Figure::rate(
            format!("insert+cancel, {label}, 1w"),
            "ops/s",
            rate(field("cancel_ns")?),
        ),
        Figure::rate(
            format!("insert+fire, {label}, 1w"),
            "ops/s",
            rate(field("fire_ns")?),
        ),
    ];
    if pending >= 10_000 {
        let bulk = pending as f64 / (field("bulk_ns")? / 1e9).max(1e-9);
        figures.push(Figure::rate(
            format!("insert all, then cancel all, {label}, 1w"),
            "timers/s",
            bulk,
        ));
    }
    if pending >= 1_000_000 {
        figures.push(Figure::cost(
            format!("{label}: memory per pending timer"),
            "B",
            field("bytes_per_timer")?,
        ));
    }
    Ok(figures)
}

/// `1,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
