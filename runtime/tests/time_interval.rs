//! `interval` and `interval_at`: the first tick, each `MissedTickBehavior`
//! and the `reset*` methods, on a paused clock so every instant is exact.
//! The scenarios are those of tokio's `time_interval` suite.

mod time_support;

use std::task::Poll;
use std::time::Duration;

use edgeio_runtime::time::{self, interval, interval_at, Instant, Interval, MissedTickBehavior};
use time_support::{ms, run, run_paused};

/// Polls the interval once: `Some(ms since start)` of the tick that is
/// due, or `None` if none is.
async fn poll_tick(i: &mut Interval, start: Instant) -> Option<u64> {
    match std::future::poll_fn(|cx| Poll::Ready(i.poll_tick(cx))).await {
        Poll::Ready(at) => Some(at.duration_since(start).as_millis() as u64),
        Poll::Pending => None,
    }
}

#[test]
#[should_panic(expected = "`period` must be non-zero.")]
fn interval_zero_period_panics() {
    let _ = interval(Duration::ZERO);
}

#[test]
#[should_panic(expected = "`period` must be non-zero.")]
fn interval_at_zero_period_panics() {
    let _ = interval_at(Instant::now(), Duration::ZERO);
}

#[test]
fn burst_is_the_default_and_catches_up() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval(ms(300));
        assert_eq!(i.missed_tick_behavior(), MissedTickBehavior::Burst);
        assert_eq!(poll_tick(&mut i, start).await, Some(0));
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(300));
        time::advance(ms(650)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(600));
        assert_eq!(poll_tick(&mut i, start).await, Some(900));
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1200));
        time::advance(ms(250)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1500));
        time::advance(ms(300)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1800));
    });
}

#[test]
fn delay_shifts_the_schedule() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval(ms(300));
        i.set_missed_tick_behavior(MissedTickBehavior::Delay);
        assert_eq!(poll_tick(&mut i, start).await, Some(0));
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(300));
        time::advance(ms(650)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(600));
        // Late at 950: the next tick is a period from then.
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1250));
        time::advance(ms(300)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1550));
    });
}

#[test]
fn skip_keeps_the_schedule_and_drops_missed_ticks() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval(ms(300));
        i.set_missed_tick_behavior(MissedTickBehavior::Skip);
        assert_eq!(poll_tick(&mut i, start).await, Some(0));
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(300));
        time::advance(ms(650)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(600));
        // Late at 950: 900 is skipped, 1200 is next.
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(150)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1200));
        time::advance(ms(300)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1500));
    });
}

#[test]
fn interval_at_starts_at_its_start() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval_at(start + ms(100), ms(300));
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(99)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(1)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(100));
        assert_eq!(i.tick().await, start + ms(400));
        assert_eq!(Instant::now(), start + ms(400));
        assert_eq!(i.period(), ms(300));
    });
}

#[test]
fn reset_restarts_a_period_from_now() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval(ms(300));
        assert_eq!(poll_tick(&mut i, start).await, Some(0));
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(200)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(300));
        time::advance(ms(100)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        i.reset();
        time::advance(ms(250)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(50)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(700));
        time::advance(ms(300)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(1000));
    });
}

#[test]
fn reset_immediately_after_and_at() {
    run_paused(|| async {
        let start = Instant::now();
        let mut i = interval(ms(300));
        assert_eq!(poll_tick(&mut i, start).await, Some(0));
        time::advance(ms(100)).await;
        i.reset_immediately();
        assert_eq!(poll_tick(&mut i, start).await, Some(100));
        assert_eq!(poll_tick(&mut i, start).await, None);
        i.reset_after(ms(20));
        time::advance(ms(19)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        time::advance(ms(1)).await;
        assert_eq!(poll_tick(&mut i, start).await, Some(120));
        i.reset_at(start + ms(1000));
        time::advance(ms(500)).await;
        assert_eq!(poll_tick(&mut i, start).await, None);
        assert_eq!(i.tick().await, start + ms(1000));
        assert_eq!(i.tick().await, start + ms(1300));
    });
}

/// In real time too, ticks keep the schedule set by the first one.
#[test]
fn ticks_in_real_time_keep_their_schedule() {
    run(1, || async {
        let mut i = interval(ms(10));
        let first = i.tick().await;
        for n in 1..5u32 {
            assert_eq!(i.tick().await, first + ms(10) * n);
        }
        assert!(first.elapsed() >= ms(40));
    });
}

/// An `Interval` is a `Stream` of its ticks (tokio-stream's
/// `IntervalStream`, async-io's periodic `Timer`): `next` gives the same
/// instants as `tick`, and the stream never ends.
#[test]
fn an_interval_is_a_stream_of_its_ticks() {
    use futures_util::StreamExt;

    run_paused(|| async {
        let start = Instant::now();
        let mut ticks = interval(ms(10));
        assert_eq!(futures_util::Stream::size_hint(&ticks), (usize::MAX, None));
        for n in 0..5u64 {
            let at = ticks.next().await.expect("an interval never ends");
            assert_eq!(at.duration_since(start), ms(10 * n));
        }
        let three: Vec<_> = ticks.by_ref().take(3).collect().await;
        assert_eq!(three.len(), 3);
        assert_eq!(three[2].duration_since(start), ms(70));
    });
}
