//! The two runtimes under test, built with the same flavour and worker
//! count.

use std::fmt;
use std::io;
use std::str::FromStr;

/// Which runtime a measurement ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rt {
    Edgeio,
    Tokio,
    /// No runtime: the hand-written single-threaded epoll loop of
    /// `floor.rs`, the reference the network groups' 1-worker rows are
    /// also compared with. Only servers run on it.
    Floor,
}

impl Rt {
    pub const BOTH: [Rt; 2] = [Rt::Edgeio, Rt::Tokio];

    pub fn name(self) -> &'static str {
        match self {
            Rt::Edgeio => "edgeio",
            Rt::Tokio => "tokio",
            Rt::Floor => "floor",
        }
    }

    pub fn parse(name: &str) -> Option<Rt> {
        [Rt::Edgeio, Rt::Tokio, Rt::Floor]
            .into_iter()
            .find(|rt| rt.name() == name)
    }
}

impl fmt::Display for Rt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a runtime schedules its tasks: tokio's two flavours, which both
/// runtimes offer under the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// No worker threads: the thread inside `block_on` runs the tasks and
    /// drives the reactor (`Builder::new_current_thread`).
    CurrentThread,
    /// That many worker threads (`Builder::new_multi_thread`).
    MultiThread(usize),
}

impl Flavor {
    /// Threads running tasks, for pinning.
    pub fn threads(self) -> usize {
        match self {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread(workers) => workers,
        }
    }
}

/// `current-thread`, or `Nw` for N workers: the suffix of a figure's
/// name, and what `server --workers` takes.
impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flavor::CurrentThread => f.write_str("current-thread"),
            Flavor::MultiThread(workers) => write!(f, "{workers}w"),
        }
    }
}

impl FromStr for Flavor {
    type Err = String;

    fn from_str(s: &str) -> Result<Flavor, String> {
        if s == "current-thread" {
            return Ok(Flavor::CurrentThread);
        }
        s.strip_suffix('w')
            .unwrap_or(s)
            .parse()
            .ok()
            .filter(|&workers| workers > 0)
            .map(Flavor::MultiThread)
            .ok_or_else(|| format!("`{s}` is neither `current-thread` nor a worker count"))
    }
}

/// An edgeio runtime of `flavor`.
pub fn edgeio(flavor: Flavor) -> io::Result<edgeio::Runtime> {
    match flavor {
        Flavor::CurrentThread => edgeio::Builder::new_current_thread().build(),
        Flavor::MultiThread(workers) => edgeio::Builder::new().worker_threads(workers).build(),
    }
}

/// A tokio runtime of `flavor`.
pub fn tokio(flavor: Flavor) -> io::Result<tokio::runtime::Runtime> {
    match flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        Flavor::MultiThread(workers) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build(),
    }
}

#[cfg(test)]
mod tests {
    use super::Flavor;

    #[test]
    fn flavor_round_trips_through_its_name() {
        for flavor in [
            Flavor::CurrentThread,
            Flavor::MultiThread(1),
            Flavor::MultiThread(16),
        ] {
            assert_eq!(flavor.to_string().parse(), Ok(flavor));
        }
        assert_eq!("2".parse(), Ok(Flavor::MultiThread(2)));
        assert!("0".parse::<Flavor>().is_err());
        assert!("threads".parse::<Flavor>().is_err());
    }
}
