#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/net_bind_resource.rs` (tokio is
// MIT-licensed): `tokio` renamed to `edgeio`.
// Adaptations beyond renaming are marked "edgeio:".

use edgeio::net::TcpListener;

use std::io;
use std::net;

// edgeio: tokio panics when a socket is registered outside a runtime
// (`#[should_panic]`); edgeio reports it as an `io::Error` instead, as its
// constructors document, so the test checks for that error.
#[test]
fn no_runtime_panics_binding_net_tcp_listener() {
    let listener = net::TcpListener::bind("127.0.0.1:0").expect("failed to bind listener");
    let err = TcpListener::try_from(listener).expect_err("no runtime");
    assert_ne!(err.kind(), io::ErrorKind::WouldBlock);
}
