//! The paused clock: `pause`, `advance`, `resume`, and auto-advance, which
//! moves a paused clock to the next timer whenever the runtime is idle.

mod time_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgeio_runtime::time::{self, sleep, sleep_until, timeout, timeout_at, Instant};
use edgeio_runtime::{spawn, Builder};
use time_support::{ms, poll_once, run, run_paused, within, LIMIT};

#[test]
fn a_30_second_idle_timeout_finishes_in_milliseconds() {
    let wall = std::time::Instant::now();
    run_paused(|| async {
        let start = Instant::now();
        let result = timeout(Duration::from_secs(30), std::future::pending::<()>()).await;
        assert!(result.is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(30));
        sleep(Duration::from_secs(30)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    });
    // Generous for a loaded machine: real time would be a minute.
    assert!(
        wall.elapsed() < Duration::from_secs(10),
        "took {:?}",
        wall.elapsed()
    );
}

#[test]
fn paused_time_stands_still_without_timers() {
    run_paused(|| async {
        let start = Instant::now();
        for _ in 0..10 {
            edgeio_runtime::yield_now().await;
        }
        std::thread::sleep(ms(5));
        assert_eq!(Instant::now(), start);
    });
}

#[test]
fn timers_fire_in_deadline_order() {
    run_paused(|| async {
        let order = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let delays = [50u64, 10, 40, 1, 20, 30, 5000, 2, 700, 64, 65, 4096];
        let tasks: Vec<_> = delays
            .iter()
            .map(|&d| {
                let order = order.clone();
                spawn(async move {
                    sleep_until(start + ms(d)).await;
                    assert_eq!(Instant::now(), start + ms(d), "fired at the wrong time");
                    order.lock().unwrap().push(d);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let mut sorted = delays.to_vec();
        sorted.sort_unstable();
        assert_eq!(*order.lock().unwrap(), sorted);
    });
}

/// tokio's `advance_after_poll`.
#[test]
fn advance_fires_what_it_passes() {
    run_paused(|| async {
        let start = Instant::now();
        let mut s = sleep_until(start + ms(300));
        assert!(poll_once(&mut s).await.is_pending());
        time::advance(ms(100)).await;
        assert!(poll_once(&mut s).await.is_pending());
        assert_eq!(Instant::now(), start + ms(100));
        time::advance(ms(200)).await;
        assert!(s.is_elapsed(), "advance fires the timers it passes");
        assert!(poll_once(&mut s).await.is_ready());
        assert_eq!(Instant::now(), start + ms(300));
    });
}

#[test]
fn timeout_at_with_a_paused_clock() {
    run_paused(|| async {
        let start = Instant::now();
        let late = timeout_at(start + Duration::from_secs(5), sleep(Duration::from_secs(6))).await;
        assert!(late.is_err());
        assert_eq!(Instant::now(), start + Duration::from_secs(5));
        let early = timeout_at(start + Duration::from_secs(10), sleep(Duration::from_secs(1))).await;
        assert!(early.is_ok());
        assert_eq!(Instant::now(), start + Duration::from_secs(6));
    });
}

#[test]
fn resume_continues_from_the_paused_reading() {
    run_paused(|| async {
        let start = Instant::now();
        time::advance(Duration::from_secs(3600)).await;
        time::resume();
        let now = Instant::now();
        assert!(now >= start + Duration::from_secs(3600));
        sleep(ms(5)).await;
        assert!(now.elapsed() >= ms(5));
        time::pause();
        time::resume();
    });
}

#[test]
fn pausing_twice_and_resuming_a_running_clock_panic() {
    run_paused(|| async {
        let twice = spawn(async { time::pause() }).await.unwrap_err();
        assert!(twice.is_panic());
        time::resume();
        let again = spawn(async { time::resume() }).await.unwrap_err();
        assert!(again.is_panic());
        let advance = spawn(time::advance(ms(1))).await.unwrap_err();
        assert!(advance.is_panic(), "advance needs a paused clock");
    });
}

#[test]
fn pause_requires_the_current_thread_runtime() {
    let message = run(2, || async {
        let err = spawn(async { time::pause() }).await.unwrap_err();
        let panic = err.try_into_panic().expect("a panic");
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    });
    assert!(message.contains("current-thread runtime"), "{message}");
}

#[test]
fn pause_outside_of_a_runtime_panics() {
    let result = std::panic::catch_unwind(time::pause);
    assert!(result.is_err());
}

/// Sleeps started before the pause still fire, in virtual time.
#[test]
fn a_sleep_registered_before_pause_fires_by_auto_advance() {
    within(LIMIT, || {
        let runtime = Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let mut s = sleep(Duration::from_secs(600));
                assert!(poll_once(&mut s).await.is_pending());
                time::pause();
                let start = Instant::now();
                s.await;
                assert!(start.elapsed() <= Duration::from_secs(600));
            })
            .await
            .unwrap();
        });
    });
}

#[test]
fn an_interval_under_a_paused_clock_ticks_on_schedule() {
    run_paused(|| async {
        let start = Instant::now();
        let mut ticks = time::interval(ms(250));
        for i in 0..20u32 {
            assert_eq!(ticks.tick().await, start + ms(250) * i);
            assert_eq!(Instant::now(), start + ms(250) * i);
        }
    });
}

/// Deadlines beyond the wheel's reach (about 2.2 years) are filed again as
/// the clock gets there, and fire exactly on time (tokio's `long_sleeps`,
/// `multi_long_sleeps`, `greater_than_max` and `exactly_max`).
#[test]
fn sleeps_longer_than_the_wheel_fire_on_time() {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    run_paused(|| async {
        for _ in 0..5 {
            sleep(YEAR).await;
        }
        let deadline = Instant::now() + YEAR * 10;
        sleep_until(deadline).await;
        assert_eq!(Instant::now(), deadline);
        let exactly_max = ms((1 << 36) - 1);
        let start = Instant::now();
        sleep(exactly_max).await;
        assert_eq!(start.elapsed(), exactly_max);
        let start = Instant::now();
        sleep(exactly_max - ms(1)).await;
        assert_eq!(start.elapsed(), exactly_max - ms(1));
    });
}

/// tokio's `issue_5183`: a huge sleep neither panics nor fires early.
#[test]
fn a_huge_sleep_loses_to_a_tiny_one() {
    run_paused(|| async {
        let big = Duration::from_secs(u64::MAX / 10);
        let start = Instant::now();
        let first =
            futures_util::future::select(Box::pin(sleep(big)), Box::pin(sleep(Duration::from_nanos(1))))
                .await;
        assert!(matches!(first, futures_util::future::Either::Right(_)));
        assert_eq!(start.elapsed(), ms(1));
    });
}

/// tokio's `sub_ms_delayed_sleep` and `delayed_sleep_wrapping_level_0`:
/// deadlines round up to the next millisecond, never down.
#[test]
fn sub_millisecond_deadlines_round_up() {
    run_paused(|| async {
        for _ in 0..5 {
            let now = Instant::now();
            sleep_until(now + ms(1) + Duration::from_nanos(1)).await;
            let elapsed = now.elapsed();
            assert!(elapsed > ms(1) && elapsed <= ms(2), "{elapsed:?}");
        }
        sleep(ms(5)).await;
        let now = Instant::now();
        sleep_until(now + ms(60)).await;
        assert_eq!(now.elapsed(), ms(60));
        for _ in 0..1000 {
            sleep(Duration::ZERO).await;
        }
    });
}
