#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_notify_both.rs` (tokio is MIT-licensed):
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
async fn notify_both() {
    let kind = SignalKind::user_defined2();

    let mut signal1 = signal(kind).expect("failed to create signal1");
    let mut signal2 = signal(kind).expect("failed to create signal2");

    send_signal(libc::SIGUSR2);

    signal1.recv().await;
    signal2.recv().await;
}
