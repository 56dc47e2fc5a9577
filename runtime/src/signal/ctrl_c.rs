//! Waiting for Ctrl-C.

use std::io;

use super::unix::{signal, SignalKind};

/// Completes when the process receives SIGINT (Ctrl-C) after this call.
///
/// The first call installs a handler that replaces SIGINT's default action
/// (terminating the process) for the rest of the process's life, so a
/// program that awaits `ctrl_c` decides itself how to exit; a SIGINT
/// handler installed before it is still called (see
/// [`signal`](super::unix::signal)). Any number of tasks may wait at once,
/// in any number of runtimes; each is woken by the next signal.
///
/// # Errors
///
/// Outside a runtime, or if the runtime shuts down first.
///
/// ```no_run
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// edgeio_runtime::signal::ctrl_c().await?;
/// println!("shutting down");
/// # std::io::Result::Ok(())
/// # });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    match interrupt.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other("the runtime shut down before Ctrl-C")),
    }
}
