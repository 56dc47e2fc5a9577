//! tokio's `tokio/tests/rt_time_start_paused.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`. Left out: nothing.

use edgeio::time::{Duration, Instant};

#[edgeio::test(start_paused = true)]
async fn test_start_paused() {
    let now = Instant::now();

    // Pause a few times w/ std sleep and ensure `now` stays the same
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(now, Instant::now());
    }
}
