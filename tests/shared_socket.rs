//! Several tasks waiting on one socket in the same direction are all woken
//! by its edges: none is forgotten (which, edge-triggered, would be
//! forever). Also `try_read`/`try_write` next to `readable`/`writable`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket};
use edgeio::time::{sleep, timeout};

#[edgeio::test(worker_threads = 2, timeout_secs = 30)]
async fn several_accept_loops_share_one_listener() {
    let listener = Arc::new(AsyncTcpListener::bind("127.0.0.1:0").unwrap());
    let addr = listener.local_addr().unwrap();
    // Four tasks park in accept on the same fd before any client exists.
    let acceptors: Vec<_> = (0..4)
        .map(|_| {
            let listener = listener.clone();
            edgeio::spawn(async move { listener.accept().await.map(|(s, _)| s) })
        })
        .collect();
    sleep(Duration::from_millis(20)).await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(AsyncTcpStream::connect(addr).await.unwrap());
    }
    for acceptor in acceptors {
        timeout(Duration::from_secs(5), acceptor)
            .await
            .expect("an acceptor was never woken")
            .unwrap()
            .unwrap();
    }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 30)]
async fn several_receivers_share_one_udp_socket() {
    let socket = Arc::new(AsyncUdpSocket::bind("127.0.0.1:0").unwrap());
    let addr = socket.local_addr().unwrap();
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let socket = socket.clone();
            edgeio::spawn(async move {
                let mut buf = [0u8; 8];
                socket.recv_from(&mut buf).await.map(|(n, _)| buf[..n].to_vec())
            })
        })
        .collect();
    sleep(Duration::from_millis(20)).await;
    let sender = AsyncUdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..3u8 {
        sender.send_to(&[i], addr).await.unwrap();
    }
    let mut got = Vec::new();
    for receiver in receivers {
        got.extend(
            timeout(Duration::from_secs(5), receiver)
                .await
                .expect("a receiver was never woken")
                .unwrap()
                .unwrap(),
        );
    }
    got.sort_unstable();
    assert_eq!(got, vec![0, 1, 2]);
}

#[edgeio::test(timeout_secs = 30)]
async fn try_read_and_try_write_follow_readiness() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let client = AsyncTcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        server.try_read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );

    client.writable().await.unwrap();
    assert_eq!(client.try_write(b"ping").unwrap(), 4);
    let n = loop {
        server.readable().await.unwrap();
        match server.try_read(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => break other.unwrap(),
        }
    };
    assert_eq!(&buf[..n], b"ping");
    // Drained: the next attempt reports WouldBlock instead of blocking.
    assert_eq!(
        server.try_read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
}
