//! Waiting for Ctrl-C.

use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Mutex, MutexGuard};
use std::task::{Poll, Waker};

use slab::Slab;

use crate::io::registration::Registration;
use crate::sys::signal;

/// Completes when the process receives SIGINT (Ctrl-C) after this call.
///
/// The first call installs a handler that replaces SIGINT's default action
/// (terminating the process) for the rest of the process's life, so a
/// program that awaits `ctrl_c` decides itself how to exit. Any number of
/// tasks may wait at once, in any number of runtimes; each is woken by the
/// next signal.
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
    // Each waiter registers its own duplicate of the read end (epoll keys
    // registrations by fd number), so its runtime's reactor hears the
    // signal even when no other task there waits for it.
    let fd: OwnedFd = pipe.try_clone_to_owned()?;
    // SAFETY: `fd` is owned here and is dropped after `registration`,
    // which is declared later (and dropped explicitly below, before it).
    let registration = unsafe { Registration::new(fd.as_fd())? };
    let mut listed = Listed(None);
    poll_fn(|cx| {
        // Listed before the count is checked: a waiter that drains a byte
        // after this point wakes us, and the handler raises the count
        // before it writes the byte, so one drained earlier is counted.
        listed.set(cx.waker());
        if signal::sigint_count() > seen {
            return Poll::Ready(Ok(()));
        }
        registration.poll_read_io(cx, || {
            if signal::drain(fd.as_fd()) {
                wake_all();
            }
            if signal::sigint_count() > seen {
                Ok(())
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        })
    })
    .await?;
    drop(listed);
    // The registration must go before the fd it names is closed.
    drop(registration);
    Ok(())
}

/// Every task waiting in [`ctrl_c`], in every runtime of the process.
///
/// A signal writes one byte and raises an edge on each waiter's duplicate
/// of the pipe, but epoll checks an fd's readiness again as it hands an
/// event out: once one waiter has drained the pipe, the events still
/// queued for the others are silently dropped (seen as a waiter that never
/// woke: one run in 150 of three waiters on two busy workers). So whoever
/// drains a byte wakes every waiter listed here, and each checks the signal
/// count for itself.
static WAITERS: Mutex<Slab<Waker>> = Mutex::new(Slab::new());

fn waiters() -> MutexGuard<'static, Slab<Waker>> {
    WAITERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Wakes every listed waiter. The wakers are called after the lock is
/// released: a waker is user code, and may itself wait for Ctrl-C.
fn wake_all() {
    let wakers: Vec<Waker> = waiters().iter().map(|(_, waker)| waker.clone()).collect();
    for waker in wakers {
        waker.wake();
    }
}

/// One waiter's place in [`WAITERS`], held for as long as it waits; the
/// entry goes when the wait ends or is cancelled.
struct Listed(Option<usize>);

impl Listed {
    fn set(&mut self, waker: &Waker) {
        let mut waiters = waiters();
        match self.0 {
            Some(key) => {
                let listed = &mut waiters[key];
                if !listed.will_wake(waker) {
                    listed.clone_from(waker);
                }
            }
            None => self.0 = Some(waiters.insert(waker.clone())),
        }
    }
}

impl Drop for Listed {
    fn drop(&mut self) {
        if let Some(key) = self.0 {
            // Dropped outside the lock, like any waker (see `wake_all`).
            let waker = waiters().try_remove(key);
            drop(waker);
        }
    }
}
