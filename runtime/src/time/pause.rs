//! [`pause`], [`advance`] and [`resume`]: driving the current runtime's
//! clock by hand in tests.

use std::time::Duration;

use crate::runtime::handle::Handle;

/// Pauses the clock of `handle`'s runtime, without checking the runtime's
/// flavour: the hook for `Builder::start_paused` and
/// `#[edgeio::test(start_paused = true)]`, which decide that themselves.
///
/// # Panics
///
/// If the clock is already paused.
#[track_caller]
pub(crate) fn pause_runtime_clock(handle: &Handle) {
    if let Err(e) = handle.reactor().clock().pause() {
        panic!("{e}");
    }
}

// The panics here are written as `match`es, not `unwrap_or_else` with a
// closure: a closure does not pass `#[track_caller]`'s location on, and a
// test's panic should point at the test's call (as tokio's do).

#[track_caller]
fn current() -> Handle {
    match Handle::try_current() {
        Ok(handle) => handle,
        Err(_) => panic!("time cannot be paused, advanced or resumed outside of an edgeio runtime"),
    }
}

/// Pauses time: the current runtime's clock stops, and from now on moves
/// only by [`advance`] or by auto-advance.
///
/// While paused, [`Instant::now`](crate::time::Instant::now) returns the frozen reading, and whenever
/// the runtime has no task to run and no I/O ready, it jumps the clock to
/// the next pending timer and fires it, so code that sleeps (or times out)
/// runs to completion at once, in the same order as it would in real time.
/// I/O still happens in real time: a timeout around a socket read may fire
/// before the peer's (real) reply arrives, as with tokio.
///
/// # Panics
///
/// Outside of a runtime, if the clock is already paused, or on the
/// multi-thread runtime: pausing is only sound on the current-thread
/// runtime (as in tokio), where "no task runnable" is known for certain.
///
/// ```
/// use std::time::Duration;
/// use edgeio_runtime::time::{self, Instant};
///
/// let runtime = edgeio_runtime::Builder::new_current_thread().build()?;
/// runtime.block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(30)).await; // returns at once
///     assert!(start.elapsed() >= Duration::from_secs(30));
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn pause() {
    let handle = current();
    assert!(
        handle.allows_paused_clock(),
        "time::pause() requires the current-thread runtime (`Builder::new_current_thread`, \
         `#[edgeio::test]`): with worker threads, the clock could jump while one of them is busy"
    );
    pause_runtime_clock(&handle);
}

/// Resumes time: the clock runs again from its paused reading.
///
/// # Panics
///
/// Outside of a runtime, or if the clock is not paused.
#[track_caller]
pub fn resume() {
    if let Err(e) = current().reactor().clock().resume() {
        panic!("{e}");
    }
}

/// Moves a paused clock forward by `duration`, fires every timer that came
/// due, and yields once so that their tasks can run.
///
/// As in tokio, it does not wait for those tasks to finish: to run them to
/// completion, `sleep` instead and let auto-advance do the rest.
///
/// # Panics
///
/// Outside of a runtime, or if the clock is not paused.
pub async fn advance(duration: Duration) {
    let handle = current();
    let reactor = handle.reactor();
    reactor
        .clock()
        .advance(duration)
        .unwrap_or_else(|e| panic!("{e}"));
    reactor.fire_due_timers();
    crate::executor::yield_now::yield_now().await;
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::pause;
    use crate::runtime::builder::Builder;
    use crate::runtime::handle::{spawn, Handle};
    use crate::time::instant::Instant;
    use crate::time::sleep::sleep;

    /// While inhibited, a paused clock does not jump; once allowed again,
    /// the driver (asleep in real time) is woken and jumps at once.
    #[test]
    fn inhibited_auto_advance_waits_until_allowed() {
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                pause();
                let reactor = Handle::current().reactor().clone();
                reactor.inhibit_auto_advance();
                let start = Instant::now();
                let sleeper = spawn(sleep(Duration::from_secs(3600)));
                std::thread::sleep(Duration::from_millis(100));
                assert!(!sleeper.is_finished(), "auto-advanced while inhibited");
                assert_eq!(Instant::now(), start);
                reactor.allow_auto_advance();
                sleeper.await.unwrap();
                assert_eq!(start.elapsed(), Duration::from_secs(3600));
            });
            let _ = done.send(());
        });
        finished
            .recv_timeout(Duration::from_secs(30))
            .expect("the sleeper never finished (or the test panicked)");
    }
}
