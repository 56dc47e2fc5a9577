//! Runs a child process and streams its stdout and stderr line by line as
//! they are written, then reports how it exited.
//!
//! ```text
//! cargo run --example child_output [PROGRAM [ARGS...]]
//! ```
//!
//! Without arguments the child is a small shell script that prints a few
//! lines on both streams, a tenth of a second apart, so you can watch them
//! arrive one by one. The program exits with the child's exit code.
//!
//! The child's pipes and its exit (a pidfd) are all events in the
//! runtime's epoll set: no thread waits for the child.

use std::io;
use std::process::Stdio;
use std::time::Instant;

use edgeio::process::Command;
use futures_util::io::{AsyncBufReadExt, AsyncRead, BufReader};
use futures_util::StreamExt;

const DEMO: &str = "for i in 1 2 3 4 5; do echo \"line $i\"; echo \"warning $i\" >&2; sleep 0.1; done";

/// Prints every line of `pipe`, tagged with `name` and the time since
/// `start`, until the child closes it.
async fn stream_lines(pipe: impl AsyncRead + Unpin, name: &'static str, start: Instant) -> io::Result<()> {
    let mut lines = BufReader::new(pipe).lines();
    while let Some(line) = lines.next().await {
        println!("{:>7.3}s [{name}] {}", start.elapsed().as_secs_f64(), line?);
    }
    Ok(())
}

#[edgeio::main]
async fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut command = match args.split_first() {
        Some((program, rest)) => {
            let mut command = Command::new(program);
            command.args(rest);
            command
        }
        None => {
            let mut command = Command::new("sh");
            command.args(["-c", DEMO]);
            command
        }
    };
    // kill_on_drop: if this program fails half-way, the child goes too.
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let start = Instant::now();
    let stdout = edgeio::spawn(stream_lines(child.stdout.take().unwrap(), "out", start));
    let stderr = edgeio::spawn(stream_lines(child.stderr.take().unwrap(), "err", start));
    let status = child.wait().await?;
    // The pipes may outlive the child (a grandchild can hold them): their
    // readers end when the last writer closes.
    stdout.await.map_err(io::Error::other)??;
    stderr.await.map_err(io::Error::other)??;
    println!("{:>7.3}s child exited: {status}", start.elapsed().as_secs_f64());
    std::process::exit(status.code().unwrap_or(1));
}
