//! The two runtimes under test, built with the same worker count.

use std::fmt;
use std::io;

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

/// An edgeio runtime with `workers` worker threads.
pub fn edgeio(workers: usize) -> io::Result<edgeio::Runtime> {
    edgeio::Builder::new().worker_threads(workers).build()
}

/// A multi-thread tokio runtime with `workers` worker threads.
pub fn tokio(workers: usize) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
}
