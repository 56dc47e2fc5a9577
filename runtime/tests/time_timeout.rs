//! `timeout` and `timeout_at`, as tokio's `time_timeout` suite: the inner
//! future wins ties, the deadline fires even while the inner future never
//! stops making progress, far deadlines, and the `Elapsed` error.

mod time_support;

use std::time::Duration;

use edgeio_runtime::time::error::Elapsed;
use edgeio_runtime::time::{self, sleep, timeout, timeout_at, Instant};
use time_support::{ms, run, run_paused};

#[test]
fn a_ready_future_wins_even_past_its_deadline() {
    run(1, || async {
        assert_eq!(timeout(Duration::ZERO, async { 1 }).await, Ok(1));
        let past = Instant::now() - ms(10);
        assert_eq!(timeout_at(past, std::future::ready(2)).await, Ok(2));
    });
}

#[test]
fn a_pending_future_past_its_deadline_elapses_at_once() {
    run(1, || async {
        let past = Instant::now() - ms(10);
        let err = timeout_at(past, std::future::pending::<()>()).await.unwrap_err();
        assert_eq!(err, Elapsed::clone(&err));
        assert_eq!(err.to_string(), "deadline has elapsed");
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn timeout_elapses_not_before_its_deadline() {
    run(2, || async {
        let start = Instant::now();
        assert!(timeout(ms(20), std::future::pending::<()>()).await.is_err());
        assert!(start.elapsed() >= ms(20));
        let ok = timeout(Duration::from_secs(10), sleep(ms(5))).await;
        assert!(ok.is_ok());
    });
}

#[test]
fn far_future_timeouts_do_not_panic() {
    run(1, || async {
        assert_eq!(timeout(Duration::MAX, async { 5 }).await, Ok(5));
        assert!(timeout(Duration::MAX, sleep(ms(5))).await.is_ok());
        let far = Instant::now() + Duration::from_secs(100 * 365 * 86400);
        assert!(timeout_at(far, sleep(ms(5))).await.is_ok());
    });
}

/// The inner future here is always ready (a loop of expired sleeps, which
/// spends the coop budget and so yields): the deadline must still fire.
/// It used to be checked under the same budget, which the inner future had
/// spent, so the timeout never fired (edgeio issue #19, tokio#4314).
#[test]
fn timeout_fires_while_the_inner_future_stays_busy() {
    run(1, || async {
        let start = std::time::Instant::now();
        let busy = timeout(ms(100), async {
            loop {
                sleep(Duration::ZERO).await;
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "the timeout never fired"
                );
            }
        });
        assert!(busy.await.is_err());
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "fired after {:?}",
            start.elapsed()
        );
    });
}

/// The same inside a spawned task on a single worker.
#[test]
fn timeout_fires_while_a_spawned_inner_future_stays_busy() {
    run(1, || async {
        let start = std::time::Instant::now();
        let task = edgeio_runtime::spawn(async move {
            timeout(ms(100), async {
                loop {
                    sleep(Duration::ZERO).await;
                    assert!(
                        start.elapsed() < Duration::from_secs(20),
                        "the timeout never fired"
                    );
                }
            })
            .await
        });
        assert!(task.await.unwrap().is_err());
    });
}

#[test]
fn timeout_accessors() {
    run(1, || async {
        let mut t = timeout(ms(10), async { 3 });
        let _: &_ = t.get_ref();
        let _: &mut _ = t.get_mut();
        assert_eq!(t.into_inner().await, 3);
    });
}

#[test]
fn paused_timeouts_elapse_in_virtual_time() {
    run_paused(|| async {
        let start = Instant::now();
        assert!(timeout(Duration::from_secs(3600), std::future::pending::<()>())
            .await
            .is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
        // The inner future wins when it is due first, even by a tick.
        let r = timeout(ms(11), async {
            sleep(ms(10)).await;
            7
        })
        .await;
        assert_eq!(r, Ok(7));
        let later = Instant::now();
        time::advance(ms(1)).await;
        assert_eq!(later.elapsed(), ms(1));
    });
}
