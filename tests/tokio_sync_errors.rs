#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/sync_errors.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio` (`edgeio::sync` is `tokio::sync`, re-exported).
//! `tokio-test` is `support/tokio_test.rs` (for the watchdog).
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

fn is_error<T: std::error::Error + Send + Sync>() {}

#[test]
fn mpsc_error_bound() {
    let _watchdog = tokio_test::watchdog();
    use edgeio::sync::mpsc::error;

    is_error::<error::SendError<()>>();
    is_error::<error::TrySendError<()>>();
}

#[test]
fn oneshot_error_bound() {
    let _watchdog = tokio_test::watchdog();
    use edgeio::sync::oneshot::error;

    is_error::<error::RecvError>();
    is_error::<error::TryRecvError>();
}

#[test]
fn watch_error_bound() {
    let _watchdog = tokio_test::watchdog();
    use edgeio::sync::watch::error;

    is_error::<error::SendError<()>>();
}
