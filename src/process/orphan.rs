//! Children dropped before they were reaped.
//!
//! The guarantee: no child spawned by edgeio stays a zombie longer than
//! necessary. A [`Child`](super::Child) dropped while its process still
//! runs becomes an *orphan*: a task on the runtime that spawned it waits
//! for the exit (one more pidfd in the epoll set) and reaps it at once. If
//! that runtime shuts down first, the orphan goes to a process-wide queue
//! that is swept (`waitpid(WNOHANG)` on each) whenever any edgeio runtime
//! spawns a child or drops one; so a process that spawns nothing more
//! after its runtime is gone can keep such a zombie until it exits (tokio
//! gives the same best-effort promise). There is no reaper thread and no
//! `waitpid(-1)`, which would steal other code's children.

use std::future::poll_fn;
use std::sync::{Mutex, MutexGuard};

use edgeio_runtime::Handle;

use super::exit::ExitWatch;

static QUEUE: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());

fn queue() -> MutexGuard<'static, Vec<std::process::Child>> {
    QUEUE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reaps every queued orphan that has exited.
pub(crate) fn sweep() {
    let mut queue = queue();
    if queue.is_empty() {
        return;
    }
    // Ok(None): still running, keep. Ok(Some) reaped; Err (ECHILD): someone
    // else reaped it: drop either way.
    queue.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
}

/// A child nobody will wait for, until it is reaped.
struct Orphan {
    child: Option<std::process::Child>,
    watch: ExitWatch,
}

impl Drop for Orphan {
    fn drop(&mut self) {
        // The task ended without reaping (its runtime shut down, or the
        // reactor failed): leave the child to the sweeps.
        if let Some(mut child) = self.child.take() {
            if let Ok(None) = child.try_wait() {
                queue().push(child);
            }
        }
    }
}

/// Makes sure `child`, still running, is reaped once it exits.
pub(crate) fn adopt(handle: &Handle, child: std::process::Child, watch: ExitWatch) {
    let mut orphan = Orphan {
        child: Some(child),
        watch,
    };
    // If the runtime is closed, the task is dropped at once and the
    // orphan's drop queues the child.
    handle
        .spawn(async move {
            let reaped = poll_fn(|cx| {
                let Orphan { child, watch } = &mut orphan;
                match child.as_mut() {
                    Some(child) => watch.poll_exit(cx, child),
                    None => std::task::Poll::Ready(Err(std::io::ErrorKind::NotFound.into())),
                }
            })
            .await;
            if reaped.is_ok() {
                // Reaped: nothing left for the orphan's drop to queue.
                drop(orphan.child.take());
            }
        })
        .detach();
}

/// Queues a running child that no task can wait for.
pub(crate) fn queue_child(child: std::process::Child) {
    queue().push(child);
}
