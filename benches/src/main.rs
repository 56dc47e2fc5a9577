//! `cargo run --release -p edgeio-benches -- all [--quick]`: edgeio and
//! tokio side by side; see `benches/README.md`.

use std::process::ExitCode;

use edgeio_benches::cli::{self, Command};
use edgeio_benches::group::Group;
use edgeio_benches::options::Options;
use edgeio_benches::suite::Suite;
use edgeio_benches::{c10k, charts, client, echo, http, micro, pool, proc, server, timer};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match cli::parse(&args) {
        Ok(Command::Suite(opts)) => run_suite(opts),
        Ok(Command::Server(args)) => server::run(&args),
        Ok(Command::Client(args)) => client::run(&args),
        Ok(Command::Timers(args)) => timer::child(&args),
        Ok(Command::Pool(paths)) => pool::run(&paths),
        Err(e) => {
            eprintln!("{e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_suite(opts: Options) -> std::io::Result<()> {
    let mut suite = Suite::new(opts)?;
    let groups = suite.opts.groups.clone();
    let run_groups = |suite: &mut Suite| {
        for &group in &groups {
            match group {
                Group::Echo => echo::run(suite),
                Group::Scaling => echo::scaling(suite),
                Group::Http => http::run(suite),
                Group::Micro => micro::run(suite),
                Group::Timer => timer::run(suite),
                Group::C10k => c10k::run(suite),
            }
        }
    };
    suite.plan(run_groups);
    let started = std::time::Instant::now();
    run_groups(&mut suite);
    let header = format!(
        "Produced by `{}` on {}, in {:.0} s.\n\n## Machine\n\n{}\
         - Runs per figure: R = {} (runtimes alternating, one pair per repetition); each cell is the median (min–max) of R runs, or of the R per-pair ratios\n\
         - Server workers: `Nw` in a figure's name; tokio is the multi-thread scheduler with the same count; \
         `current-thread`: both runtimes' current-thread flavour\n\
         - Pinning: {}\n",
        suite.opts.command,
        proc::now_utc(),
        started.elapsed().as_secs_f64(),
        proc::machine(),
        suite.opts.runs,
        suite.cpus.describe(),
    );
    println!(
        "{}\n{}\n{}",
        suite.report.summary(),
        suite.report.table(),
        suite.report.notes()
    );
    let charts = charts::write(&suite.report, &suite.opts.out)?;
    suite.report.write_results(&suite.opts.out, &header, &charts)?;
    eprintln!("wrote {}", suite.opts.out.display());
    Ok(())
}
