//! [`Timer`]: hyper's timeouts on edgeio's timers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::time::{sleep, sleep_until, Sleep};

/// A [`hyper::rt::Timer`] on [`crate::time`], like hyper-util's
/// `TokioTimer`. hyper needs one for its timeouts and keep-alive pings
/// (HTTP/1's `header_read_timeout`, which defaults to 30 s once a timer
/// is set, HTTP/2's `keep_alive_interval`, the pooled client's idle
/// timeout).
///
/// ```
/// let mut builder = hyper::server::conn::http1::Builder::new();
/// builder.timer(edgeio::hyper::Timer);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer;

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(TimerSleep {
            inner: sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(TimerSleep::until(deadline))
    }

    /// Replaces the sleep in place when it is one of ours, sparing the
    /// allocation hyper's default (a new sleep) would make on every reset.
    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<TimerSleep>() {
            Some(mut ours) => ours.set(TimerSleep::until(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

pin_project_lite::pin_project! {
    /// An edgeio [`Sleep`] as a [`hyper::rt::Sleep`] (which, being
    /// hyper's trait, edgeio's type cannot implement from here).
    struct TimerSleep {
        #[pin]
        inner: Sleep,
    }
}

impl TimerSleep {
    fn until(deadline: Instant) -> TimerSleep {
        TimerSleep {
            inner: sleep_until(edgeio_instant(deadline)),
        }
    }
}

/// hyper's deadlines are `std::time::Instant`s; this is the one place
/// that turns them into what [`sleep_until`] takes.
fn edgeio_instant(deadline: Instant) -> crate::time::Instant {
    crate::time::Instant::from_std(deadline)
}

impl Future for TimerSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl hyper::rt::Sleep for TimerSleep {}
