//! One network run of a row, as every server group makes it: a fresh
//! server of one runtime, the built-in client against it, and the
//! server's CPU time; or the same with `perf stat` counting its system
//! calls. Also what the groups share about them: the worker counts and the
//! set-up time of the estimates.

use std::io;
use std::time::Duration;

use crate::app::App;
use crate::client::{self, ClientArgs};
use crate::proc;
use crate::report::Figure;
use crate::rt::{Flavor, Rt};
use crate::suite::{Spec, Suite};
use crate::syscalls;

/// Server worker counts measured (the machine target has 2 cores).
pub const WORKERS: [usize; 2] = [1, 2];

/// Time to start a server and open `conns` connections, for estimates.
pub fn setup(conns: usize) -> Duration {
    Duration::from_millis(100) + Duration::from_micros(300 * conns as u64)
}

/// One server, one client run against it: requests/s, latency and the
/// server's CPU time per request.
pub fn one_run(
    suite: &Suite,
    rt: Rt,
    flavor: Flavor,
    app: App,
    args: &ClientArgs,
    label: &str,
) -> io::Result<Vec<Figure>> {
    let (server, addr) = suite.start_server(rt, flavor, app)?;
    let (outcome, server_cpu) = proc::cpu_used_during(server.pid(), || {
        client::run_to_end(suite, &ClientArgs { addr, ..args.clone() })
    })?;
    Ok(outcome.figures(label, server_cpu))
}

/// One extra run per server of row `label` with `perf stat` counting the
/// server's system calls, for the breakdown table (skipped where perf or
/// its tracepoints are unavailable: the notes say why).
pub fn trace(
    suite: &mut Suite,
    group: &str,
    app: App,
    label: &str,
    flavor: Flavor,
    args: &ClientArgs,
    floor: bool,
) {
    if suite.tracer.is_none() {
        return;
    }
    let per_run = suite.network_run(setup(args.conns)) + syscalls::ATTACH;
    let spec = Spec::new(per_run).runs(1).with_floor(floor);
    suite.measure(group, &format!("{label}, syscalls"), spec, |suite, rt| {
        let tracer = suite.tracer.as_ref().expect("checked above");
        let (server, addr) = suite.start_server(rt, flavor, app)?;
        let counting = tracer.attach(server.pid())?;
        let outcome = client::run_to_end(suite, &ClientArgs { addr, ..args.clone() })?;
        counting.finish(label, outcome.completed)
    });
}
