#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_no_rt.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio` and `tokio-test` replaced by
// tests/support/tokio_test.rs. A test binary of its own, as in tokio, since
// the signal goes to the whole process. Adaptations beyond renaming are
// marked "edgeio:".

use edgeio::signal::unix::{signal, SignalKind};

// edgeio: outside a runtime `signal` returns an `io::Error` where tokio
// panics; edgeio reports faults as errors, never panics (see
// `edgeio::signal::unix::signal`).
#[test]
fn no_runtime_panics_creating_signals() {
    assert!(signal(SignalKind::hangup()).is_err());
}
