//! `wrk`, the standard HTTP/1.1 load generator, as a cross-check of the
//! built-in client: installing it, one run against a fresh server, and
//! reading its `--latency` output.

use std::io;
use std::time::Duration;

use crate::app::App;
use crate::client::Outcome;
use crate::install;
use crate::proc::{self, Proc};
use crate::report::Figure;
use crate::rt::{Flavor, Rt};
use crate::suite::Suite;

/// Length of a wrk run, also with `--quick`: wrk is the bottleneck of its
/// rows, so a longer run only measures wrk more precisely (one second is
/// over 100k requests, enough for its p99); one second rather than two
/// made room for the current-thread rows in the suite's ten minutes
/// (README, "Time budget").
pub const WRK_SECS: u64 = 1;

/// Connections of the http rows' load, the built-in client's as wrk's
/// (`wrk -t1 -c64`).
pub const CONNECTIONS: usize = 64;

/// Whether `wrk` can be used (installed if missing, see `install`).
pub fn available(suite: &mut Suite) -> bool {
    install::available(suite, "wrk", "wrk")
}

/// One `WRK_SECS` run of wrk against a fresh server of `app` with `workers`.
pub fn run(suite: &Suite, rt: Rt, app: App, workers: usize, label: &str) -> io::Result<Vec<Figure>> {
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
    Ok(parse(&output)?.figures(label, server_cpu))
}

/// Requests/s and the 50%/99% latencies of wrk's `--latency` output.
fn parse(lines: &[String]) -> io::Result<Outcome> {
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
        let outcome = parse(&lines).unwrap();
        assert_eq!(outcome.requests_per_sec, 91234.56);
        assert_eq!((outcome.p50_us, outcome.p99_us), (120.0, 1500.0));
        assert_eq!(outcome.completed, 456173.0);
        assert_eq!(micros("2.00s"), Some(2e6));
    }
}
