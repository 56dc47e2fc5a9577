//! Destinations of `connect` and `send_to`: IP literals are used in place,
//! host names are looked up on the blocking pool (never on a worker), and
//! malformed strings fail with `InvalidInput` before any lookup.
//!
//! Only `localhost` is looked up, which resolves from `/etc/hosts` to a
//! loopback address; nothing leaves the machine.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket};
use edgeio::time::timeout;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

const STEP: Duration = Duration::from_secs(10);

fn blocking_threads() -> usize {
    edgeio::Handle::current().metrics().blocking_threads
}

/// Connects with `dest`, sends one byte through the accepted connection
/// and checks it arrives.
async fn connect_and_exchange(listener: &AsyncTcpListener, dest: impl edgeio::net::ToSocketAddrs) {
    let mut client = timeout(STEP, AsyncTcpStream::connect(dest))
        .await
        .unwrap()
        .unwrap();
    let (mut server, _) = timeout(STEP, listener.accept()).await.unwrap().unwrap();
    client.write_all(b"x").await.unwrap();
    let mut byte = [0u8; 1];
    timeout(STEP, server.read_exact(&mut byte))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&byte, b"x");
}

#[edgeio::test(worker_threads = 1, timeout_secs = 30)]
async fn ip_literals_connect_without_a_lookup() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let port = addr.port();
    connect_and_exchange(&listener, addr).await;
    connect_and_exchange(&listener, &addr).await;
    connect_and_exchange(&listener, (IpAddr::V4(Ipv4Addr::LOCALHOST), port)).await;
    connect_and_exchange(&listener, (Ipv4Addr::LOCALHOST, port)).await;
    connect_and_exchange(&listener, format!("127.0.0.1:{port}")).await;
    connect_and_exchange(&listener, format!("127.0.0.1:{port}").as_str()).await;
    connect_and_exchange(&listener, ("127.0.0.1", port)).await;
    connect_and_exchange(&listener, ("127.0.0.1".to_owned(), port)).await;
    connect_and_exchange(&listener, &[addr][..]).await;
    assert_eq!(blocking_threads(), 0, "an IP literal was sent to the resolver");
}

#[edgeio::test(worker_threads = 1, timeout_secs = 30)]
async fn host_names_are_looked_up_on_the_blocking_pool() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // If `localhost` also resolves to ::1 (refused here), connect goes on
    // to 127.0.0.1.
    connect_and_exchange(&listener, ("localhost", port)).await;
    assert!(
        blocking_threads() >= 1,
        "the name was not looked up on the blocking pool"
    );
    connect_and_exchange(&listener, format!("localhost:{port}")).await;
}

#[edgeio::test(worker_threads = 1, timeout_secs = 30)]
async fn malformed_destinations_fail_without_a_lookup() {
    for dest in ["127.0.0.1", "localhost", "localhost:http", "localhost:70000", ""] {
        let err = AsyncTcpStream::connect(dest).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{dest:?}: {err}");
    }
    let socket = AsyncUdpSocket::bind("127.0.0.1:0").unwrap();
    let err = socket.send_to(b"x", "127.0.0.1").await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    let err = AsyncTcpStream::connect(&[][..]).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(blocking_threads(), 0);
}

#[edgeio::test(worker_threads = 1, timeout_secs = 30)]
async fn send_to_a_host_name_reaches_the_first_address() {
    // `send_to` uses the first address, as std's does: listen where
    // `localhost` points first on this machine (always loopback).
    let first: SocketAddr = std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 0))
        .unwrap()
        .next()
        .unwrap();
    assert!(first.ip().is_loopback());
    let receiver = AsyncUdpSocket::bind(first).unwrap();
    let port = receiver.local_addr().unwrap().port();
    let sender = AsyncUdpSocket::bind(SocketAddr::new(first.ip(), 0)).unwrap();
    let sent = timeout(STEP, sender.send_to(b"ping", ("localhost", port)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent, 4);
    let mut buf = [0u8; 16];
    let (n, from) = timeout(STEP, receiver.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(from, sender.local_addr().unwrap());
    assert!(blocking_threads() >= 1);
}
