//! The hyper rows of the `http` group (issue 21): the hyper servers of
//! `serve_hyper.rs` under HTTP/1 keep-alive with `wrk`, and HTTP/2 with
//! several streams per connection under `h2load`.

use std::io;
use std::time::Duration;

use crate::app::App;
use crate::install;
use crate::netrun::{setup, WORKERS};
use crate::proc::{self, Proc};
use crate::report::{self, Figure};
use crate::rt::{Flavor, Rt};
use crate::suite::{Spec, Suite};
use crate::wrk::{self, CONNECTIONS, WRK_SECS};

/// HTTP/2 load: connections, and streams in flight on each (`h2load -c -m`).
const H2_CONNECTIONS: usize = 16;
const H2_STREAMS: usize = 10;
/// Length of an h2load run, also with `--quick`: half a second is some
/// 40k requests on one worker, plenty for a mean, and what fits the row
/// in the suite's ten minutes (README, "Time budget").
const H2_DURATION: Duration = Duration::from_millis(500);

/// Repetitions of the hyper rows at most, fewer than the default R = 7 to
/// keep `all` within its ten minutes (README, "Time budget"): six is the
/// fewest whose pairs can still name a runtime (6 of 6 has p = 0.031).
/// `--quick` and a smaller `--runs` run fewer.
const RUNS: usize = 6;

/// The hyper rows of the `http` group: HTTP/1 keep-alive under wrk (when
/// `wrk` is available) on 1 and 2 workers, HTTP/2 under h2load on 1
/// worker (when `h2load` is installed or installs; a note says so
/// otherwise).
pub fn run(suite: &mut Suite, wrk: bool) {
    let runs = suite.opts.runs.min(RUNS);
    if wrk {
        for workers in WORKERS {
            let label = format!("hyper HTTP/1, {CONNECTIONS} conn keep-alive, wrk, {workers}w");
            let spec = Spec::new(Duration::from_secs(WRK_SECS) + setup(CONNECTIONS)).runs(runs);
            suite.measure("http", &label, spec, |suite, rt| {
                wrk::run(suite, rt, App::Hyper, workers, &label)
            });
        }
    }
    if !install::available(suite, "h2load", "nghttp2-client") {
        if !suite.planning() {
            suite
                .report
                .note("http: h2load is missing, so the hyper HTTP/2 row did not run");
        }
        return;
    }
    let duration = H2_DURATION;
    let label = format!("hyper HTTP/2, {H2_CONNECTIONS} conn × {H2_STREAMS} streams, h2load, 1w");
    let spec = Spec::new(duration + setup(H2_CONNECTIONS)).runs(runs);
    suite.measure("http", &label, spec, |suite, rt| {
        h2load_run(suite, rt, duration, &label)
    });
}

/// One run of h2load against a fresh 1-worker hyper server.
fn h2load_run(suite: &Suite, rt: Rt, duration: Duration, label: &str) -> io::Result<Vec<Figure>> {
    let (server, addr) = suite.start_server(rt, Flavor::MultiThread(1), App::Hyper)?;
    let mut command = suite.cpus.command(suite.cpus.client_cpus(), "h2load");
    command.args([
        "-t1".to_owned(),
        format!("-c{H2_CONNECTIONS}"),
        format!("-m{H2_STREAMS}"),
        format!("-D{}ms", duration.as_millis()),
    ]);
    command.arg(format!("http://{addr}/"));
    let (output, server_cpu) = proc::cpu_used_during(server.pid(), || {
        let h2load = Proc::spawn(command)?;
        h2load.lines_until("req/s", duration + Duration::from_secs(30))
    })?;
    let outcome = parse_h2load(&output)?;
    let mut figures = vec![
        Figure::rate(format!("{label}: throughput"), "req/s", outcome.requests_per_sec),
        Figure::cost(format!("{label}: mean latency"), "µs", outcome.mean_us),
    ];
    figures.extend(report::server_cpu_figures(label, server_cpu, outcome.completed));
    Ok(figures)
}

/// What h2load reports: it gives no percentiles, only the mean (and min,
/// max, deviation) of the time for a request.
#[derive(Debug, Clone, Copy, PartialEq)]
struct H2Outcome {
    requests_per_sec: f64,
    mean_us: f64,
    completed: f64,
}

/// Requests/s, the requests that succeeded and their mean time from
/// h2load's output; an error if any request failed.
fn parse_h2load(lines: &[String]) -> io::Result<H2Outcome> {
    let (mut requests_per_sec, mut completed, mut mean_us) = (None, None, None);
    for line in lines {
        if let Some(rest) = line.strip_prefix("finished in ") {
            // `finished in 1.00s, 123456.78 req/s, 4.50MB/s`
            requests_per_sec = rest
                .split(", ")
                .nth(1)
                .and_then(|r| r.strip_suffix(" req/s")?.parse().ok());
        } else if let Some(rest) = line.strip_prefix("requests: ") {
            // `requests: N total, N started, N done, N succeeded, 0 failed, 0 errored, 0 timeout`
            for part in rest.split(", ") {
                match part.split_once(' ') {
                    Some((n, "succeeded")) => completed = n.parse::<f64>().ok(),
                    Some((n, "failed" | "errored" | "timeout")) if n != "0" => {
                        return Err(io::Error::other(format!("h2load: {}", line.trim())))
                    }
                    _ => {}
                }
            }
        } else if let Some(rest) = line.strip_prefix("time for request:") {
            // min, max, mean, sd, +/- sd
            mean_us = rest.split_whitespace().nth(2).and_then(wrk::micros);
        }
    }
    match (requests_per_sec, mean_us, completed) {
        (Some(requests_per_sec), Some(mean_us), Some(completed)) if completed > 0.0 => Ok(H2Outcome {
            requests_per_sec,
            mean_us,
            completed,
        }),
        _ => Err(io::Error::other("could not parse h2load's output")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    const OUTPUT: &str = "\
finished in 1.00s, 123456.78 req/s, 4.50MB/s
requests: 123457 total, 123467 started, 123457 done, 123457 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 123457 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 4.50MB (4718592) total, 1.00MB (1048576) headers (space savings 90.00%), 1.59MB (1666666) data
                     min         max         mean         sd        +/- sd
time for request:       45us      5.12ms      1.29ms       321us    70.00%
time for connect:      123us       456us       234us        56us    62.50%
time to 1st byte:      789us      1.23ms       901us       123us    75.00%
req/s           :    7500.12     8000.34     7716.05      120.00    68.75%
";

    #[test]
    fn h2load_output() {
        let outcome = parse_h2load(&lines(OUTPUT)).unwrap();
        assert_eq!(
            outcome,
            H2Outcome {
                requests_per_sec: 123456.78,
                mean_us: 1290.0,
                completed: 123457.0,
            }
        );
    }

    #[test]
    fn h2load_failures_are_errors() {
        let failed = OUTPUT.replace("0 failed, 0 errored", "0 failed, 16 errored");
        assert!(parse_h2load(&lines(&failed)).is_err());
        let cut: String = OUTPUT.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(parse_h2load(&lines(&cut)).is_err());
    }
}
