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
