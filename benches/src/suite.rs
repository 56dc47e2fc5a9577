//! Runs measurements on both runtimes, R times each, interleaved.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::Options;
use crate::proc::{CpuPlan, Proc};
use crate::report::{Figure, Report};
use crate::rt::Rt;
use crate::server::App;

/// The state of one suite run.
#[derive(Debug)]
pub struct Suite {
    pub opts: Options,
    pub report: Report,
    pub cpus: CpuPlan,
    exe: PathBuf,
}

impl Suite {
    pub fn new(opts: Options) -> io::Result<Suite> {
        Ok(Suite {
            opts,
            report: Report::default(),
            cpus: CpuPlan::detect(),
            exe: std::env::current_exe()?,
        })
    }

    /// Runs `run` R times on each runtime and records its figures under
    /// `group`. The runtimes alternate (edgeio first on even runs, tokio
    /// first on odd ones) so that drift in machine noise hits both alike.
    /// A failed run becomes a note; the others still count.
    pub fn measure(
        &mut self,
        group: &str,
        label: &str,
        mut run: impl FnMut(&Suite, Rt) -> io::Result<Vec<Figure>>,
    ) {
        eprint!("{group}: {label} ");
        for rep in 0..self.opts.runs {
            let order = if rep % 2 == 0 {
                Rt::BOTH
            } else {
                [Rt::Tokio, Rt::Edgeio]
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
    }

    /// The bench binary itself, pinned to `cpus`.
    pub fn self_command(&self, cpus: Option<String>) -> std::process::Command {
        self.cpus.command(cpus, &self.exe)
    }

    /// Starts a server process for `app` and returns it with its address.
    pub fn start_server(&self, rt: Rt, workers: usize, app: App) -> io::Result<(Proc, SocketAddr)> {
        let mut command = self.self_command(self.cpus.server_cpus(workers));
        command.args(["server", "--rt", rt.name(), "--app", app.name(), "--workers"]);
        command.arg(workers.to_string());
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
}
