#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/duplex_stream.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing. The I/O extension traits are futures-util's
//! (`edgeio::io::{AsyncReadExt, AsyncWriteExt}`), so tokio's `shutdown()`
//! is `close()`.

use edgeio::io::{AsyncReadExt, AsyncWriteExt};
use std::io::IoSlice;

const HELLO: &[u8] = b"hello world...";

#[edgeio::test]
async fn write_vectored() {
    let (mut client, mut server) = edgeio::io::duplex(64);

    let ret = client
        .write_vectored(&[IoSlice::new(HELLO), IoSlice::new(HELLO)])
        .await
        .unwrap();
    assert_eq!(ret, HELLO.len() * 2);

    client.flush().await.unwrap();
    drop(client);

    let mut buf = Vec::with_capacity(HELLO.len() * 2);
    let bytes_read = server.read_to_end(&mut buf).await.unwrap();

    assert_eq!(bytes_read, HELLO.len() * 2);
    assert_eq!(buf, [HELLO, HELLO].concat());
}

#[edgeio::test]
async fn write_vectored_and_shutdown() {
    let (mut client, mut server) = edgeio::io::duplex(64);

    let ret = client
        .write_vectored(&[IoSlice::new(HELLO), IoSlice::new(HELLO)])
        .await
        .unwrap();
    assert_eq!(ret, HELLO.len() * 2);

    // Adapted: futures-io's `close` is tokio's `shutdown`.
    client.close().await.unwrap();
    drop(client);

    let mut buf = Vec::with_capacity(HELLO.len() * 2);
    let bytes_read = server.read_to_end(&mut buf).await.unwrap();

    assert_eq!(bytes_read, HELLO.len() * 2);
    assert_eq!(buf, [HELLO, HELLO].concat());
}
