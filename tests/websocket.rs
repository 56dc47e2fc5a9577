//! The `websocket` example: async-tungstenite's server and client on
//! edgeio's TCP streams, over loopback.

#[path = "../examples/websocket.rs"]
#[allow(dead_code)]
mod example;

use std::net::SocketAddr;

use async_tungstenite::tungstenite::Message;
use edgeio::net::AsyncTcpListener;

fn start() -> SocketAddr {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(example::serve(listener)).detach();
    addr
}

#[edgeio::test(timeout_secs = 30)]
async fn echoes_text_and_binary() {
    let addr = start();
    let mut ws = example::connect(addr).await.unwrap();
    for i in 0..100 {
        let text = format!("message {i}");
        assert_eq!(
            example::round_trip(&mut ws, Message::text(text.clone()))
                .await
                .unwrap(),
            Message::text(text)
        );
    }
    // Larger than any socket buffer: fragmented over many reads and writes.
    let big: Vec<u8> = (0..(4 << 20)).map(|i: u32| i as u8).collect();
    let reply = example::round_trip(&mut ws, Message::binary(big.clone()))
        .await
        .unwrap();
    assert_eq!(reply.into_data(), big);
    ws.close(None).await.unwrap();
}

#[edgeio::test(timeout_secs = 30)]
async fn concurrent_clients() {
    let addr = start();
    let clients: Vec<_> = (0..20)
        .map(|c| {
            edgeio::spawn(async move {
                let mut ws = example::connect(addr).await.unwrap();
                for i in 0..20 {
                    let text = format!("client {c} message {i}");
                    let reply = example::round_trip(&mut ws, Message::text(text.clone()))
                        .await
                        .unwrap();
                    assert_eq!(reply, Message::text(text));
                }
                ws.close(None).await.unwrap();
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
}

/// WebSocket inside a hyper server (what axum's `ws` feature does on
/// tokio): `edgeio::hyper::serve` answers the upgrade request, and the
/// upgraded connection, wrapped in `edgeio::hyper::Io`, is a futures-io
/// stream for async-tungstenite.
mod over_hyper {
    use std::convert::Infallible;

    use async_tungstenite::tungstenite::handshake::derive_accept_key;
    use async_tungstenite::tungstenite::protocol::Role;
    use async_tungstenite::tungstenite::Message;
    use async_tungstenite::WebSocketStream;
    use edgeio::hyper::{HyperToTowerService, Io};
    use edgeio::net::AsyncTcpListener;
    use futures_util::StreamExt;
    use http_body_util::Empty;
    use hyper::body::{Bytes, Incoming};
    use hyper::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
    use hyper::service::service_fn;
    use hyper::{Request, Response, StatusCode};

    /// Answers a WebSocket upgrade with 101, then echoes on the upgraded
    /// connection from a task of its own.
    async fn upgrade(mut req: Request<Incoming>) -> Result<Response<Empty<Bytes>>, Infallible> {
        let Some(key) = req.headers().get(SEC_WEBSOCKET_KEY) else {
            let mut bad = Response::new(Empty::new());
            *bad.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(bad);
        };
        let accept = derive_accept_key(key.as_bytes());
        let on_upgrade = hyper::upgrade::on(&mut req);
        edgeio::spawn(async move {
            let upgraded = on_upgrade.await.expect("upgrade");
            let mut ws = WebSocketStream::from_raw_socket(Io::new(upgraded), Role::Server, None).await;
            while let Some(Ok(message)) = ws.next().await {
                if message.is_text() || message.is_binary() {
                    ws.send(message).await.unwrap();
                }
            }
        })
        .detach();
        let response = Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(CONNECTION, "upgrade")
            .header(UPGRADE, "websocket")
            .header(SEC_WEBSOCKET_ACCEPT, accept)
            .body(Empty::new())
            .unwrap();
        Ok(response)
    }

    #[edgeio::test(timeout_secs = 30)]
    async fn echo_over_a_hyper_upgrade() {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let service = HyperToTowerService::new(service_fn(upgrade));
        edgeio::spawn(edgeio::hyper::serve(listener, service)).detach();

        let mut ws = super::example::connect(addr).await.unwrap();
        for i in 0..50 {
            let text = format!("over hyper {i}");
            let reply = super::example::round_trip(&mut ws, Message::text(text.clone()))
                .await
                .unwrap();
            assert_eq!(reply, Message::text(text));
        }
        let big = vec![7u8; 1 << 20];
        let reply = super::example::round_trip(&mut ws, Message::binary(big.clone()))
            .await
            .unwrap();
        assert_eq!(reply.into_data(), big);
        ws.close(None).await.unwrap();
    }
}
