#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/net_quickack.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio`, tokio's I/O extension traits swapped for
// futures-io's, `TcpListener::bind` synchronous.
// Adaptations beyond renaming are marked "edgeio:".

use edgeio::net::TcpListener;
use edgeio::net::TcpStream;
use edgeio::sync::oneshot;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

#[edgeio::test(timeout_secs = 30)]
async fn socket_works_with_quickack() {
    const MESSAGE: &str = "Hello, tokio!";

    let (tx_port, rx_port) = oneshot::channel();

    let server = edgeio::spawn(async move {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();

        tx_port.send(addr.port()).unwrap();

        let (mut stream, _) = listener.accept().await.unwrap();
        stream.set_quickack(true).unwrap();
        assert!(stream.quickack().unwrap());

        stream.write_all(MESSAGE.as_bytes()).await.unwrap();

        let mut buf = vec![0; MESSAGE.len()];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(buf, MESSAGE.as_bytes());

        // There is nothing special about setting quickack to false
        // at this point, we just want to test the `false` case.
        stream.set_quickack(false).unwrap();
        assert!(!stream.quickack().unwrap());

        stream.close().await.unwrap(); // edgeio: futures-io's name for `shutdown`
    });

    let port = rx_port.await.unwrap();
    let client = edgeio::spawn(async move {
        let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
        stream.set_quickack(true).unwrap();
        assert!(stream.quickack().unwrap());

        let mut buf = vec![0; MESSAGE.len()];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(buf, MESSAGE.as_bytes());

        stream.write_all(MESSAGE.as_bytes()).await.unwrap();

        // There is nothing special about setting quickack to false
        // at this point, we just want to test the `false` case.
        stream.set_quickack(false).unwrap();
        assert!(!stream.quickack().unwrap());

        stream.close().await.unwrap(); // edgeio: futures-io's name for `shutdown`
    });

    edgeio::try_join!(server, client).unwrap();
}
