//! async-io's `tests/issue_182.rs` (async-io is MIT-licensed), ported to
//! edgeio: <https://github.com/smol-rs/async-io/issues/182> (the first
//! socket made through async-io, before anything else touched the network
//! stack, failed to connect). `async_io::Async` is `edgeio::net::Async` and
//! `async_io::block_on` is `edgeio::block_on`.
//!
//! Adapted: the original connects to `google.com:80`, returning early when
//! the name does not resolve or the host cannot be reached. Tests here use
//! loopback sockets only, so the peer is a `std` listener on 127.0.0.1: the
//! same steps (resolve the address with `ToSocketAddrs`, check a blocking
//! `std` connect works, then connect with `Async`), with a peer that is
//! always there, so the early returns are not taken.
//!
//! The one test is ported; none is left out.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::net::Async;
use std::net::{TcpStream, ToSocketAddrs};

#[test]
fn networking_initialized() {
    let _watchdog = tokio_test::watchdog();
    // Adapted: a loopback listener stands in for google.com:80.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();

    let address = match ToSocketAddrs::to_socket_addrs(&("127.0.0.1", port)) {
        Ok(mut addrs) => addrs.next().unwrap(),
        Err(err) => {
            eprintln!("Got error {err} when looking up 127.0.0.1, exiting test early.");
            return;
        }
    };

    // Make sure we can access the host normally.
    if TcpStream::connect(address).is_err() {
        return;
    }

    edgeio::block_on(async move {
        let _ = Async::<TcpStream>::connect(address).await.unwrap();
    });
}
