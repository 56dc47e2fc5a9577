//! edgeio versus tokio: the same workloads on both runtimes, in one run.
//!
//! `main.rs` is the command line; the modules are the pieces it drives.
//! See `benches/README.md` for how to run the suite and read its output.

pub mod app;
pub mod c10k;
pub mod charts;
pub mod cli;
pub mod client;
pub mod echo;
pub mod flags;
pub mod floor;
pub mod group;
pub mod http;
pub mod http_wire;
pub mod hyper_http;
pub mod install;
pub mod loadgen;
pub mod micro;
pub mod netrun;
pub mod notify;
pub mod options;
pub mod pool;
pub mod proc;
pub mod report;
pub mod rt;
pub mod serve_echo;
pub mod serve_http;
pub mod serve_hyper;
pub mod server;
pub mod suite;
pub mod syscalls;
pub mod timer;
pub mod verdict;
pub mod wrk;
