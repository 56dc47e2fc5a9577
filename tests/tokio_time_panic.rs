#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/time_panic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! Left out: the `tokio_unstable` runtimes with tokio's alternative timer
//! (`Builder::enable_alt_timer`, unstable and tokio-internal) in
//! `rt_combinations`. `futures::future` is `std::future`; tokio's
//! `support/panic.rs` is `test_panic` in `support/tokio_test.rs`.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::{Builder, Runtime};
use edgeio::time::{self, interval, interval_at, timeout, timeout_at, Instant};
use std::error::Error;
use std::future;
use std::time::Duration;

use tokio_test::test_panic;

fn rt_combinations() -> Vec<Runtime> {
    let mut rts = vec![];

    let rt = edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rts.push(rt);

    let rt = edgeio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rts.push(rt);

    let rt = edgeio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    rts.push(rt);

    // Left out: tokio's `tokio_unstable` runtimes with `enable_alt_timer`.

    rts
}

#[test]
fn pause_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    for rt in rt_combinations() {
        let panic_location_file = test_panic(|| {
            rt.block_on(async {
                time::pause();
                time::pause();
            });
        });

        // The panic location should be in this file
        assert_eq!(&panic_location_file.unwrap(), file!());
    }

    Ok(())
}

#[test]
fn resume_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();

        rt.block_on(async {
            time::resume();
        });
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn interval_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = interval(Duration::from_millis(0));
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn interval_at_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = interval_at(Instant::now(), Duration::from_millis(0));
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn timeout_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        // Runtime without `enable_time` so it has no current timer set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let _timeout = timeout(Duration::from_millis(5), future::pending::<()>());
        });
    });

    // Adapted: edgeio's timers are always on (`enable_time` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a timer and creating the
    // timeout does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn timeout_at_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        // Runtime without `enable_time` so it has no current timer set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let _timeout = timeout_at(Instant::now(), future::pending::<()>());
        });
    });

    // Adapted: edgeio's timers are always on (`enable_time` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a timer and creating the
    // timeout does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

fn current_thread() -> Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
