//! Runs measurements on both runtimes, R times each, interleaved, and
//! shows the run's progress.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app::App;
use crate::options::Options;
use crate::proc::{CpuPlan, Proc};
use crate::report::{Figure, Report};
use crate::rt::{Flavor, Rt};
use crate::syscalls::Tracer;

/// How one row is measured.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// About how long one run takes, start-up included: the progress
    /// line's estimate of the time left is made of these, corrected by how
    /// long the runs so far took against their estimates.
    pub per_run: Duration,
    /// Repetitions; `None` for the suite's R.
    pub runs: Option<usize>,
    /// Also run the floor server, in every other repetition (0, 2, 4...):
    /// it is a reference, not one side of a pair, and half the runs give
    /// its median at half the cost.
    pub floor: bool,
}

impl Spec {
    /// R runs on each runtime, each about `per_run` long.
    pub fn new(per_run: Duration) -> Spec {
        Spec {
            per_run,
            runs: None,
            floor: false,
        }
    }

    /// With the floor server too.
    pub fn with_floor(self, floor: bool) -> Spec {
        Spec { floor, ..self }
    }

    /// `runs` repetitions instead of R.
    pub fn runs(self, runs: usize) -> Spec {
        Spec {
            runs: Some(runs),
            ..self
        }
    }
}

/// What the progress line knows: the rows planned and the time estimated
/// for those left.
#[derive(Debug, Default)]
struct Progress {
    /// Collecting the plan: `measure` only counts.
    planning: bool,
    rows: usize,
    done: usize,
    estimated: Duration,
    estimated_done: Duration,
    started: Option<Instant>,
}

/// The state of one suite run.
#[derive(Debug)]
pub struct Suite {
    pub opts: Options,
    pub report: Report,
    pub cpus: CpuPlan,
    /// Counts system calls, where perf and its tracepoints are available.
    pub tracer: Option<Tracer>,
    exe: PathBuf,
    progress: Progress,
}

impl Suite {
    pub fn new(opts: Options) -> io::Result<Suite> {
        let mut report = Report::default();
        let tracer = match Tracer::detect() {
            Ok(tracer) => Some(tracer),
            Err(why) => {
                report.note(format!("system calls per request not counted: {why}"));
                None
            }
        };
        Ok(Suite {
            opts,
            report,
            tracer,
            cpus: CpuPlan::detect(),
            exe: std::env::current_exe()?,
            progress: Progress::default(),
        })
    }

    /// Runs `groups` once without measuring anything, to learn how many
    /// rows there are and how long they should take; `measure` then shows
    /// progress against that plan.
    pub fn plan(&mut self, groups: impl FnOnce(&mut Suite)) {
        self.progress = Progress {
            planning: true,
            ..Progress::default()
        };
        let report = std::mem::take(&mut self.report);
        groups(self);
        self.report = report;
        self.progress.planning = false;
        self.progress.started = Some(Instant::now());
        eprintln!(
            "{} rows planned, about {} at the estimates",
            self.progress.rows,
            clock(self.progress.estimated)
        );
    }

    /// Whether this is the planning pass: groups skip their side effects
    /// (installing wrk, probing perf) and only call `measure`.
    pub fn planning(&self) -> bool {
        self.progress.planning
    }

    /// Runs `run` R times on each runtime of `spec` and records its
    /// figures under `group`. The runtimes alternate (edgeio first on even
    /// runs, tokio first on odd ones) so that drift in machine noise hits
    /// both alike; the floor, where it runs, goes between them. A failed
    /// run becomes a note; the others still count.
    pub fn measure(
        &mut self,
        group: &str,
        label: &str,
        spec: Spec,
        mut run: impl FnMut(&Suite, Rt) -> io::Result<Vec<Figure>>,
    ) {
        let runs = spec.runs.unwrap_or(self.opts.runs);
        let floor_runs = if spec.floor { runs.div_ceil(2) } else { 0 };
        let estimate = spec.per_run * (runs * Rt::BOTH.len() + floor_runs) as u32;
        if self.progress.planning {
            self.progress.rows += 1;
            self.progress.estimated += estimate;
            return;
        }
        self.progress.done += 1;
        eprint!(
            "[{}/{}] {group}: {label} ({}) ",
            self.progress.done,
            self.progress.rows.max(self.progress.done),
            self.time_left()
        );
        for rep in 0..runs {
            let order = match (rep % 2, spec.floor) {
                (0, true) => vec![Rt::Edgeio, Rt::Floor, Rt::Tokio],
                (0, false) => vec![Rt::Edgeio, Rt::Tokio],
                _ => vec![Rt::Tokio, Rt::Edgeio],
            };
            for rt in order {
                match run(self, rt) {
                    Ok(figures) => self.report.add(group, rep, rt, figures),
                    Err(e) => self
                        .report
                        .note(format!("{group} / {label} on {rt}: a run failed: {e}")),
                }
            }
            eprint!(".");
        }
        eprintln!();
        self.progress.estimated_done += estimate;
    }

    /// "m:ss elapsed, about m:ss left": the estimates of the rows left,
    /// scaled by how the rows done so far compared with theirs.
    fn time_left(&self) -> String {
        let Some(started) = self.progress.started else {
            return "unplanned".to_owned();
        };
        let elapsed = started.elapsed();
        let left = self
            .progress
            .estimated
            .saturating_sub(self.progress.estimated_done);
        let pace = if self.progress.estimated_done.is_zero() {
            1.0
        } else {
            elapsed.as_secs_f64() / self.progress.estimated_done.as_secs_f64()
        };
        format!(
            "{} elapsed, about {} left",
            clock(elapsed),
            clock(left.mul_f64(pace))
        )
    }

    /// The bench binary itself, pinned to `cpus`.
    pub fn self_command(&self, cpus: Option<String>) -> std::process::Command {
        self.cpus.command(cpus, &self.exe)
    }

    /// Starts a server process for `app` on a runtime of `flavor` and
    /// returns it with its address.
    pub fn start_server(&self, rt: Rt, flavor: Flavor, app: App) -> io::Result<(Proc, SocketAddr)> {
        let mut command = self.self_command(self.cpus.server_cpus(flavor.threads()));
        command.args(["server", "--rt", rt.name(), "--app", app.name(), "--workers"]);
        command.arg(flavor.to_string());
        let server = Proc::spawn(command)?;
        let port: u16 = server
            .expect("PORT", Duration::from_secs(10))?
            .parse()
            .map_err(|_| io::Error::other("server printed a bad port"))?;
        Ok((server, SocketAddr::from(([127, 0, 0, 1], port))))
    }

    /// How long each timed network run lasts.
    pub fn durations(&self) -> (Duration, Duration) {
        if self.opts.quick {
            (Duration::from_millis(100), Duration::from_millis(300))
        } else {
            (Duration::from_millis(200), Duration::from_millis(1000))
        }
    }

    /// The estimated length of one network run: the client's warm-up and
    /// measured window, plus `setup` (starting the server, connecting).
    pub fn network_run(&self, setup: Duration) -> Duration {
        let (warmup, duration) = self.durations();
        warmup + duration + setup
    }
}

/// `m:ss`.
fn clock(d: Duration) -> String {
    let secs = d.as_secs();
    format!("{}:{:02}", secs / 60, secs % 60)
}
