#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_twice.rs` (tokio is MIT-licensed):
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
async fn twice() {
    let kind = SignalKind::user_defined1();
    let mut sig = signal(kind).expect("failed to get signal");

    for _ in 0..2 {
        send_signal(libc::SIGUSR1);

        assert!(sig.recv().await.is_some());
    }
}
