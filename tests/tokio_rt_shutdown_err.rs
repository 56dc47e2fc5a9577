#![warn(rust_2018_idioms)]
#![allow(clippy::io_other_error)] // tokio's tests, as written
//! tokio's `tokio/tests/rt_shutdown_err.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::net::TcpListener;
use edgeio::runtime::Builder;
use std::io;

fn rt() -> edgeio::runtime::Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn test_is_rt_shutdown_err() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = rt();
    let rt2 = rt();

    // Adapted: edgeio's `TcpListener::bind` is synchronous (no `.await`).
    let listener = rt1.block_on(async { TcpListener::bind("127.0.0.1:0").unwrap() });

    drop(rt1);

    rt2.block_on(async {
        let res = listener.accept().await;
        assert!(res.is_err());
        let err = res.as_ref().unwrap_err();
        assert!(edgeio::runtime::is_rt_shutdown_err(err));
    });
}

#[test]
fn test_is_not_rt_shutdown_err() {
    let _watchdog = tokio_test::watchdog();
    let err = io::Error::new(io::ErrorKind::Other, "some other error");
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));

    let err = io::Error::new(io::ErrorKind::NotFound, "not found");
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));
}

#[test]
fn test_join_error_panic() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();
    let handle = rt.spawn(async {
        panic!("oops");
    });

    let join_err = rt.block_on(handle).unwrap_err();
    let io_err: io::Error = join_err.into();
    assert!(!edgeio::runtime::is_rt_shutdown_err(&io_err));
}

#[test]
fn test_join_error_cancelled() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();
    let handle = rt.spawn(async {
        std::future::pending::<()>().await;
    });
    handle.abort();
    let join_err = rt.block_on(handle).unwrap_err();
    let io_err: io::Error = join_err.into();
    assert!(!edgeio::runtime::is_rt_shutdown_err(&io_err));
}

#[test]
fn test_other_error_kinds_and_strings() {
    let _watchdog = tokio_test::watchdog();
    // TimedOut
    let err = io::Error::new(io::ErrorKind::TimedOut, "timed out");
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));

    // Interrupted
    let err = io::Error::from(io::ErrorKind::Interrupted);
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));

    // String that contains the shutdown message but has a prefix/suffix
    let msg = "A Tokio 1.x context was found, but it is being shutdown. (extra info)";
    let err = io::Error::new(io::ErrorKind::Other, msg);
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));

    let msg = "Error: A Tokio 1.x context was found, but it is being shutdown.";
    let err = io::Error::new(io::ErrorKind::Other, msg);
    assert!(!edgeio::runtime::is_rt_shutdown_err(&err));
}
