//! Who listens for which signal, and how a delivery reaches each of them.
//!
//! The handler (in `sys::signal`) raises the signal's delivery counter and
//! writes a byte to the process's one self-pipe. Every runtime with a
//! listener registers its own duplicate of the pipe's read end with its
//! reactor (a `RuntimePipe`), so each runtime hears the edge. But epoll
//! checks an fd's readiness again as it hands an event out: once one
//! runtime has drained the pipe, the events still queued for the others
//! are silently dropped. So whoever drains the pipe compares every
//! signal's counter with the last one dispatched and wakes the listeners
//! of each signal that moved; each listener then compares the counter with
//! the value it saw last (its *generation*), tokio's scheme. A burst of
//! deliveries between two polls is one notification, as with tokio.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use slab::Slab;

use super::runtime_pipe::RuntimePipe;
use crate::sys::signal::{self as sys, SIGNAL_SLOTS};

/// Each signal's counter as of the last dispatch.
#[allow(clippy::declare_interior_mutable_const)] // only used to fill `DISPATCHED`
const ZERO: AtomicU64 = AtomicU64::new(0);
static DISPATCHED: [AtomicU64; SIGNAL_SLOTS] = [ZERO; SIGNAL_SLOTS];

/// Every listener waiting for a delivery (polled, not yet notified), with
/// its signal, in every runtime.
static WAITERS: Mutex<Slab<(usize, Waker)>> = Mutex::new(Slab::new());

fn waiters() -> MutexGuard<'static, Slab<(usize, Waker)>> {
    WAITERS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Wakes the listeners of every signal delivered since the last dispatch.
/// The wakers are called after the lock is released: a waker is user code,
/// and may itself create or drop a listener.
fn dispatch() {
    let mut moved = [false; SIGNAL_SLOTS];
    let mut any = false;
    for (signal, dispatched) in DISPATCHED.iter().enumerate() {
        let now = sys::received(signal);
        if dispatched.swap(now, Ordering::SeqCst) != now {
            moved[signal] = true;
            any = true;
        }
    }
    if !any {
        return;
    }
    let wakers: Vec<Waker> = waiters()
        .iter()
        .filter(|(_, (signal, _))| moved[*signal])
        .map(|(_, (_, waker))| waker.clone())
        .collect();
    for waker in wakers {
        waker.wake();
    }
}

/// One listener for one signal: its runtime's pipe, its place among the
/// waiters, and the generation it has seen.
pub(crate) struct Listener {
    pipe: Arc<RuntimePipe>,
    signal: usize,
    seen: u64,
    listed: Option<usize>,
}

impl Listener {
    /// Installs the handler for `signal` (checked by the caller) and starts
    /// listening: deliveries not yet dispatched count, and those after.
    ///
    /// Not yet dispatched means the handler ran but its byte still waits in
    /// the pipe, as in tokio, where a listener hears a signal that arrived
    /// before it was created but after its runtime's driver last looked
    /// (tokio's signal_drop_recv.rs: drop a listener, raise the signal,
    /// listen again). Taking the counter itself as seen would lose such a
    /// delivery whenever the handler ran before this call, which is a race
    /// with the thread the kernel picks to run it.
    pub(crate) fn new(signal: libc::c_int) -> io::Result<Listener> {
        sys::install(signal)?;
        let pipe = RuntimePipe::for_current_runtime()?;
        let signal = signal as usize;
        Ok(Listener {
            pipe,
            signal,
            seen: DISPATCHED[signal].load(Ordering::SeqCst),
            listed: None,
        })
    }

    /// `Ready(true)` once the signal was delivered since the last time this
    /// returned it; `Ready(false)` when its runtime has shut down and the
    /// task polling it runs in no other.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        let polled = self.poll_delivery(cx);
        if polled.is_ready() {
            // Not waiting any more: a later dispatch must not wake a task
            // that has moved on. The next poll lists it again.
            self.unlist();
        }
        polled
    }

    fn poll_delivery(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        // Listed before the counter is checked: a dispatch after this point
        // wakes us, and one before it raised the counter we check next.
        self.list(cx.waker());
        if self.take_delivery() {
            return Poll::Ready(true);
        }
        match self.poll_pipe(cx) {
            Poll::Ready(Ok(now)) => {
                self.seen = now;
                Poll::Ready(true)
            }
            // The runtime that registered the pipe has shut down. The
            // handler and counters are process-wide, so the listener can
            // go on in the runtime polling it now, if any (as a tokio
            // `Signal` moved to another runtime does).
            Poll::Ready(Err(_)) => match self.reregister() {
                Ok(()) => match self.poll_pipe(cx) {
                    Poll::Ready(Ok(now)) => {
                        self.seen = now;
                        Poll::Ready(true)
                    }
                    Poll::Ready(Err(_)) => Poll::Ready(false),
                    Poll::Pending => Poll::Pending,
                },
                Err(_) => Poll::Ready(false),
            },
            Poll::Pending => Poll::Pending,
        }
    }

    /// Waits for the pipe to be readable, drains it and dispatches; ready
    /// with the counter once it differs from the last one seen.
    fn poll_pipe(&self, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let (signal, seen) = (self.signal, self.seen);
        self.pipe.poll_drain(cx, |drained| {
            if drained {
                dispatch();
            }
            let now = sys::received(signal);
            if now != seen {
                Ok(now)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        })
    }

    /// Listens through the current runtime's pipe instead.
    fn reregister(&mut self) -> io::Result<()> {
        self.pipe = RuntimePipe::for_current_runtime()?;
        Ok(())
    }

    fn take_delivery(&mut self) -> bool {
        let now = sys::received(self.signal);
        let delivered = now != self.seen;
        self.seen = now;
        if delivered {
            // Seen before anyone drained the pipe: dispatch it now, so that
            // a listener created from here on does not take this delivery
            // for one it has not seen yet (see `Listener::new`).
            dispatch();
        }
        delivered
    }

    fn unlist(&mut self) {
        if let Some(key) = self.listed.take() {
            // Dropped outside the lock, like any waker (see `dispatch`).
            let entry = waiters().try_remove(key);
            drop(entry);
        }
    }

    fn list(&mut self, waker: &Waker) {
        let mut waiters = waiters();
        match self.listed {
            Some(key) => {
                let (_, listed) = &mut waiters[key];
                if !listed.will_wake(waker) {
                    listed.clone_from(waker);
                }
            }
            None => self.listed = Some(waiters.insert((self.signal, waker.clone()))),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.unlist();
    }
}
