//! [`PeerRetry`]: waiting for room in a Unix peer's queue, which no
//! readiness event announces.
//!
//! A Unix `connect` to a listener whose backlog is full, and a `send_to`
//! to a datagram socket whose queue is full (any receiver but the
//! connected peer), fail with `EAGAIN`, yet no edge comes on our socket
//! when room frees up: the kernel wakes only callers blocked in the call.
//! So the caller tries again after a pause: 1 ms, doubling up to 50 ms, for
//! as long as it takes, like the blocking call would wait.
//!
//! Nor can the wait be cut short by an edge: a failed `send_to` frees the
//! buffer it had taken for the datagram, which announces room in this
//! socket's own send buffer (`EPOLLOUT`) at every attempt, so waiting for
//! writability would retry at once, in a loop.

use std::io;
use std::time::Duration;

use edgeio_runtime::time::sleep;
use edgeio_runtime::Handle;

/// First and largest pause between attempts.
const RETRY_MIN: Duration = Duration::from_millis(1);
const RETRY_MAX: Duration = Duration::from_millis(50);

/// One call's pauses between attempts.
#[derive(Debug)]
pub(crate) struct PeerRetry {
    pause: Duration,
}

impl PeerRetry {
    pub(crate) fn new() -> PeerRetry {
        PeerRetry { pause: RETRY_MIN }
    }

    /// Waits before the next attempt after `full`, the `WouldBlock` error
    /// of this one; outside an edgeio runtime, where there are no timers,
    /// returns that error instead.
    pub(crate) async fn wait(&mut self, full: io::Error) -> io::Result<()> {
        match self.next_pause() {
            Some(pause) => {
                sleep(pause).await;
                Ok(())
            }
            None => Err(full),
        }
    }

    /// How long to wait before the next attempt. None outside an edgeio
    /// runtime.
    fn next_pause(&mut self) -> Option<Duration> {
        Handle::try_current().ok()?;
        let pause = self.pause;
        self.pause = (pause * 2).min(RETRY_MAX);
        Some(pause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_to_the_cap_and_need_a_runtime() {
        assert_eq!(PeerRetry::new().next_pause(), None);
        let runtime = edgeio_runtime::Runtime::new().unwrap();
        let pauses: Vec<u64> = runtime.block_on(async {
            let mut retry = PeerRetry::new();
            (0..8)
                .map(|_| retry.next_pause().unwrap().as_millis() as u64)
                .collect()
        });
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 50, 50]);
    }
}
