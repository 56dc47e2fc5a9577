//! Each runtime's one registration of the signal pipe, shared by all the
//! listeners in that runtime.
//!
//! A registration per listener would cost each `Signal` (and each pending
//! `ctrl_c()`) an fd, so a server with a `ctrl_c()` in every connection's
//! `select!` would run into the fd limit. One duplicate of the pipe per
//! runtime is enough for that runtime to hear every signal.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};

use crate::io::registration::Registration;
use crate::runtime::handle::Handle;
use crate::sys::signal as sys;

/// The live shared pipes, by the address of their runtime's reactor. An
/// address cannot be reused while its entry upgrades: the registration
/// holds the reactor alive.
static PIPES: Mutex<Vec<(usize, Weak<RuntimePipe>)>> = Mutex::new(Vec::new());

/// A duplicate of the signal pipe's read end, registered with one runtime.
pub(crate) struct RuntimePipe {
    // Declared before `fd` so it drops first: it names the fd by number.
    registration: Registration,
    fd: OwnedFd,
}

impl RuntimePipe {
    /// The current runtime's pipe, registered on first use.
    pub(crate) fn for_current_runtime() -> io::Result<Arc<RuntimePipe>> {
        let handle = Handle::try_current()?;
        let key = Arc::as_ptr(handle.reactor()) as usize;
        let mut pipes = PIPES.lock().unwrap_or_else(|e| e.into_inner());
        pipes.retain(|(_, pipe)| pipe.strong_count() > 0);
        if let Some(pipe) = pipes
            .iter()
            .filter(|(k, _)| *k == key)
            .find_map(|(_, pipe)| pipe.upgrade())
        {
            return Ok(pipe);
        }
        let fd = sys::pipe()?.try_clone_to_owned()?;
        // SAFETY: `fd` is owned by the same `RuntimePipe` and declared after
        // `registration`, so it is closed only after the registration goes.
        let registration = unsafe { Registration::new(fd.as_fd())? };
        let pipe = Arc::new(RuntimePipe { registration, fd });
        pipes.push((key, Arc::downgrade(&pipe)));
        Ok(pipe)
    }

    /// Waits until the pipe is readable, then drains it and runs `check`,
    /// whose `WouldBlock` means "nothing for us": wait for the next edge.
    pub(crate) fn poll_drain<R>(
        &self,
        cx: &mut Context<'_>,
        mut check: impl FnMut(bool) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration
            .poll_read_io(cx, || check(sys::drain(self.fd.as_fd())))
    }
}
