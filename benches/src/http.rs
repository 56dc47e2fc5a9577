//! HTTP/1.1 keep-alive hello world: the `http` group, its servers
//! (`serve_http.rs`) driven by the built-in client and, as a cross-check
//! with a standard tool, by `wrk`; then its hyper rows (`hyper_http.rs`).
//!
//! `wrk -t1` is the bottleneck here: on its CPU it tops out near 110–145k
//! requests/s at 100 % while a 1-worker server of either runtime sits
//! around 55 %, so its rows measure wrk as much as the servers. The
//! built-in client (a bare epoll loop, about 190k requests/s on one CPU)
//! keeps the 1-worker server saturated, so its rows compare the servers.

use std::io;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::app::App;
use crate::client::{ClientArgs, Mode, Outcome};
use crate::netrun::{one_run, setup, trace, WORKERS};
use crate::proc::{self, Proc};
use crate::report::Figure;
use crate::rt::{Flavor, Rt};
use crate::suite::{Spec, Suite};

/// Length of a wrk run, also with `--quick`: wrk is the bottleneck of its
/// rows, so a longer run only measures wrk more precisely (one second is
/// over 100k requests, enough for its p99); one second rather than two
/// made room for the current-thread rows in the suite's ten minutes
/// (README, "Time budget").
pub const WRK_SECS: u64 = 1;

/// Connections of the load, as in `wrk -t1 -c64`.
pub const CONNECTIONS: usize = 64;

/// Whether `wrk` can be used, installing it with apt-get when it is
/// missing and `CI` is unset.
fn wrk_available(suite: &mut Suite) -> bool {
    if proc::has_program("wrk") {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        return false;
    }
    if suite.planning() {
        // Planned as if the install will work.
        return true;
    }
    eprintln!("http: wrk not found, trying `apt-get install -y wrk`");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "wrk"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        suite
            .report
            .note("http: wrk is missing and `apt-get install -y wrk` failed");
    }
    installed && proc::has_program("wrk")
}

/// The `http` group.
pub fn run(suite: &mut Suite) {
    let wrk = wrk_available(suite);
    let (warmup, duration) = suite.durations();
    suite.report.note(format!(
        "http: \"{CONNECTIONS} conn keep-alive\" rows are loaded by the built-in client; \"wrk\" rows by \
         `wrk -t1 -c{CONNECTIONS} -d{WRK_SECS}s --latency`, which saturates its CPU first, so they measure \
         wrk as much as the servers"
    ));
    if !wrk {
        suite
            .report
            .note("http: wrk unavailable; only the built-in client ran");
    }
    let args = ClientArgs {
        mode: Mode::Http,
        conns: CONNECTIONS,
        warmup,
        duration,
        ..ClientArgs::default()
    };
    for workers in WORKERS {
        let flavor = Flavor::MultiThread(workers);
        let label = format!("{CONNECTIONS} conn keep-alive, {flavor}");
        let spec = Spec::new(suite.network_run(setup(CONNECTIONS))).with_floor(workers == 1);
        suite.measure("http", &label, spec, |suite, rt| {
            one_run(suite, rt, flavor, App::Http, &args, &label)
        });
        if workers == 1 {
            trace(suite, "http", App::Http, &label, flavor, &args, true);
        }
        if wrk {
            let label = format!("{CONNECTIONS} conn keep-alive, wrk, {workers}w");
            let spec = Spec::new(Duration::from_secs(WRK_SECS) + setup(CONNECTIONS)).with_floor(workers == 1);
            suite.measure("http", &label, spec, |suite, rt| {
                wrk_run(suite, rt, App::Http, workers, &label)
            });
        }
    }
    // Both runtimes' current-thread flavour (issue 22), loaded by the
    // built-in client only: it keeps a one-thread server saturated, where
    // wrk would measure itself. No floor: it ran beside the 1-worker row.
    let label = format!("{CONNECTIONS} conn keep-alive, {}", Flavor::CurrentThread);
    let spec = Spec::new(suite.network_run(setup(CONNECTIONS)));
    suite.measure("http", &label, spec, |suite, rt| {
        one_run(suite, rt, Flavor::CurrentThread, App::Http, &args, &label)
    });
    crate::hyper_http::run(suite, wrk);
}

/// One `WRK_SECS` run of wrk against a fresh server of `app` with `workers`.
pub fn wrk_run(suite: &Suite, rt: Rt, app: App, workers: usize, label: &str) -> io::Result<Vec<Figure>> {
    let secs = WRK_SECS;
    let (server, addr) = suite.start_server(rt, Flavor::MultiThread(workers), app)?;
    let mut command = suite.cpus.command(suite.cpus.client_cpus(), "wrk");
    command.args([
        "-t1",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{secs}s"),
        "--latency",
    ]);
    command.arg(format!("http://{addr}/"));
    let (output, server_cpu) = proc::cpu_used_during(server.pid(), || {
        let wrk = Proc::spawn(command)?;
        wrk.lines_until("Transfer/sec", Duration::from_secs(secs + 30))
    })?;
    Ok(parse_wrk(&output)?.figures(label, server_cpu))
}

/// Requests/s and the 50%/99% latencies of wrk's `--latency` output.
fn parse_wrk(lines: &[String]) -> io::Result<Outcome> {
    let (mut requests_per_sec, mut completed) = (None, None);
    let (mut p50_us, mut p99_us) = (None, None);
    for line in lines {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some(n), Some("requests")) => completed = n.parse().ok(),
            (Some("Requests/sec:"), Some(v)) => requests_per_sec = v.parse().ok(),
            (Some("50%"), Some(v)) => p50_us = micros(v),
            (Some("99%"), Some(v)) => p99_us = micros(v),
            (Some("Non-2xx" | "Socket"), _) => return Err(io::Error::other(format!("wrk: {}", line.trim()))),
            _ => {}
        }
    }
    match (requests_per_sec, p50_us, p99_us, completed) {
        (Some(requests_per_sec), Some(p50_us), Some(p99_us), Some(completed)) => Ok(Outcome {
            requests_per_sec,
            p50_us,
            p99_us,
            completed,
        }),
        _ => Err(io::Error::other("could not parse wrk's output")),
    }
}

/// wrk's durations (`812.00us`, `1.20ms`, `2.00s`) in microseconds.
pub fn micros(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let value: f64 = text[..split].parse().ok()?;
    let scale = match &text[split..] {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        _ => return None,
    };
    Some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_output() {
        let text = "  Latency Distribution\n     50%  120.00us\n     99%    1.50ms\n  \
                    456173 requests in 5.00s, 52.20MB read\nRequests/sec:  91234.56\n";
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let outcome = parse_wrk(&lines).unwrap();
        assert_eq!(outcome.requests_per_sec, 91234.56);
        assert_eq!((outcome.p50_us, outcome.p99_us), (120.0, 1500.0));
        assert_eq!(outcome.completed, 456173.0);
        assert_eq!(micros("2.00s"), Some(2e6));
    }
}
