//! Child processes, CPU pinning, resource limits and `/proc` readings.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// A child process whose stdout is read line by line; killed on drop.
#[derive(Debug)]
pub struct Proc {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Proc {
    /// Starts `command` with piped stdin and stdout (stderr is inherited).
    pub fn spawn(mut command: Command) -> io::Result<Proc> {
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Ok(Proc { child, stdin, lines })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits at most `timeout` for a line starting with `prefix` and
    /// returns the rest of it; other lines are skipped.
    pub fn expect(&self, prefix: &str, timeout: Duration) -> io::Result<String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return Ok(rest.trim().to_owned());
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no `{prefix}` line within {timeout:?}"),
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::other(format!(
                        "child exited before printing `{prefix}`"
                    )))
                }
            }
        }
    }

    /// Every line up to and including the first starting with `prefix`,
    /// waiting at most `timeout` in all.
    pub fn lines_until(&self, prefix: &str, timeout: Duration) -> io::Result<Vec<String>> {
        let deadline = std::time::Instant::now() + timeout;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .map_err(|_| io::Error::other(format!("no `{prefix}` line within {timeout:?}")))?;
            let last = line.starts_with(prefix);
            lines.push(line);
            if last {
                return Ok(lines);
            }
        }
    }

    /// Writes one line to the child's stdin.
    pub fn send_line(&mut self, line: &str) -> io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("stdin closed"))?;
        writeln!(stdin, "{line}")?;
        stdin.flush()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Exits the process once stdin reaches EOF, i.e. when the parent bench
/// process is gone, so no server outlives the suite.
pub fn exit_with_parent() {
    thread::spawn(|| {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        std::process::exit(0);
    });
}

/// Pins the calling thread to `cpu` if the machine has more than one CPU
/// (and the kernel agrees); otherwise leaves it where it is. Used by
/// in-process benchmarks whose two busy threads must not share a CPU.
pub fn pin_current_thread(cpu: usize) {
    if thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return;
    }
    // SAFETY: cpu_set_t is a plain bit array, valid when zeroed; CPU_SET
    // ignores a `cpu` beyond the set's size. sched_setaffinity with pid 0
    // applies to the calling thread and reads exactly `size_of` bytes of
    // `set`. Failure (say, the CPU is outside our cpuset) only leaves the
    // thread unpinned.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// Where the load generator and the server run.
#[derive(Debug, Clone)]
pub struct CpuPlan {
    pub cpus: usize,
    pub taskset: bool,
}

impl CpuPlan {
    pub fn detect() -> CpuPlan {
        let cpus = thread::available_parallelism().map_or(1, |n| n.get());
        let taskset = Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        CpuPlan { cpus, taskset }
    }

    fn pinning(&self) -> bool {
        self.taskset && self.cpus >= 2
    }

    /// The CPU list for the client and load generators: CPU 0.
    pub fn client_cpus(&self) -> Option<String> {
        self.pinning().then(|| "0".to_owned())
    }

    /// The CPU list for a server with `workers` workers: CPUs 1.. when
    /// they suffice, else every CPU (sharing CPU 0 with the client).
    pub fn server_cpus(&self, workers: usize) -> Option<String> {
        if !self.pinning() {
            None
        } else if workers < self.cpus {
            Some(format!("1-{workers}"))
        } else {
            Some(format!("0-{}", self.cpus - 1))
        }
    }

