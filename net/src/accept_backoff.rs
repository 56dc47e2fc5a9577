//! [`AcceptBackoff`]: keeps an accept loop from spinning when the process
//! runs out of descriptors or memory.
//!
//! When `accept` fails with `EMFILE`, `ENFILE`, `ENOBUFS` or `ENOMEM`, the
//! connection stays queued and the listener stays readable (no `EAGAIN` was
//! seen), so a loop that logs the error and calls `accept` again would retry
//! at once, forever, at 100% CPU. Instead, the next `accept` first sleeps:
//! 10 ms after the first such error, doubling with each consecutive one up
//! to 1 s, and back to no delay after a successful accept. Every error is
//! still returned to the caller.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use edgeio_runtime::time::{sleep, Sleep};
use edgeio_runtime::Handle;

/// The delay after the first resource-exhaustion error.
const FIRST_DELAY: Duration = Duration::from_millis(10);
/// The longest delay, reached after a few consecutive errors.
const MAX_DELAY: Duration = Duration::from_secs(1);

/// Shared by all callers of one listener: the delay the next `accept` waits
/// before trying, in milliseconds (0: none).
#[derive(Debug, Default)]
pub(crate) struct AcceptBackoff {
    delay_ms: AtomicU64,
}

/// One caller's progress through the backoff of a single `accept`.
#[derive(Debug, Default)]
pub(crate) enum BackoffWait {
    /// The delay has not been looked at yet.
    #[default]
    Start,
    Sleeping(Sleep),
    /// Waited (or nothing to wait for): accept.
    Accepting,
}

impl AcceptBackoff {
    /// Waits out the current delay (once per accept, tracked by `wait`),
    /// then polls `accept`, and records its outcome for the next call.
    pub(crate) fn poll_accept<T>(
        &self,
        wait: &mut BackoffWait,
        cx: &mut Context<'_>,
        accept: impl FnOnce(&mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if let BackoffWait::Start = wait {
            *wait = match self.delay() {
                Some(delay) => BackoffWait::Sleeping(sleep(delay)),
                None => BackoffWait::Accepting,
            };
        }
        if let BackoffWait::Sleeping(sleep) = wait {
            ready!(Pin::new(sleep).poll(cx));
            *wait = BackoffWait::Accepting;
        }
        let result = ready!(accept(cx));
        *wait = BackoffWait::Start;
        self.record(&result);
        Poll::Ready(result)
    }

    /// The delay to wait before the next accept. None outside a runtime,
    /// where there are no timers (the error is then returned without one).
    fn delay(&self) -> Option<Duration> {
        match self.delay_ms.load(Ordering::Relaxed) {
            0 => None,
            _ if Handle::try_current().is_err() => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    fn record<T>(&self, result: &io::Result<T>) {
        match result {
            Ok(_) => self.delay_ms.store(0, Ordering::Relaxed),
            Err(e) if is_resource_exhaustion(e) => {
                let first = FIRST_DELAY.as_millis() as u64;
                let max = MAX_DELAY.as_millis() as u64;
                // Concurrent accept loops may race here; any of their
                // values is a fine delay.
                let current = self.delay_ms.load(Ordering::Relaxed);
                let next = if current == 0 {
                    first
                } else {
                    (current * 2).min(max)
                };
                self.delay_ms.store(next, Ordering::Relaxed);
            }
            // Errors about one connection (ECONNABORTED, EPERM from a
            // firewall, ...) leave the queue moving: no reason to wait.
            Err(_) => {}
        }
    }
}

/// Errors after which the pending connection stays queued until resources
/// are freed.
fn is_resource_exhaustion(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_to_the_cap_and_resets_on_success() {
        let backoff = AcceptBackoff::default();
        let emfile: io::Result<()> = Err(io::Error::from_raw_os_error(libc::EMFILE));
        let mut seen = Vec::new();
        for _ in 0..10 {
            backoff.record(&emfile);
            seen.push(backoff.delay_ms.load(Ordering::Relaxed));
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        backoff.record(&Err::<(), _>(io::Error::from_raw_os_error(libc::ECONNABORTED)));
        assert_eq!(backoff.delay_ms.load(Ordering::Relaxed), 1000);
        backoff.record(&Ok(()));
        assert_eq!(backoff.delay_ms.load(Ordering::Relaxed), 0);
        // Outside a runtime there is no timer to wait on.
        backoff.record(&emfile);
        assert_eq!(backoff.delay(), None);
    }
}
