#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/rt_panic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; `futures::future` is `std::future`, and tokio's
//! `support/panic.rs` is `test_panic` in tests/support/tokio_test.rs.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::{Builder, Handle, Runtime};
use std::error::Error;
use std::future;
use tokio_test::test_panic;

#[test]
fn current_handle_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Handle::current();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn into_panic_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(move || {
        let rt = current_thread();
        rt.block_on(async {
            let handle = edgeio::spawn(future::pending::<()>());

            handle.abort();

            let err = handle.await.unwrap_err();
            assert!(!&err.is_panic());

            let _ = err.into_panic();
        });
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn builder_worker_threads_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Builder::new_multi_thread().worker_threads(0).build();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn builder_max_blocking_threads_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Builder::new_multi_thread().max_blocking_threads(0).build();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn builder_global_queue_interval_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Builder::new_multi_thread().global_queue_interval(0).build();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn builder_event_interval_interval_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Builder::new_multi_thread().event_interval(0).build();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn builder_name_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = Builder::new_multi_thread().name(" ").build();
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

fn current_thread() -> Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
