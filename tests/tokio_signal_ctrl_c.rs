#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_ctrl_c.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio` and `tokio-test` replaced by
// tests/support/tokio_test.rs. A test binary of its own, as in tokio, since
// the signal goes to the whole process. Adaptations beyond renaming are
// marked "edgeio:".

mod support {
    pub mod signal;
}
#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::signal;
use support::signal::send_signal;
use tokio_test::assert_ok;

#[edgeio::test(timeout_secs = 30)]
async fn ctrl_c() {
    let ctrl_c = signal::ctrl_c();

    edgeio::spawn(async {
        send_signal(libc::SIGINT);
    });

    assert_ok!(ctrl_c.await);
}
