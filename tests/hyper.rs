//! hyper 1.x server and client, both running on edgeio through the adapter
//! in `examples/hyper_io/mod.rs`.

#[path = "../examples/hyper_io/mod.rs"]
mod hyper_io;

use std::net::SocketAddr;

use bytes::Bytes;
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::rt::Executor;
use hyper::{Request, StatusCode};
use hyper_io::{EdgeioExecutor, Io, HELLO};

/// Opens one client connection to `addr`; the connection's driver runs on
/// its own task, spawned through `EdgeioExecutor`.
async fn connect(addr: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = AsyncTcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = http1::handshake(Io::new(stream)).await.expect("handshake");
    EdgeioExecutor.execute(async move {
        if let Err(e) = conn.await {
            panic!("client connection failed: {e}");
        }
    });
    sender
}

/// Sends `count` requests one after another over `sender`'s connection,
/// checking each response.
async fn get_many(sender: &mut SendRequest<Empty<Bytes>>, addr: SocketAddr, count: usize) {
    for i in 0..count {
        sender.ready().await.expect("connection ready");
        let req = Request::get(format!("/req/{i}"))
            .header(hyper::header::HOST, addr.to_string())
            .body(Empty::new())
            .unwrap();
        let resp = sender.send_request(req).await.expect("send_request");
        assert_eq!(resp.status(), StatusCode::OK, "request {i}");
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&body[..], HELLO.as_bytes(), "request {i}");
    }
}

fn start_server() -> SocketAddr {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(hyper_io::serve(listener)).detach();
    addr
}

#[edgeio::test(timeout_secs = 30)]
async fn keep_alive_requests_on_one_connection() {
    let addr = start_server();
    let mut sender = connect(addr).await;
    get_many(&mut sender, addr, 100).await;
}

#[edgeio::test(timeout_secs = 30)]
async fn concurrent_connections() {
    let addr = start_server();
    let clients: Vec<_> = (0..10)
        .map(|_| {
            edgeio::spawn(async move {
                let mut sender = connect(addr).await;
                get_many(&mut sender, addr, 20).await;
            })
        })
        .collect();
    for client in clients {
        client.await.expect("client task panicked");
    }
}
