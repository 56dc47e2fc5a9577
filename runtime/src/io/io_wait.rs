//! [`IoWait`]: one future's wait on one direction of a [`Registration`],
//! which cleans up after itself.

use std::fmt;
use std::io;
use std::task::{Context, Poll};

use crate::executor::coop;
use crate::io::registration::Registration;
use crate::io::source::{Direction, WaitKey};

/// One wait on one direction of a [`Registration`], holding its own place
/// among the fd's waiters.
///
/// The `poll_` methods of [`Registration`] have nowhere to remember that a
/// task waits, so the waker they store stays until the next edge takes it,
/// even if the task gave up meanwhile. On a quiet socket, many short-lived
/// waits (`recv` under a timeout, the losing branch of a `select!`) would
/// pile up. A future that owns an `IoWait` instead overwrites its own slot
/// on each poll and frees it when dropped, so cancelling the future leaves
/// nothing behind.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_runtime::Registration;
/// use std::future::poll_fn;
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixDatagram;
///
/// let (a, b) = UnixDatagram::pair()?;
/// b.set_nonblocking(true)?;
/// // SAFETY: `b` outlives `registration` (dropped first, in reverse order).
/// let registration = unsafe { Registration::new(b.as_fd())? };
/// a.send(b"ping")?;
/// let mut wait = registration.read_wait();
/// let mut buf = [0; 4];
/// let n = poll_fn(|cx| wait.poll_io(cx, || b.recv(&mut buf))).await?;
/// assert_eq!(&buf[..n], b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use = "an IoWait does nothing unless polled"]
pub struct IoWait<'a> {
    registration: &'a Registration,
    direction: Direction,
    key: WaitKey,
}

impl<'a> IoWait<'a> {
    pub(crate) fn new(registration: &'a Registration, direction: Direction) -> IoWait<'a> {
        IoWait {
            registration,
            direction,
            key: WaitKey::default(),
        }
    }

    /// Waits until the direction may make progress, without consuming the
    /// readiness; spends budget as [`Registration::poll_read_ready`] does.
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let IoWait {
            registration,
            direction,
            key,
        } = self;
        coop::budgeted(cx, |cx| {
            registration.poll_ready(cx, *direction, Some(key)).map_ok(drop)
        })
    }

    /// [`IoWait::poll_ready`] without spending budget, for a caller that
    /// polls several waits as one (`Registration::ready`).
    pub(crate) fn poll_ready_unbudgeted(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, self.direction, Some(&mut self.key))
            .map_ok(drop)
    }

    /// Runs `op` until it does not report `WouldBlock`, waiting in between,
    /// as [`Registration::poll_read_io`] (or `poll_write_io`) does.
    pub fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration
            .poll_io_until(cx, self.direction, Some(&mut self.key), op, |_| false)
    }
}

impl Drop for IoWait<'_> {
    fn drop(&mut self) {
        self.registration.source().release(self.direction, &mut self.key);
    }
}

impl fmt::Debug for IoWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoWait")
            .field("registration", self.registration)
            .field("direction", &self.direction)
            .finish_non_exhaustive()
    }
}