    /// A command running `program`, pinned to `cpus` when given.
    pub fn command(&self, cpus: Option<String>, program: impl AsRef<OsStr>) -> Command {
        match cpus {
            Some(cpus) => {
                let mut command = Command::new("taskset");
                command.arg("-c").arg(cpus).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    pub fn describe(&self) -> String {
        if self.pinning() {
            format!(
                "taskset: load generator on CPU 0; a 1-worker server on CPU 1; a server with as many workers \
                 as CPUs ({}) on all CPUs, sharing CPU 0 with the load generator",
                self.cpus
            )
        } else if self.taskset {
            "not pinned: only one CPU".to_owned()
        } else {
            "not pinned: `taskset` not found".to_owned()
        }
    }
}

/// CPU time a process used over some stretch of time.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuUse {
    /// All threads, user and kernel, from `schedstat` (ns resolution).
    pub total: Duration,
    /// In user mode, from `/proc/PID/stat`'s `utime` (clock ticks).
    pub user: Duration,
    /// In kernel mode, from `/proc/PID/stat`'s `stime` (clock ticks).
    pub kernel: Duration,
}

impl CpuUse {
    /// `total` split in the proportion of the tick counts: the kernel
    /// samples user or kernel mode once per tick (10 ms), so a run of a
    /// second has a few dozen samples; the split is that coarse, the
    /// total is exact.
    pub fn split(&self) -> (Duration, Duration) {
        let ticks = self.user + self.kernel;
        if ticks.is_zero() {
            return (Duration::ZERO, Duration::ZERO);
        }
        let user = self.total.mul_f64(self.user.as_secs_f64() / ticks.as_secs_f64());
        (user, self.total.saturating_sub(user))
    }
}

impl CpuUse {
    fn now(pid: u32) -> io::Result<CpuUse> {
        let (user, kernel) = user_kernel(pid)?;
        Ok(CpuUse {
            total: cpu_time(pid)?,
            user,
            kernel,
        })
    }

    fn since(self, before: CpuUse) -> CpuUse {
        CpuUse {
            total: self.total.saturating_sub(before.total),
            user: self.user.saturating_sub(before.user),
            kernel: self.kernel.saturating_sub(before.kernel),
        }
    }
}

/// CPU time process `pid` has used so far, all threads, user and kernel:
/// the sum of the first field of `/proc/PID/task/*/schedstat` (ns, unlike
/// `/proc/PID/stat`'s 10 ms ticks).
fn cpu_time(pid: u32) -> io::Result<Duration> {
    let mut total_ns: u64 = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let path = task?.path().join("schedstat");
        // A thread may exit between listing and reading: it no longer counts.
        let Ok(schedstat) = std::fs::read_to_string(path) else {
            continue;
        };
        total_ns += schedstat
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other("unreadable /proc/PID/task/TID/schedstat"))?;
    }
    Ok(Duration::from_nanos(total_ns))
}

/// User and kernel CPU time of process `pid`, all threads: fields 14 and
/// 15 (`utime`, `stime`) of `/proc/PID/stat`, in clock ticks.
fn user_kernel(pid: u32) -> io::Result<(Duration, Duration)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces: count from after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| -> io::Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| io::Error::other("unreadable /proc/PID/stat"))
    };
    // Fields 14 and 15, counted from 1; `fields[0]` is field 3.
    let (user, kernel) = (ticks(11)?, ticks(12)?);
    // SAFETY: sysconf has no memory-safety preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let to_duration = |t: u64| Duration::from_nanos(t.saturating_mul(1_000_000_000) / hz);
    Ok((to_duration(user), to_duration(kernel)))
}

/// Runs `f` and returns its result with the CPU time process `pid` used
/// meanwhile.
pub fn cpu_used_during<T>(pid: u32, f: impl FnOnce() -> io::Result<T>) -> io::Result<(T, CpuUse)> {
    let before = CpuUse::now(pid)?;
    let value = f()?;
    Ok((value, CpuUse::now(pid)?.since(before)))
}

/// Resident memory of process `pid` in KiB (`VmRSS` in `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other("no VmRSS in /proc/PID/status"))
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the new limit.
pub fn raise_nofile() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: `limit` is a valid rlimit whose soft limit equals its hard one.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}

/// Whether `program` can be started.
pub fn has_program(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// CPU model, CPU count and kernel, for the results header.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let logical = cpuinfo.lines().filter(|l| l.starts_with("processor")).count();
    let nproc = thread::available_parallelism().map_or(1, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or_else(|| "?".to_owned(), |kib| format!("{} GiB", kib / (1024 * 1024)));
    format!(
        "- CPU: {model} ({logical} logical CPUs in /proc/cpuinfo, nproc = {nproc})\n\
         - Memory: {memory}\n\
         - Kernel: Linux {}\n",
        kernel.trim()
    )
}

/// The current UTC date and time, `YYYY-MM-DD HH:MM UTC`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}
