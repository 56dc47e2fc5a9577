//! C10K: many idle connections, traffic on a few, and what they cost the
//! server in resident memory.

use std::io;
use std::time::Duration;

use crate::client::{self, ClientArgs, Mode, Outcome};
use crate::echo::setup;
use crate::proc;
use crate::report::Figure;
use crate::rt::Rt;
use crate::server::App;
use crate::suite::{Spec, Suite};

const IDLE: usize = 10_000;
const ACTIVE: usize = 100;
/// File descriptors kept for everything but the connections.
const FD_MARGIN: u64 = 200;
const WORKERS: usize = 1;

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
        ..ClientArgs::default()
    };
    suite.report.note(
        "c10k: memory per connection = (server VmRSS with all idle connections accepted − VmRSS \
         before) / idle connections; kernel socket buffers are not in VmRSS",
    );
    let label = format!("{idle} idle + {ACTIVE} active × 64 B, {WORKERS}w");
    let spec = Spec::new(suite.network_run(setup(idle)) + duration);
    suite.measure("c10k", &label, spec, |suite, rt| {
        one_run(suite, rt, &args, &label)
    });
}

fn one_run(suite: &Suite, rt: Rt, args: &ClientArgs, label: &str) -> io::Result<Vec<Figure>> {
    let (server, addr) = suite.start_server(rt, WORKERS, App::Echo)?;
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
