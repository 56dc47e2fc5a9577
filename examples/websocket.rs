//! A WebSocket echo server and client with async-tungstenite, which works
//! on edgeio's `futures-io` sockets unchanged.
//!
//! ```text
//! cargo run --example websocket --features example-websocket                 # server, 127.0.0.1:9001
//! cargo run --example websocket --features example-websocket -- client hello  # client
//! ```
//!
//! `tests/websocket.rs` runs both halves.

use std::io;
use std::net::SocketAddr;

use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::WebSocketStream;
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_util::StreamExt;

/// Accepts WebSocket connections on `listener` and echoes every text and
/// binary message back, each connection on its own task.
pub async fn serve(listener: AsyncTcpListener) -> io::Result<()> {
    loop {
        // Accept errors (a failed connection, or EMFILE after which the
        // listener backs off itself) end nothing but that attempt.
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        edgeio::spawn(async move {
            if let Err(e) = echo(stream).await {
                eprintln!("websocket: connection failed: {e}");
            }
        })
        .detach();
    }
}

/// Echoes one connection until the client closes it. Pings are answered
/// by tungstenite itself.
async fn echo(stream: AsyncTcpStream) -> Result<(), WsError> {
    let mut ws = async_tungstenite::accept_async(stream).await?;
    while let Some(message) = ws.next().await {
        match message? {
            message @ (Message::Text(_) | Message::Binary(_)) => ws.send(message).await?,
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
    Ok(())
}

/// Opens a client connection to the server at `addr`.
pub async fn connect(addr: SocketAddr) -> Result<WebSocketStream<AsyncTcpStream>, WsError> {
    let stream = AsyncTcpStream::connect(addr).await?;
    let (ws, _response) = async_tungstenite::client_async(format!("ws://{addr}/"), stream).await?;
    Ok(ws)
}

/// Sends `message` and waits for its echo.
pub async fn round_trip(
    ws: &mut WebSocketStream<AsyncTcpStream>,
    message: Message,
) -> Result<Message, WsError> {
    ws.send(message).await?;
    loop {
        match ws.next().await.ok_or(WsError::ConnectionClosed)?? {
            reply @ (Message::Text(_) | Message::Binary(_)) => return Ok(reply),
            _ => continue,
        }
    }
}

#[edgeio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = "127.0.0.1:9001".parse()?;
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("client") {
        let mut ws = connect(addr).await?;
        for text in args {
            let reply = round_trip(&mut ws, Message::text(text)).await?;
            println!("echoed: {reply}");
        }
        ws.close(None).await?;
        return Ok(());
    }
    let listener = AsyncTcpListener::bind(addr)?;
    eprintln!("websocket: listening on ws://{addr}/");
    serve(listener).await?;
    Ok(())
}
