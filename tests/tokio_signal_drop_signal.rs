#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_drop_signal.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio` and `tokio-test` replaced by
// tests/support/tokio_test.rs. A test binary of its own, as in tokio, since
// the signal goes to the whole process. Adaptations beyond renaming are
// marked "edgeio:".

mod support {
    pub mod signal;
}

use edgeio::signal::unix::{signal, SignalKind};
use support::signal::send_signal;

#[edgeio::test(timeout_secs = 30)]
async fn dropping_signal_does_not_deregister_any_other_instances() {
    let kind = SignalKind::user_defined1();

    // Signals should not starve based on ordering
    let first_duplicate_signal = signal(kind).expect("failed to register first duplicate signal");
    let mut sig = signal(kind).expect("failed to register signal");
    let second_duplicate_signal = signal(kind).expect("failed to register second duplicate signal");

    drop(first_duplicate_signal);
    drop(second_duplicate_signal);

    send_signal(libc::SIGUSR1);
    let _ = sig.recv().await;
}
