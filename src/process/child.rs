//! [`Child`]: a running (or exited) child process.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Output};
use std::task::{Context, Poll};

use edgeio_runtime::Handle;
use futures_io::AsyncRead;

use super::exit::ExitWatch;
use super::orphan;
use super::stdio::{ChildStderr, ChildStdin, ChildStdout};

/// A child process spawned by [`Command`](super::Command).
///
/// Its exit is an event in the reactor (a `pidfd` in the epoll set), so
/// waiting ties up no thread. Dropping a `Child` does not kill the process
/// unless [`kill_on_drop`](super::Command::kill_on_drop) was set; either
/// way the process is reaped once it exits, with no zombie left behind:
/// a task of the runtime that spawned it waits for it (see the
/// [module docs](super) for the exact guarantee).
pub struct Child {
    /// The child's stdin, when it was piped.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, when it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, when it was piped.
    pub stderr: Option<ChildStderr>,
    /// `None` once reaped and forgotten (only in `Drop`).
    inner: Option<Inner>,
    status: Option<ExitStatus>,
    handle: Handle,
    kill_on_drop: bool,
}

struct Inner {
    child: std::process::Child,
    watch: ExitWatch,
}

impl Child {
    pub(crate) fn new(
        mut child: std::process::Child,
        handle: Handle,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        let stdio = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let watched = ExitWatch::new(child.id()).and_then(|watch| {
            Ok((
                watch,
                stdio.0.map(ChildStdin::from_std).transpose()?,
                stdio.1.map(ChildStdout::from_std).transpose()?,
                stdio.2.map(ChildStderr::from_std).transpose()?,
            ))
        });
        match watched {
            Ok((watch, stdin, stdout, stderr)) => Ok(Child {
                stdin,
                stdout,
                stderr,
                inner: Some(Inner { child, watch }),
                status: None,
                handle,
                kill_on_drop,
            }),
            Err(e) => {
                // Nothing can wait for it: kill it, and let the sweeps reap
                // it rather than block here.
                let _ = child.kill();
                if let Ok(None) = child.try_wait() {
                    orphan::queue_child(child);
                }
                Err(e)
            }
        }
    }

    /// The child's process id, or `None` once it has been reaped (the id
    /// may then belong to another process).
    pub fn id(&self) -> Option<u32> {
        match (&self.inner, self.status) {
            (Some(inner), None) => Some(inner.child.id()),
            _ => None,
        }
    }

    /// Sends SIGKILL without waiting for the exit; [`Child::wait`] reaps it.
    ///
    /// Once the child was reaped this does nothing and returns `Ok(())`,
    /// as tokio's does (since its 1.44): the child is gone, which is what
    /// was asked, and no signal is sent, since its id may have been reused.
    ///
    /// # Errors
    ///
    /// Those of `kill(2)` on a child not yet reaped.
    pub fn start_kill(&mut self) -> io::Result<()> {
        match (&mut self.inner, self.status) {
            (Some(inner), None) => inner.child.kill(),
            _ => Ok(()),
        }
    }

    /// Sends SIGKILL and waits until the child is reaped.
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Waits for the child to exit and reaps it. Closes the child's stdin
    /// first (if piped), so a child that reads to end of input can finish.
    ///
    /// Cancel safe, and may be called again: once reaped, the status is
    /// remembered.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        poll_fn(|cx| self.poll_wait(cx)).await
    }

    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        if let Some(status) = self.status {
            return Poll::Ready(Ok(status));
        }
        let Some(Inner { child, watch }) = &mut self.inner else {
            return Poll::Ready(Err(io::ErrorKind::NotFound.into()));
        };
        let status = std::task::ready!(watch.poll_exit(cx, child))?;
        self.status = Some(status);
        Poll::Ready(Ok(status))
    }

    /// Reaps the child if it has exited, without waiting: `Ok(None)` while
    /// it runs.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let Some(inner) = &mut self.inner else {
            return Err(io::ErrorKind::NotFound.into());
        };
        let status = inner.child.try_wait()?;
        self.status = status;
        Ok(status)
    }

    /// Waits for the exit while reading stdout and stderr (if piped) to
    /// their ends, all at once, so a child filling one pipe never blocks
    /// the others; stdin is closed first.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let mut stdout_pipe = self.stdout.take();
        let mut stderr_pipe = self.stderr.take();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let status = poll_fn(|cx| {
            let out = poll_read_to_end(cx, &mut stdout_pipe, &mut stdout)?;
            let err = poll_read_to_end(cx, &mut stderr_pipe, &mut stderr)?;
            let status = std::task::ready!(self.poll_wait(cx))?;
            if out.is_ready() && err.is_ready() {
                Poll::Ready(Ok::<_, io::Error>(status))
            } else {
                Poll::Pending
            }
        })
        .await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

/// Reads `pipe` into `buf` until end of file (then drops the pipe), or
/// until it would wait.
fn poll_read_to_end<R: AsyncRead + Unpin>(
    cx: &mut Context<'_>,
    pipe: &mut Option<R>,
    buf: &mut Vec<u8>,
) -> io::Result<Poll<()>> {
    let Some(reader) = pipe else {
        return Ok(Poll::Ready(()));
    };
    let mut chunk = [0u8; 8192];
    loop {
        match Pin::new(&mut *reader).poll_read(cx, &mut chunk) {
            Poll::Ready(Ok(0)) => {
                *pipe = None;
                return Ok(Poll::Ready(()));
            }
            Poll::Ready(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(e)) => return Err(e),
            Poll::Pending => return Ok(Poll::Pending),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(Inner { mut child, watch }) = self.inner.take() else {
            return;
        };
        if self.status.is_some() {
            return;
        }
        if self.kill_on_drop {
            let _ = child.kill();
        }
        orphan::sweep();
        if let Ok(None) = child.try_wait() {
            orphan::adopt(&self.handle, child, watch);
        }
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("status", &self.status)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish_non_exhaustive()
    }
}
