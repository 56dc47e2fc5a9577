#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_drop_recv.rs` (tokio is MIT-licensed):
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
async fn drop_then_get_a_signal() {
    let kind = SignalKind::user_defined1();
    let sig = signal(kind).expect("failed to create first signal");
    drop(sig);

    send_signal(libc::SIGUSR1);
    let mut sig = signal(kind).expect("failed to create second signal");

    let _ = sig.recv().await;
}
