//! Waiting for Ctrl-C.

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use crate::registration::Registration;
use crate::sys::signal;

/// Completes when the process receives SIGINT (Ctrl-C) after this call.
///
/// The first call installs a handler that replaces SIGINT's default action
/// (terminating the process) for the rest of the process's life, so a
/// program that awaits `ctrl_c` decides itself how to exit. Any number of
/// tasks may wait at once; each is woken by the next signal.
///
/// ```no_run
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// edgeio_runtime::signal::ctrl_c().await?;
/// println!("shutting down");
/// # std::io::Result::Ok(())
/// # });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let pipe = signal::sigint_pipe()?;
    let seen = signal::sigint_count();
    // Each waiter registers its own duplicate of the read end: epoll keys
    // registrations by fd number, and every registration gets its own edge
    // when the handler writes, whoever drains the pipe first.
    let fd: OwnedFd = pipe.try_clone_to_owned()?;
    let registration = Registration::new(&fd)?;
    let result = registration
        .read_io(|| {
            signal::drain(fd.as_fd());
            if signal::sigint_count() > seen {
                Ok(())
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        })
        .await;
    drop(registration);
    result
}
