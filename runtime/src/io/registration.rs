//! The bridge between an I/O object and the reactor: what socket types are
//! built on. [`Registration`], and [`IoWait`]: one future's wait on one
//! direction of it, which cleans up after itself.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use crate::executor::coop;
use crate::io::interest::Interest;
use crate::io::reactor::Reactor;
use crate::io::ready::Ready;
use crate::io::shutdown_error::shutdown_error;
use crate::io::source::{Direction, ReadyEvent, Source, WaitKey};
use crate::runtime::handle::Handle;

/// A non-blocking fd registered with the current runtime's reactor.
///
/// The fd is registered once, for reading and writing, edge-triggered. The
/// `poll_*_io` methods run an operation, and when it reports `WouldBlock`
/// they record that the fd is drained and wait for the next edge: exactly
/// the discipline edge triggering demands (keep going until `EAGAIN`).
///
/// The registration does not own the fd, which is why creating one is
/// `unsafe`: its drop removes the fd *number* from epoll, and were the fd
/// closed first, that number could by then belong to another registered
/// file, whose registration it would remove (an I/O-safety violation, the
/// reason tokio deprecated its safe `AsyncFd::new`). Keep the fd's owner
/// beside the `Registration` so that it drops later: as a struct field
/// declared after it, or a local declared before it. `edgeio_net`'s
/// `Async<T>` is that pairing, and what most code should use.
pub struct Registration {
    reactor: Arc<Reactor>,
    source: Arc<Source>,
    token: u64,
    fd: RawFd,
}

