//! C10K: many idle connections, traffic on a few, and what they cost the
//! server in resident memory.

use std::io;
use std::time::Duration;

use crate::app::App;
use crate::client::{self, ClientArgs, Mode, Outcome};
use crate::netrun::setup;
use crate::proc;
use crate::report::Figure;
use crate::rt::{Flavor, Rt};
use crate::suite::{Spec, Suite};

const IDLE: usize = 10_000;
const ACTIVE: usize = 100;
/// File descriptors kept for everything but the connections.
const FD_MARGIN: u64 = 200;
const WORKERS: usize = 1;
/// What each idle connection echoes once before it goes idle: a whole
/// read buffer of the echo server (`serve_echo::BUF`), so that every buffer is
/// resident. With a 1-byte echo, whether the untouched rest of a 16 KiB
/// `vec![0; n]` cost resident memory depended on glibc's heap layout
/// (fresh pages from the top of the heap are not written by `calloc`,
/// recycled ones are), which differed between the runtimes by the order of
/// their allocations: 12.6 against 20.9 KiB per connection, where the
/// runtimes' own costs differ by a fraction of a KiB (`FINDINGS.md`, item 23).
const IDLE_MESSAGE: usize = 16 * 1024;

/// The `c10k` group.
pub fn run(suite: &mut Suite) {
    let idle = match proc::raise_nofile() {
        Ok(limit) => {
            let fit = limit.saturating_sub(ACTIVE as u64 + FD_MARGIN) as usize;
            if fit < IDLE {
                suite.report.note(format!(
                    "c10k: RLIMIT_NOFILE hard limit is {limit}: scaled down to {fit} idle connections"
                ));
            }
            fit.min(IDLE)
        }
        Err(e) => {
            suite
                .report
                .note(format!("c10k: could not raise RLIMIT_NOFILE ({e}); skipped"));
            return;
        }
    };
    let (warmup, duration) = suite.durations();
    let args = ClientArgs {
        mode: Mode::Echo,
        conns: ACTIVE,
        size: 64,
        warmup,
        duration: duration * 2,
        idle,
        idle_size: IDLE_MESSAGE,
        ..ClientArgs::default()
    };
    suite.report.note(
        "c10k: memory per connection = (server VmRSS with all idle connections accepted − VmRSS \
         before) / idle connections; each idle connection first echoed 16 KiB once, so its 16 KiB \
         read buffer is resident on both runtimes (finding 23); kernel socket buffers are not in VmRSS",
    );
    let label = format!("{idle} idle + {ACTIVE} active × 64 B, {WORKERS}w");
    let spec = Spec::new(suite.network_run(setup(idle)) + duration);
    suite.measure("c10k", &label, spec, |suite, rt| {
        one_run(suite, rt, &args, &label)
    });
}

fn one_run(suite: &Suite, rt: Rt, args: &ClientArgs, label: &str) -> io::Result<Vec<Figure>> {
    let (server, addr) = suite.start_server(rt, Flavor::MultiThread(WORKERS), App::Echo)?;
    let before = proc::rss_kib(server.pid())?;
    let args = ClientArgs { addr, ..args.clone() };
    let mut client = client::spawn(suite, &args)?;
    let opened: f64 = client
        .expect("READY", Duration::from_secs(120))?
        .parse()
        .map_err(|_| io::Error::other("client printed a bad READY line"))?;
    let loaded = proc::rss_kib(server.pid())?;
    let (outcome, server_cpu) = proc::cpu_used_during(server.pid(), || {
        client.send_line("go")?;
        Outcome::wait(&client, &args)
    })?;
    let mut figures = outcome.figures(label, server_cpu);
    figures.push(Figure::cost(
        format!("{label}: server memory per idle connection"),
        "KiB",
        loaded.saturating_sub(before) as f64 / opened,
    ));
    Ok(figures)
}
