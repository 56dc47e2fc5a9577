//! [`Blocking`]: a blocking reader or writer (standard input and output)
//! driven from async code, one operation at a time on the blocking pool.

use std::fmt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use edgeio_runtime::{Handle, JoinHandle};

use super::buf::{Buf, MAX_BUF};

/// Runs reads, writes and flushes of the `T` that `open` returns on the
/// blocking pool. `T` is a cheap handle to a process-wide object
/// (`std::io::stdout()`), so each job opens its own and nothing but the
/// buffer travels between threads.
pub(crate) struct Blocking<T> {
    open: fn() -> T,
    state: State,
    /// A write finished since the last flush (a `std` handle may buffer).
    need_flush: bool,
}

enum State {
    Idle(Buf),
    /// A read, write or flush job.
    Busy(JoinHandle<(io::Result<usize>, Buf)>),
}

impl<T> Blocking<T> {
    pub(crate) fn new(open: fn() -> T) -> Blocking<T> {
        Blocking {
            open,
            state: State::Idle(Buf::default()),
            need_flush: false,
        }
    }

    /// Starts `job` on `runtime`'s blocking pool. Callers get the handle
    /// (which fails outside a runtime) before they take the buffer out of
    /// the state, so that a failure leaves everything as it was.
    fn start<F>(&mut self, runtime: &Handle, job: F)
    where
        F: FnOnce() -> (io::Result<usize>, Buf) + Send + 'static,
    {
        self.state = State::Busy(runtime.spawn_blocking(job));
    }

    /// Waits for the job in flight and returns its result (`Ok(0)` if
    /// there was none).
    fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let State::Busy(job) = &mut self.state else {
            return Poll::Ready(Ok(0));
        };
        let (result, buf) = match ready!(Pin::new(job).poll(cx)) {
            Ok(done) => done,
            Err(e) => (Err(e.into()), Buf::default()),
        };
        self.state = State::Idle(buf);
        Poll::Ready(result)
    }
}

impl<T: Read + 'static> Blocking<T> {
    pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            match &mut self.state {
                State::Idle(buf) => {
                    if !buf.is_empty() || dst.is_empty() {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    let runtime = Handle::try_current()?;
                    let mut buf = std::mem::take(buf);
                    let len = dst.len().min(MAX_BUF);
                    let open = self.open;
                    self.start(&runtime, move || {
                        let result = buf.read_from(&mut open(), len);
                        (result, buf)
                    });
                }
                State::Busy(_) => {
                    ready!(self.poll_complete(cx))?;
                    if let State::Idle(buf) = &mut self.state {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                }
            }
        }
    }
}

impl<T: Write + 'static> Blocking<T> {
    /// Takes (up to 2 MiB of) `src` and writes it in the background. A
    /// write error is returned by the next `poll_write` or `poll_flush`.
    pub(crate) fn poll_write(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            match &mut self.state {
                State::Idle(buf) => {
                    if src.is_empty() {
                        return Poll::Ready(Ok(0));
                    }
                    let runtime = Handle::try_current()?;
                    let mut buf = std::mem::take(buf);
                    let n = buf.copy_from(src, MAX_BUF);
                    let job = WriteJob { open: self.open, buf };
                    self.start(&runtime, move || job.run());
                    self.need_flush = true;
                    return Poll::Ready(Ok(n));
                }
                State::Busy(_) => {
                    ready!(self.poll_complete(cx))?;
                }
            }
        }
    }

    /// Waits for the write in flight, then flushes the `std` handle.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.state {
                State::Idle(buf) if self.need_flush => {
                    let runtime = Handle::try_current()?;
                    let buf = std::mem::take(buf);
                    let open = self.open;
                    self.start(&runtime, move || (open().flush().map(|()| 0), buf));
                    self.need_flush = false;
                }
                State::Idle(_) => return Poll::Ready(Ok(())),
                State::Busy(_) => {
                    ready!(self.poll_complete(cx))?;
                }
            }
        }
    }
}

/// Accepted bytes on their way out. Should the pool drop the job before it
/// runs (the runtime is shutting down), dropping it writes them on the
/// dropping thread, as tokio runs these as "mandatory" blocking jobs:
/// output a `write` accepted is not lost to a shutdown.
struct WriteJob<T: Write> {
    open: fn() -> T,
    /// Emptied once written (or failed).
    buf: Buf,
}

impl<T: Write> WriteJob<T> {
    /// Writes into the `std` handle, which may buffer (stdout keeps a
    /// partial line until a flush, as with `print!`).
    fn run(mut self) -> (io::Result<usize>, Buf) {
        let n = self.buf.len();
        let result = self.buf.write_to(&mut (self.open)()).map(|()| n);
        (result, std::mem::take(&mut self.buf))
    }
}

impl<T: Write> Drop for WriteJob<T> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            // Nobody is left to flush later, or to report an error to.
            let mut out = (self.open)();
            let _ = self.buf.write_to(&mut out).and_then(|()| out.flush());
        }
    }
}

impl<T> fmt::Debug for Blocking<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let busy = matches!(self.state, State::Busy(_));
        f.debug_struct("Blocking")
            .field("busy", &busy)
            .finish_non_exhaustive()
    }
}