impl Registration {
    /// Registers `fd`, which must be in non-blocking mode, with the runtime
    /// the current thread runs in.
    ///
    /// Fails outside a runtime, after the runtime shut down, or if epoll
    /// refuses the fd (for instance a regular file: `EPERM`).
    ///
    /// # Safety
    ///
    /// `fd` must stay open, referring to the same open file description,
    /// until the returned `Registration` is dropped.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_runtime::Registration;
    /// use std::os::fd::AsFd;
    /// use std::os::unix::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// b.set_nonblocking(true)?;
    /// // SAFETY: `b` outlives `registration`, dropped at the end of scope
    /// // in the reverse order of declaration.
    /// let registration = unsafe { Registration::new(b.as_fd())? };
    /// a.send(b"ping")?;
    /// let mut buf = [0; 4];
    /// let n = registration.read_io(|| b.recv(&mut buf)).await?;
    /// assert_eq!(&buf[..n], b"ping");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub unsafe fn new(fd: BorrowedFd<'_>) -> io::Result<Registration> {
        let reactor = Handle::try_current()?.reactor().clone();
        let fd = fd.as_raw_fd();
        let (token, source) = reactor.register(fd)?;
        Ok(Registration {
            reactor,
            source,
            token,
            fd,
        })
    }

    /// Waits until the fd may be readable (or has hung up, or has an error).
    /// Does not consume the readiness.
    ///
    /// Spends one unit of the task's cooperative budget when ready, like
    /// the I/O operations: a loop of this and `try_read_io` on an fd that
    /// never runs dry would otherwise keep its worker from every other
    /// task.
    ///
    /// A waker stored by a `poll_` method stays until the next edge, even
    /// if the task stops waiting. Futures should wait through
    /// [`Registration::readable`] or an [`IoWait`], which free theirs when
    /// dropped.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        coop::budgeted(cx, |cx| self.poll_ready(cx, Direction::Read, None).map_ok(drop))
    }

    /// Waits until the fd may be writable (or has hung up, or has an error).
    /// Does not consume the readiness. Spends budget, as
    /// [`Registration::poll_read_ready`] does.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        coop::budgeted(cx, |cx| self.poll_ready(cx, Direction::Write, None).map_ok(drop))
    }

    /// `async` form of [`Registration::poll_read_ready`], through an
    /// [`IoWait`]: cancelling it leaves no waker behind.
    ///
    /// Spends budget when ready, as the `poll_` form does (tokio's
    /// `readable` does not): a `readable` / `try_read` loop on a socket
    /// whose peer keeps sending never sees `WouldBlock`, and would
    /// otherwise hold its worker for as long as the peer likes.
    pub async fn readable(&self) -> io::Result<()> {
        let mut wait = self.read_wait();
        poll_fn(|cx| wait.poll_ready(cx)).await
    }

    /// `async` form of [`Registration::poll_write_ready`], through an
    /// [`IoWait`]. Unlike [`Registration::readable`] it spends no budget,
    /// as tokio's `writable` does not: code written for tokio fills a send
    /// buffer with `writable` and `try_write` in one poll, hundreds of
    /// times over, and expects a writable fd to stay writable until
    /// `try_write` reports `WouldBlock`. Such a loop ends by itself when
    /// the buffer is full, whereas a reading loop ends only when the peer
    /// stops.
    pub async fn writable(&self) -> io::Result<()> {
        let mut wait = self.write_wait();
        poll_fn(|cx| wait.poll_ready_unbudgeted(cx)).await
    }

    /// Waits until the fd may make progress in at least one direction of
    /// `interest`, and returns what the reactor last saw in those
    /// directions: tokio's `ready`.
    ///
    /// Does not consume the readiness: after it reports readable, read
    /// with [`try_read_io`](Registration::try_read_io) (or the sockets'
    /// `try_read`) until that reports `WouldBlock`, which clears it;
    /// calling `ready` again without doing so returns at once. A pending
    /// error wakes either direction and shows as [`Ready::is_error`],
    /// together with the direction(s) of `interest` being ready: the next
    /// operation reports the error, so a caller that only acts on
    /// `is_readable()` (`is_writable()`) does not spin.
    /// Spends budget when `interest` includes reading, as
    /// [`Registration::readable`] does, and none for writing alone, as
    /// [`Registration::writable`]; cancelled, it leaves no waker behind.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_runtime::{Interest, Registration};
    /// use std::os::fd::AsFd;
    /// use std::os::unix::net::UnixDatagram;
    ///
    /// let (a, b) = UnixDatagram::pair()?;
    /// b.set_nonblocking(true)?;
    /// // Sent before registering, so the reactor's first event for `b`
    /// // carries both directions; sent after, a worker's reactor poll
    /// // could report `b` writable alone, and `ready` returns on either.
    /// a.send(b"ping")?;
    /// // SAFETY: `b` outlives `registration` (dropped first, in reverse order).
    /// let registration = unsafe { Registration::new(b.as_fd())? };
    /// let ready = registration.ready(Interest::READABLE | Interest::WRITABLE).await?;
    /// assert!(ready.is_readable() && ready.is_writable());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.ready_events(interest).await.map(|(_, ready)| ready)
    }

    /// [`Registration::ready`], with the proof of readiness of each
    /// direction that was ready, at the direction's index (see
    /// `Direction::ALL`), which a later clear needs (`AsyncFd`'s guards).
    pub(crate) async fn ready_events(
        &self,
        interest: Interest,
    ) -> io::Result<([Option<ReadyEvent>; 4], Ready)> {
        let mut waits = Direction::ALL.map(|direction| {
            direction
                .in_interest(interest)
                .then(|| IoWait::new(self, direction))
        });
        let mut poll = |cx: &mut Context<'_>| {
            let mut seen = [None; 4];
            // Poll every one, so that each stores its waker when pending.
            for (seen, wait) in seen.iter_mut().zip(waits.iter_mut()) {
                if let Some(wait) = wait {
                    if let Poll::Ready(event) = wait.poll_event(cx)? {
                        *seen = Some(event);
                    }
                }
            }
            if seen.iter().all(Option::is_none) {
                return Poll::Pending;
            }
            Poll::Ready(Ok((seen, self.source.ready(interest))))
        };
        if interest.is_readable() {
            poll_fn(|cx| coop::budgeted(cx, &mut poll)).await
        } else {
            poll_fn(poll).await
        }
    }

    /// Runs `op` once without waiting, for an operation on the fd in the
    /// directions of `interest` (tokio's `try_io`): `WouldBlock` if none of
    /// them is known to be ready, or if `op` reports it, which then clears
    /// the readiness of every direction of `interest`.
    ///
    /// `op` must report an fd that cannot proceed with `WouldBlock`;
    /// returning `WouldBlock` for any other reason makes the fd wait for
    /// an edge that may never come.
    pub fn try_io<R>(&self, interest: Interest, op: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        let events = Direction::ALL.map(|direction| {
            direction
                .in_interest(interest)
                .then(|| self.source.ready_event(direction))
                .flatten()
        });
        if events.iter().all(Option::is_none) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let result = op();
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            events
                .into_iter()
                .flatten()
                .for_each(|event| self.source.clear_readiness(event));
        }
        result
    }

    /// Waits for `interest` and runs `op`, until `op` does not report
    /// `WouldBlock` (tokio's `async_io`). The same contract on `op` as
    /// [`try_io`](Registration::try_io).
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            self.ready(interest).await?;
            match self.try_io(interest, &mut op) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                result => return result,
            }
        }
    }

    /// A wait for readability that keeps its own place among the fd's
    /// waiters, for futures built on the `poll_` methods' logic: see
    /// [`IoWait`].
    pub fn read_wait(&self) -> IoWait<'_> {
        IoWait::new(self, Direction::Read)
    }

    /// Writing counterpart of [`Registration::read_wait`].
    pub fn write_wait(&self) -> IoWait<'_> {
        IoWait::new(self, Direction::Write)
    }

    pub(crate) fn source(&self) -> &Source {
        &self.source
    }

    /// An error once the runtime has shut down (for `AsyncFd`'s waits,
    /// which fail then whatever readiness is known, as tokio's do).
    pub(crate) fn check_open(&self) -> io::Result<()> {
        if self.reactor.is_shutdown() {
            Err(shutdown_error())
        } else {
            Ok(())
        }
    }

    #[inline]
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        key: Option<&mut WaitKey>,
    ) -> Poll<io::Result<ReadyEvent>> {
        match self.source.poll_ready(cx, direction, key) {
            Poll::Ready(event) => Poll::Ready(Ok(event)),
            Poll::Pending if self.reactor.is_shutdown() => Poll::Ready(Err(shutdown_error())),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Runs a reading operation `op` until it does not report
    /// `WouldBlock`, waiting for readability in between.
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Read, op)
    }

    /// Runs a writing operation `op` until it does not report
    /// `WouldBlock`, waiting for writability in between.
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Write, op)
    }

    /// Runs a reading operation once, without waiting: `WouldBlock` if the
    /// fd is not known to be readable, or if `op` reports it (which then
    /// marks the fd drained, so the next `poll_read_io` waits for an edge).
    pub fn try_read_io<R>(&self, op: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        self.try_io(Interest::READABLE, op)
    }

    /// Writing counterpart of [`Registration::try_read_io`].
    pub fn try_write_io<R>(&self, op: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        self.try_io(Interest::WRITABLE, op)
    }

    /// `async` form of [`Registration::poll_read_io`], through an
    /// [`IoWait`]: cancelling it leaves no waker behind.
    pub async fn read_io<R>(&self, mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
        let mut wait = self.read_wait();
        poll_fn(|cx| wait.poll_io(cx, &mut op)).await
    }

    /// `async` form of [`Registration::poll_write_io`], through an
    /// [`IoWait`].
    pub async fn write_io<R>(&self, mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
        let mut wait = self.write_wait();
        poll_fn(|cx| wait.poll_io(cx, &mut op)).await
    }

    /// Byte-stream form of [`Registration::poll_read_io`]: `op` reads at
    /// most `len` bytes and returns how many it read.
    ///
    /// A read that returns fewer than `len` bytes (but not end-of-stream)
    /// emptied the receive queue, so readiness is forgotten right away
    /// instead of after one more syscall that could only report `EAGAIN`.
    /// Data that arrives later raises a fresh edge, and the tick check in
    /// the readiness word keeps an edge that raced with the read. That
    /// saves a third of the syscalls of a request/response exchange.
    ///
    /// Only for sockets where a short read proves the queue empty: TCP.
    /// Not for datagram sockets (a read returns one message), nor Unix
    /// streams (a read stops at passed file descriptors or credentials
    /// with data still queued). One TCP exception remains, as in tokio: a
    /// read stops at an urgent (`MSG_OOB`) mark, so in-band bytes already
    /// queued behind the mark wait for the peer's next segment.
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_io_until(cx, Direction::Read, None, op, |&n| n > 0 && n < len)
    }

    /// Writing counterpart of [`Registration::poll_read_stream`]: a write
    /// that takes fewer than `len` bytes found the send buffer full, and
    /// the kernel raises an edge when space frees up.
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_io_until(cx, Direction::Write, None, op, |&n| n > 0 && n < len)
    }

    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_until(cx, direction, None, op, |_| false)
    }

    /// Runs `op` until it does not report `WouldBlock`. Readiness is
    /// forgotten on `WouldBlock`, and also after a success that `drained`
    /// says proves the fd has nothing more to give right now. With `key`,
    /// waits as that owned waiter, else as a polled one.
    pub(crate) fn poll_io_until<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut key: Option<&mut WaitKey>,
        mut op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        coop::budgeted(cx, |cx| loop {
            let event = ready!(self.poll_ready(cx, direction, key.as_deref_mut()))?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.source.clear_readiness(event),
                result => {
                    if matches!(&result, Ok(value) if drained(value)) {
                        self.source.clear_drained(event);
                    }
                    return Poll::Ready(result);
                }
            }
        })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.reactor.deregister(self.fd, self.token, &self.source);
    }
}

/// The fd number registered (never -1: `Registration::new` took it from
/// a `BorrowedFd`).
impl AsRawFd for Registration {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("fd", &self.fd)
            .finish_non_exhaustive()
    }
}

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
        self.poll_event(cx).map_ok(drop)
    }

    /// [`IoWait::poll_ready_unbudgeted`], with the proof of readiness that
    /// a later clear needs (for `AsyncFd`'s guards).
    pub(crate) fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.registration
            .poll_ready(cx, self.direction, Some(&mut self.key))
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
