//! Child processes whose exit and pipes are events in the reactor:
//! tokio's `process` module.
//!
//! - A child's exit is a readable `pidfd` (`pidfd_open`, Linux 5.3+) in the
//!   runtime's epoll set, so [`Child::wait`] ties up no thread, and there is
//!   neither a reaper thread nor a SIGCHLD handler. Only where the kernel
//!   lacks `pidfd_open` (`ENOSYS`, or `EPERM` from an old seccomp filter)
//!   does edgeio fall back to a SIGCHLD listener (see
//!   [`signal::unix`](crate::signal::unix)) followed by
//!   `waitpid(pid, WNOHANG)` for the child concerned.
//! - Piped stdin, stdout and stderr are non-blocking pipes registered with
//!   the same reactor, implementing `futures-io`'s `AsyncWrite` and
//!   `AsyncRead`.
//!
//! # Zombies
//!
//! Every child is reaped. One waited for is reaped by the wait; one
//! dropped while it still runs (killed first with
//! [`Command::kill_on_drop`]) is handed to a task on the runtime that
//! spawned it, which reaps it as soon as its pidfd fires. If that runtime
//! shuts down first, the child joins a process-wide queue swept (with
//! `waitpid(WNOHANG)` on each queued child, never `waitpid(-1)`) whenever
//! a child is spawned or dropped, in any runtime. So a zombie can only
//! outlive its exit when its runtime was shut down and the process spawns
//! nothing afterwards — the best-effort promise tokio makes too.
//!
//! ```
//! # edgeio::block_on(async {
//! use edgeio::process::Command;
//! use futures_util::io::{AsyncBufReadExt, BufReader};
//! use futures_util::StreamExt;
//! use std::process::Stdio;
//!
//! let mut child = Command::new("ls").stdout(Stdio::piped()).spawn()?;
//! let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
//! while let Some(line) = lines.next().await {
//!     println!("{}", line?);
//! }
//! assert!(child.wait().await?.success());
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod child;
mod command;
mod exit;
mod orphan;
mod stdio;

pub use child::Child;
pub use command::Command;
pub use std::process::{ExitStatus, Output, Stdio};
pub use stdio::{ChildStderr, ChildStdin, ChildStdout};
