#![warn(rust_2018_idioms)]
#![cfg(unix)]
#![cfg(panic = "unwind")]
#![cfg(not(miri))] // No `sigaction` on Miri.
//! tokio's `tokio/tests/signal_panic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`. tokio's `support/panic.rs` is `test_panic` in
//! `support/tokio_test.rs`. A test binary of its own, as in tokio.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::Builder;
use edgeio::signal::unix::{signal, SignalKind};
use std::error::Error;

use tokio_test::test_panic;

#[test]
fn signal_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = Builder::new_current_thread().build().unwrap();

        rt.block_on(async {
            let kind = SignalKind::from_raw(-1);
            // Adapted: edgeio reports a bad signal number as an error
            // rather than a panic (docs/TOKIO-PORTING.md, "Time, signals,
            // ..."), and its signals are always on, so this runtime has
            // them where tokio's has no signal driver.
            let err = signal(kind).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        });
    });

    // Adapted: so nothing panics (tokio's panics at this file's call).
    assert_eq!(panic_location_file, None);

    Ok(())
}
