//! [`AsyncFd`]: tokio's `io::unix::AsyncFd`, readiness of any fd through
//! guards that say when it was used up.

use std::error::Error;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{ready, Context, Poll};

use crate::executor::coop;
use crate::io::interest::Interest;
use crate::io::ready::Ready;
use crate::io::registration::Registration;
use crate::io::source::{Direction, ReadyEvent};

/// An object holding a file descriptor, registered with the reactor, whose
/// readiness is waited for and then acted on by the caller (tokio's
/// `tokio::io::unix::AsyncFd`, the same methods and guards).
///
/// Waiting ([`readable`](AsyncFd::readable), [`writable`](AsyncFd::writable),
/// [`ready`](AsyncFd::ready)) returns a *guard* once the reactor has seen
/// the fd ready. Do the I/O through the guard's
/// [`try_io`](AsyncFdReadyGuard::try_io): when the operation reports
/// `WouldBlock`, the guard forgets the readiness, and the next wait sleeps
/// until the next edge. Dropping the guard without that keeps the
/// readiness, so the next wait returns at once (the fd may still have
/// data). [`async_io`](AsyncFd::async_io) is that loop written out.
///
/// The fd must be in non-blocking mode (the caller sets it, as in tokio),
/// and the inner object should own it: the registration is removed before
/// the object is dropped (or returned by [`into_inner`](AsyncFd::into_inner)),
/// so the fd must not be closed while the `AsyncFd` holds it.
///
/// Differences from tokio, each for a reason:
/// - Outside a runtime, the constructors return an error where tokio's
///   panic: a missing runtime is a condition the caller can report.
/// - Every fd is registered for everything (reading, writing, urgent data,
///   errors), whatever the interest given to
///   [`with_interest`](AsyncFd::with_interest): edgeio's reactor registers
///   each fd once, edge-triggered, and keeps readiness itself. A wait in a
///   direction the fd never becomes ready in simply does not end, as in
///   tokio.
/// - A guard's `try_io` that sees `WouldBlock` forgets the hang-up and
///   error bits of its directions too (as every edgeio I/O operation
///   does): the syscall has just said there is nothing to report, and
///   kept bits would make the next wait return at once, forever. An
///   explicit [`clear_ready`](AsyncFdReadyGuard::clear_ready) keeps them,
///   as tokio's does.
/// - Waiting for readability spends a unit of the task's cooperative
///   budget (see [`Registration::readable`] for why); waiting to write
///   does not, as in tokio.
/// - [`poll_read_ready`](AsyncFd::poll_read_ready) (and the write form)
///   wakes every task that polled it since the last edge, where tokio's
///   wakes only the last one: edgeio keeps each polled waker until the
///   next edge (see [`Registration::poll_read_ready`]). A task woken for
///   nothing polls again and waits again.
///
/// Once the runtime has shut down, every wait fails, as in tokio.
///
/// ```
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// use edgeio_runtime::AsyncFd;
/// use std::os::unix::net::UnixDatagram;
///
/// let (a, b) = UnixDatagram::pair()?;
/// b.set_nonblocking(true)?;
/// let b = AsyncFd::new(b)?;
/// a.send(b"ping")?;
///
/// let mut buf = [0; 16];
/// let n = loop {
///     let mut guard = b.readable().await?;
///     match guard.try_io(|fd| fd.get_ref().recv(&mut buf)) {
///         Ok(result) => break result?,
///         // Drained: the guard forgot the readiness; wait again.
///         Err(_would_block) => continue,
///     }
/// };
/// assert_eq!(&buf[..n], b"ping");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct AsyncFd<T: AsRawFd> {
    // Declared before `inner` so that it drops first: the fd leaves the
    // epoll set while its number is still the inner object's.
    registration: Registration,
    inner: T,
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner`'s fd with the current runtime, for reading and
    /// writing.
    ///
    /// # Errors
    ///
    /// Outside a runtime, after it shut down, or if epoll refuses the fd
    /// (a regular file: `EPERM`). `inner` is dropped then; see
    /// [`try_new`](AsyncFd::try_new) to get it back.
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// As [`new`](AsyncFd::new); `interest` names what the caller will
    /// wait for (the fd is registered for both directions either way, see
    /// the type's docs).
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        AsyncFd::try_with_interest(inner, interest).map_err(Into::into)
    }

    /// As [`new`](AsyncFd::new), giving `inner` back with the error.
    pub fn try_new(inner: T) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        AsyncFd::try_with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// As [`with_interest`](AsyncFd::with_interest), giving `inner` back
    /// with the error.
    pub fn try_with_interest(inner: T, _interest: Interest) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        let fd = inner.as_raw_fd();
        if fd < 0 {
            // Not an fd; and -1 is the one value a `BorrowedFd` cannot hold.
            let cause = io::Error::from_raw_os_error(libc::EBADF);
            return Err(AsyncFdTryNewError { inner, cause });
        }
        // SAFETY: `Registration::new` asks that the fd stay open, as the
        // same file, until the registration drops. `AsyncFd` passes that
        // on to its caller, as tokio's does (its docs: the inner object
        // owns the fd and does not close it while wrapped), and keeps its
        // own side: the registration drops before `inner`, in `Drop` and
        // in `into_inner`. The registration touches nothing but the fd
        // *number* (in `epoll_ctl`): were the promise broken, readiness of
        // whatever file took the number would be misrouted, but no memory
        // is ever reached through it. The borrow of the fd lasts only for
        // the call, while `inner` certainly holds it, and `fd` is not -1
        // (checked above).
        let registered = unsafe { Registration::new(BorrowedFd::borrow_raw(fd)) };
        match registered {
            Ok(registration) => Ok(AsyncFd { registration, inner }),
            Err(cause) => Err(AsyncFdTryNewError { inner, cause }),
        }
    }

    /// The inner object.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The inner object, mutably. Do not close or replace its fd through
    /// it (see the type's docs).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Removes the fd from the reactor and returns the inner object.
    pub fn into_inner(self) -> T {
        let AsyncFd { registration, inner } = self;
        // Deregister while the fd is certainly open.
        drop(registration);
        inner
    }

    /// Polls for readability; on `Ready`, a guard. The waker is kept until
    /// the next edge (see [`Registration::poll_read_ready`]); futures
    /// should use [`readable`](AsyncFd::readable), which frees its waker
    /// when dropped.
    pub fn poll_read_ready<'a>(&'a self, cx: &mut Context<'_>) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let events = ready!(self.poll_direction(cx, Direction::Read))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, events)))
    }

    /// As [`poll_read_ready`](AsyncFd::poll_read_ready), with a guard
    /// that gives `&mut` access to the inner object.
    pub fn poll_read_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let events = ready!(self.poll_direction(cx, Direction::Read))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, events)))
    }

    /// Polls for writability; on `Ready`, a guard.
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let events = ready!(self.poll_direction(cx, Direction::Write))?;
        Poll::Ready(Ok(AsyncFdReadyGuard::new(self, events)))
    }

    /// As [`poll_write_ready`](AsyncFd::poll_write_ready), with a guard
    /// that gives `&mut` access to the inner object.
    pub fn poll_write_ready_mut<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyMutGuard<'a, T>>> {
        let events = ready!(self.poll_direction(cx, Direction::Write))?;
        Poll::Ready(Ok(AsyncFdReadyMutGuard::new(self, events)))
    }

    /// Waits until the fd may make progress in a direction of `interest`.
    /// Cancelling the wait leaves no waker behind.
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let events = Self::wait(&self.registration, interest).await?;
        Ok(AsyncFdReadyGuard::new(self, events))
    }

    /// As [`ready`](AsyncFd::ready), with a guard that gives `&mut` access
    /// to the inner object.
    pub async fn ready_mut(&mut self, interest: Interest) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let events = Self::wait(&self.registration, interest).await?;
        Ok(AsyncFdReadyMutGuard::new(self, events))
    }

    /// Waits until the fd may be readable (or has hung up, or failed).
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// As [`readable`](AsyncFd::readable), with a `&mut` guard.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits for urgent data (`EPOLLPRI`: TCP out-of-band data, or a
    /// special file's change, such as a sysfs GPIO value).
    pub async fn priority_ready(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::PRIORITY).await
    }

    /// As [`priority_ready`](AsyncFd::priority_ready), with a `&mut` guard.
    pub async fn priority_ready_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::PRIORITY).await
    }

    /// Waits until the fd may be writable (or has hung up, or failed).
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// As [`writable`](AsyncFd::writable), with a `&mut` guard.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Waits for `interest` and runs `f` on the inner object, until `f`
    /// does not report `WouldBlock`. `f` must report `WouldBlock` only
    /// when the fd cannot proceed (or the task waits for an edge that may
    /// never come).
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let mut guard = self.ready(interest).await?;
            if let Ok(result) = guard.try_io(|fd| f(fd.get_ref())) {
                return result;
            }
        }
    }

    /// As [`async_io`](AsyncFd::async_io), with `&mut` access.
    pub async fn async_io_mut<R>(
        &mut self,
        interest: Interest,
        mut f: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let mut guard = self.ready_mut(interest).await?;
            if let Ok(result) = guard.try_io(|fd| f(fd.get_mut())) {
                return result;
            }
        }
    }

    /// Runs `f` once without waiting: `WouldBlock` if no direction of
    /// `interest` is known to be ready, or if `f` reports it (which then
    /// forgets that readiness).
    pub fn try_io<R>(&self, interest: Interest, f: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        self.registration.try_io(interest, || f(&self.inner))
    }

    /// Reading or writing, waited for as a polled waiter (the `poll_*`
    /// forms).
    fn poll_direction(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<io::Result<Events>> {
        self.registration.check_open()?;
        let poll = |cx: &mut Context<'_>| self.registration.poll_ready(cx, direction, None);
        let (event, interest) = if direction == Direction::Read {
            (ready!(coop::budgeted(cx, poll))?, Interest::READABLE)
        } else {
            (ready!(poll(cx))?, Interest::WRITABLE)
        };
        let mut events = Events {
            ready: self.readiness(interest),
            ..Events::default()
        };
        events.seen[direction.index()] = Some(event);
        Poll::Ready(Ok(events))
    }

    /// Waits, as owned waiters that go when the future does, until a
    /// direction of `interest` is ready (see [`Registration::ready`]);
    /// fails once the runtime has shut down, whatever readiness is known.
    ///
    /// It borrows only the registration across the wait, not `self`, so
    /// that the `_mut` futures are `Send` for any `T: Send`, as tokio's
    /// are (a `&AsyncFd<T>` held across an await would ask `T: Sync`).
    async fn wait(registration: &Registration, interest: Interest) -> io::Result<Events> {
        let (seen, ready) = registration.ready_events(interest).await?;
        registration.check_open()?;
        Ok(Events { seen, ready })
    }

    fn readiness(&self, interest: Interest) -> Ready {
        self.registration.source().ready(interest)
    }

    /// A guard's `try_io` ended with `result`: on `WouldBlock`, forgets
    /// the readiness the events saw (unless newer events came since), as
    /// every edgeio operation does, and asks the caller to wait again.
    fn after_try_io<R>(
        &self,
        result: io::Result<R>,
        events: &mut Events,
    ) -> Result<io::Result<R>, TryIoError> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let source = self.registration.source();
                for event in events.take() {
                    source.clear_readiness(event);
                }
                Err(TryIoError(()))
            }
            result => Ok(result),
        }
    }

    /// A guard's `clear_ready`: forgets that the directions the events saw
    /// were readable (writable, ...), keeping hang-ups and errors.
    fn clear_drained(&self, events: &mut Events) {
        let source = self.registration.source();
        for event in events.take() {
            source.clear_drained(event);
        }
    }

    /// Forgets the bits of `ready` the events saw; see
    /// `Source::clear_matching`.
    fn clear_matching(&self, events: &mut Events, ready: Ready) {
        let source = self.registration.source();
        let closed = Ready::READ_CLOSED | Ready::WRITE_CLOSED;
        for event in events.seen.into_iter().flatten() {
            source.clear_matching(event, ready);
        }
        events.ready = events.ready - (ready - closed);
        if events.ready.is_empty() {
            // Nothing left to clear later.
            *events = Events::default();
        }
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl<T: AsRawFd> AsFd for AsyncFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the number registered, checked not to be -1 then: the fd
        // is open for as long as `inner` is, which is at least as long as
        // `&self` (the type's contract, see `new`).
        unsafe { BorrowedFd::borrow_raw(self.registration.as_raw_fd()) }
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd").field("inner", &self.inner).finish()
    }
}

/// What a wait saw: the proof of readiness per direction (for a clear
/// that must not erase a newer edge), at the direction's index, and the
/// readiness itself.
#[derive(Clone, Copy, Default)]
struct Events {
    seen: [Option<ReadyEvent>; 4],
    ready: Ready,
}

impl Events {
    /// The proofs, leaving none and no readiness: a guard clears at most
    /// once, and says nothing is ready afterwards (as tokio's).
    fn take(&mut self) -> impl Iterator<Item = ReadyEvent> {
        std::mem::take(self).seen.into_iter().flatten()
    }
}

/// Readiness of an [`AsyncFd`], as a wait returned it (tokio's).
///
/// Dropping the guard keeps the readiness: the next wait returns at once.
/// [`try_io`](AsyncFdReadyGuard::try_io) forgets it when the operation
/// reports `WouldBlock`; [`clear_ready`](AsyncFdReadyGuard::clear_ready)
/// forgets it outright, for I/O done without `try_io`.
#[must_use = "a guard does nothing unless used: call `try_io`, or drop it to keep the readiness"]
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    async_fd: &'a AsyncFd<T>,
    events: Events,
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    fn new(async_fd: &'a AsyncFd<T>, events: Events) -> AsyncFdReadyGuard<'a, T> {
        AsyncFdReadyGuard { async_fd, events }
    }

    /// Forgets the readiness this guard saw (unless a newer edge came):
    /// the next wait sleeps until the next edge. Hang-ups and errors
    /// stay, as in tokio. Call it only once the fd has been drained.
    pub fn clear_ready(&mut self) {
        self.async_fd.clear_drained(&mut self.events);
    }

    /// Forgets only the bits of `ready` this guard saw (hang-ups stay).
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        self.async_fd.clear_matching(&mut self.events, ready);
    }

    /// Keeps the readiness, as dropping the guard does.
    pub fn retain_ready(&mut self) {}

    /// What the wait saw ready (in the directions it waited for).
    #[must_use]
    pub fn ready(&self) -> Ready {
        self.events.ready
    }

    /// Runs `f` on the `AsyncFd`. If it reports `WouldBlock`, forgets the
    /// readiness and returns `Err(TryIoError)`: wait again. Otherwise
    /// returns its result.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let result = f(self.async_fd);
        self.async_fd.after_try_io(result, &mut self.events)
    }

    /// The `AsyncFd` this guard is for.
    #[must_use]
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.async_fd
    }

    /// The inner object of the `AsyncFd`.
    #[must_use]
    pub fn get_inner(&self) -> &'a T {
        self.async_fd.get_ref()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyGuard")
            .field("async_fd", self.async_fd)
            .field("ready", &self.events.ready)
            .finish()
    }
}

/// [`AsyncFdReadyGuard`] with `&mut` access to the [`AsyncFd`] (tokio's).
#[must_use = "a guard does nothing unless used: call `try_io`, or drop it to keep the readiness"]
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    async_fd: &'a mut AsyncFd<T>,
    events: Events,
}

impl<'a, T: AsRawFd> AsyncFdReadyMutGuard<'a, T> {
    fn new(async_fd: &'a mut AsyncFd<T>, events: Events) -> AsyncFdReadyMutGuard<'a, T> {
        AsyncFdReadyMutGuard { async_fd, events }
    }

    /// As [`AsyncFdReadyGuard::clear_ready`].
    pub fn clear_ready(&mut self) {
        self.async_fd.clear_drained(&mut self.events);
    }

    /// As [`AsyncFdReadyGuard::clear_ready_matching`].
    pub fn clear_ready_matching(&mut self, ready: Ready) {
        self.async_fd.clear_matching(&mut self.events, ready);
    }

    /// Keeps the readiness, as dropping the guard does.
    pub fn retain_ready(&mut self) {}

    /// What the wait saw ready (in the directions it waited for).
    #[must_use]
    pub fn ready(&self) -> Ready {
        self.events.ready
    }

    /// As [`AsyncFdReadyGuard::try_io`], with `&mut` access.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        let result = f(self.async_fd);
        self.async_fd.after_try_io(result, &mut self.events)
    }

    /// The `AsyncFd` this guard is for.
    #[must_use]
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.async_fd
    }

    /// The `AsyncFd` this guard is for, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.async_fd
    }

    /// The inner object of the `AsyncFd`.
    #[must_use]
    pub fn get_inner(&self) -> &T {
        self.async_fd.get_ref()
    }

    /// The inner object of the `AsyncFd`, mutably.
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.async_fd.get_mut()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MutReadyGuard")
            .field("async_fd", &*self.async_fd)
            .field("ready", &self.events.ready)
            .finish()
    }
}

/// The operation in a guard's `try_io` reported `WouldBlock`; the guard
/// forgot the readiness (tokio's).
#[derive(Debug)]
pub struct TryIoError(());

/// [`AsyncFd::try_new`] failed: the error, and the object it was given.
pub struct AsyncFdTryNewError<T> {
    inner: T,
    cause: io::Error,
}

impl<T> AsyncFdTryNewError<T> {
    /// The object the `AsyncFd` was to wrap, and the error.
    pub fn into_parts(self) -> (T, io::Error) {
        (self.inner, self.cause)
    }
}

impl<T> fmt::Display for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.cause, f)
    }
}

impl<T> fmt::Debug for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cause, f)
    }
}

impl<T> Error for AsyncFdTryNewError<T> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.cause)
    }
}

impl<T> From<AsyncFdTryNewError<T>> for io::Error {
    fn from(error: AsyncFdTryNewError<T>) -> io::Error {
        error.cause
    }
}
