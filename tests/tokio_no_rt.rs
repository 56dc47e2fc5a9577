//! tokio's `tokio/tests/no_rt.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made. `futures::executor::block_on`
//! is `block_on` in `support/tokio_test.rs`.
//!
//! Nothing left out.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::net::TcpStream;
use edgeio::sync::oneshot;
use edgeio::time::{timeout, Duration};

use tokio_test::block_on;

use std::net::TcpListener;

// Adapted: the message names edgeio's runtime where tokio's names
// "a Tokio 1.x runtime"; it begins with tokio's words. (The panic comes
// from the timer's first poll, where tokio's comes from `timeout` itself:
// documented on `Sleep`.)
#[test]
#[should_panic(
    expected = "there is no reactor running, must be called from the context of an edgeio runtime"
)]
fn timeout_panics_when_no_tokio_context() {
    let _watchdog = tokio_test::watchdog();
    block_on(timeout_value());
}

// Adapted: outside a runtime edgeio's sockets return an `io::Error`
// instead of panicking (docs/TOKIO-PORTING.md refers to `edgeio::net`'s
// docs, which say: "All operations return `io::Error`s (including 'no
// runtime' ...); none panics").
#[test]
fn panics_when_no_reactor() {
    let _watchdog = tokio_test::watchdog();
    let srv = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = srv.local_addr().unwrap();
    assert!(block_on(TcpStream::connect(&addr)).is_err());
}

async fn timeout_value() {
    let (_tx, rx) = oneshot::channel::<()>();
    let dur = Duration::from_millis(10);
    let _ = timeout(dur, rx).await;
}

// Adapted: outside a runtime edgeio's sockets return an `io::Error`
// instead of panicking (docs/TOKIO-PORTING.md refers to `edgeio::net`'s
// docs, which say: "All operations return `io::Error`s (including 'no
// runtime' ...); none panics").
#[test]
fn io_panics_when_no_tokio_context() {
    let _watchdog = tokio_test::watchdog();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();

    listener.set_nonblocking(true).unwrap();

    assert!(edgeio::net::TcpListener::from_std(listener).is_err());
}
