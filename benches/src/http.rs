//! HTTP/1.1 keep-alive hello world: the `http` group, its servers
//! (`serve_http.rs`) driven by the built-in client and, as a cross-check
//! with a standard tool, by `wrk`; then its hyper rows (`hyper_http.rs`).
//!
//! `wrk -t1` is the bottleneck here: on its CPU it tops out near 110–145k
//! requests/s at 100 % while a 1-worker server of either runtime sits
//! around 55 %, so its rows measure wrk as much as the servers. The
//! built-in client (a bare epoll loop, about 190k requests/s on one CPU)
//! keeps the 1-worker server saturated, so its rows compare the servers.

use std::time::Duration;

use crate::app::App;
use crate::client::{ClientArgs, Mode};
use crate::netrun::{one_run, setup, trace, WORKERS};
use crate::rt::Flavor;
use crate::suite::{Spec, Suite};
use crate::wrk::{self, CONNECTIONS, WRK_SECS};

/// The `http` group.
pub fn run(suite: &mut Suite) {
    let wrk = wrk::available(suite);
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
                wrk::run(suite, rt, App::Http, workers, &label)
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
