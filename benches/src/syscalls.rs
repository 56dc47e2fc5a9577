//! System calls per request by kind, counted by `perf stat` on the
//! kernel's `syscalls:sys_enter_*` tracepoints, attached to a running
//! server process (all its threads).
//!
//! Needs `perf` (Debian: `linux-perf`), tracefs and the right to open
//! tracepoint events (root, or `perf_event_paranoid` ≤ -1). When any of it
//! is missing the suite skips these columns and says why in its notes.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::report::Figure;

/// Breakdown columns and the system calls each adds up (the first of each
/// is the usual one; the others are counted where the kernel has them).
const KINDS: [(&str, &[&str]); 5] = [
    ("recv", &["recvfrom", "read", "readv"]),
    ("send", &["sendto", "writev"]),
    ("epoll_wait", &["epoll_wait", "epoll_pwait", "epoll_pwait2"]),
    ("futex", &["futex"]),
    ("eventfd write", &["write"]),
];

/// Time given to `perf stat -p` to attach before the load starts: it
/// prints nothing when ready, and requests made before it attached would
/// be answered but not counted.
pub const ATTACH: Duration = Duration::from_millis(300);

/// The tracepoints this machine's perf can count, or why none can.
#[derive(Debug, Clone)]
pub struct Tracer {
    /// `syscalls:sys_enter_NAME` events that exist, by column.
    events: Vec<(&'static str, Vec<String>)>,
}

impl Tracer {
    /// Probes `perf` and the syscall tracepoints.
    pub fn detect() -> Result<Tracer, String> {
        let output = Command::new("perf")
            .args(["list", "--raw-dump", "tracepoint"])
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("`perf` cannot be run ({e}): install linux-perf"))?;
        let listed = String::from_utf8_lossy(&output.stdout).into_owned();
        let exists = |name: &str| {
            listed
                .split_whitespace()
                .any(|e| e == format!("syscalls:sys_enter_{name}"))
        };
        let events: Vec<(&'static str, Vec<String>)> = KINDS
            .iter()
            .map(|(column, calls)| {
                let names = calls
                    .iter()
                    .filter(|c| exists(c))
                    .map(|c| format!("syscalls:sys_enter_{c}"))
                    .collect();
                (*column, names)
            })
            .collect();
        if events.iter().all(|(_, names)| names.is_empty()) || !listed.contains("raw_syscalls:sys_enter") {
            return Err("perf lists no syscall tracepoints (is tracefs mounted?)".to_owned());
        }
        let tracer = Tracer { events };
        // Opening the events is what needs the privileges: try it once.
        let status = Command::new("perf")
            .args(["stat", "-x,", "-o", "/dev/null", "-e"])
            .arg(tracer.event_list())
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("perf stat failed to start: {e}"))?;
        if !status.success() {
            return Err(
                "perf stat cannot open syscall tracepoints (needs root or perf_event_paranoid ≤ -1)"
                    .to_owned(),
            );
        }
        Ok(tracer)
    }

    fn event_list(&self) -> String {
        let mut names: Vec<&str> = self
            .events
            .iter()
            .flat_map(|(_, names)| names.iter().map(String::as_str))
            .collect();
        names.push("raw_syscalls:sys_enter");
        names.join(",")
    }

    /// Starts counting the system calls of process `pid` (every thread).
    pub fn attach(&self, pid: u32) -> io::Result<Counting> {
        let out = std::env::temp_dir().join(format!("edgeio-bench-perf-{}-{pid}.csv", std::process::id()));
        let child = Command::new("perf")
            .args(["stat", "-x,", "-o"])
            .arg(&out)
            .arg("-e")
            .arg(self.event_list())
            .arg("-p")
            .arg(pid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(ATTACH);
        Ok(Counting {
            child,
            out,
            events: self.events.clone(),
        })
    }
}

/// A `perf stat` attached to a server.
#[derive(Debug)]
pub struct Counting {
    child: Child,
    out: PathBuf,
    events: Vec<(&'static str, Vec<String>)>,
}

impl Counting {
    /// Stops counting (SIGINT makes perf print its counts) and returns the
    /// breakdown columns per request, `requests` being what the server
    /// answered while perf was attached, as details of row `label`.
    pub fn finish(mut self, label: &str, requests: f64) -> io::Result<Vec<Figure>> {
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // child's, not yet waited for, so it cannot have been reused.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let status = self.child.wait()?;
        let text = std::fs::read_to_string(&self.out)
            .map_err(|e| io::Error::other(format!("perf stat ({status}) wrote no counts: {e}")))?;
        let _ = std::fs::remove_file(&self.out);
        let counts = parse(&text);
        let count = |name: &str| counts.get(name).copied().unwrap_or(0.0);
        let requests = requests.max(1.0);
        let mut figures = Vec::new();
        let mut listed = 0.0;
        for (column, names) in &self.events {
            let n: f64 = names.iter().map(|name| count(name)).sum();
            listed += n;
            figures.push(Figure::detail(label, column, n / requests));
        }
        let all = count("raw_syscalls:sys_enter");
        figures.push(Figure::detail(label, "other", (all - listed).max(0.0) / requests));
        figures.push(Figure::detail(label, "all syscalls", all / requests));
        Ok(figures)
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `perf stat -x,` lines: `count,unit,event,...`; comments start with `#`.
fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(',');
            let count = fields.next()?.trim().parse().ok()?;
            let event = fields.nth(1)?.trim().to_owned();
            Some((event, count))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_perf_csv() {
        let text = "# started on Sun Dec  6 23:59:00 2026\n\n\
                    1234,,syscalls:sys_enter_recvfrom,1000000,100.00,,\n\
                    <not counted>,,syscalls:sys_enter_futex,0,0.00,,\n\
                    5000,,raw_syscalls:sys_enter,1000000,100.00,,\n";
        let counts = parse(text);
        assert_eq!(counts["syscalls:sys_enter_recvfrom"], 1234.0);
        assert_eq!(counts["raw_syscalls:sys_enter"], 5000.0);
        assert!(!counts.contains_key("syscalls:sys_enter_futex"));
    }
}
