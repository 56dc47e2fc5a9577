//! tokio's `AsyncRead`/`AsyncWrite` on edgeio's streams (feature
//! `tokio-io`): tokio-util codecs on TCP and Unix streams and on their
//! split halves, the `codec` example, and the traits' edge cases.

#[path = "../examples/codec.rs"]
#[allow(dead_code)]
mod example;

use std::future::poll_fn;
use std::pin::Pin;

use bytes::Bytes;
use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUnixStream};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::codec::{BytesCodec, Framed, FramedRead, FramedWrite, LinesCodec};

#[edgeio::test(timeout_secs = 30)]
async fn codec_example_over_tcp() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(example::serve(listener)).detach();

    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let mut lines = Framed::new(stream, LinesCodec::new());
    for i in 0..100 {
        lines.send(format!("line {i}")).await.unwrap();
        assert_eq!(lines.next().await.unwrap().unwrap(), format!("LINE {i}"));
    }
    // Many lines in flight at once.
    for i in 0..1000 {
        lines.feed(format!("burst {i}")).await.unwrap();
    }
    SinkExt::<String>::flush(&mut lines).await.unwrap();
    for i in 0..1000 {
        assert_eq!(lines.next().await.unwrap().unwrap(), format!("BURST {i}"));
    }
}

/// `n` bytes of a pattern, for checking that nothing is lost or reordered.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// Sends 2 MiB through `write` in frames and reads them back from `read`.
async fn bulk<W, R>(write: W, read: R)
where
    W: AsyncWrite + Unpin + Send + 'static,
    R: AsyncRead + Unpin,
{
    let data = pattern(2 << 20);
    let sent = data.clone();
    let writer = edgeio::spawn(async move {
        let mut frames = FramedWrite::new(write, BytesCodec::new());
        for chunk in sent.chunks(10_000) {
            frames.send(Bytes::copy_from_slice(chunk)).await.unwrap();
        }
        // Shut down the writing direction: the reader sees end-of-stream.
        SinkExt::<Bytes>::close(&mut frames).await.unwrap();
    });
    let mut frames = FramedRead::new(read, BytesCodec::new());
    let mut received = Vec::new();
    while let Some(frame) = frames.next().await {
        received.extend_from_slice(&frame.unwrap());
    }
    writer.await.unwrap();
    assert!(received == data, "bytes lost or reordered");
}

#[edgeio::test(timeout_secs = 30)]
async fn tcp_streams_and_halves() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let client = AsyncTcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let (client_read, client_write) = client.split();
    let (server_read, server_write) = server.split();
    bulk(client_write, server_read).await;
    bulk(server_write, client_read).await;
}

#[edgeio::test(timeout_secs = 30)]
async fn unix_streams_and_halves() {
    let (a, b) = AsyncUnixStream::pair().unwrap();
    bulk(a, b).await;
    let (a, b) = AsyncUnixStream::pair().unwrap();
    let (a_read, a_write) = a.split();
    let (b_read, b_write) = b.split();
    bulk(a_write, b_read).await;
    bulk(b_write, a_read).await;
}

#[edgeio::test(timeout_secs = 30)]
async fn framed_on_a_unix_stream() {
    let (a, b) = AsyncUnixStream::pair().unwrap();
    let mut a = Framed::new(a, LinesCodec::new());
    let mut b = Framed::new(b, LinesCodec::new());
    a.send("ping").await.unwrap();
    assert_eq!(b.next().await.unwrap().unwrap(), "ping");
    b.send("pong").await.unwrap();
    assert_eq!(a.next().await.unwrap().unwrap(), "pong");
}

/// tokio's contract at the edges: a full buffer reads nothing and
/// succeeds, end-of-stream fills nothing, and a read into a partly
/// filled buffer appends.
#[edgeio::test(timeout_secs = 30)]
async fn read_buf_edges() {
    let (mut a, mut b) = AsyncUnixStream::pair().unwrap();
    poll_fn(|cx| Pin::new(&mut a).poll_write(cx, b"hello"))
        .await
        .unwrap();

    let mut storage = [0u8; 8];
    let mut buf = ReadBuf::new(&mut storage);
    buf.put_slice(b"xyz");
    poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(buf.filled(), b"xyzhello");

    // Full: nothing read, no error, no end-of-stream.
    poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(buf.filled().len(), 8);

    // Uninitialized memory is fine to hand over.
    let mut uninit = [std::mem::MaybeUninit::<u8>::uninit(); 16];
    let mut buf = ReadBuf::uninit(&mut uninit);
    poll_fn(|cx| Pin::new(&mut a).poll_write(cx, b"abc"))
        .await
        .unwrap();
    poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf))
        .await
        .unwrap();
    assert_eq!(buf.filled(), b"abc");

    // shutdown: the peer reads end-of-stream (nothing filled).
    poll_fn(|cx| Pin::new(&mut a).poll_shutdown(cx)).await.unwrap();
    let mut storage = [0u8; 8];
    let mut buf = ReadBuf::new(&mut storage);
    poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf))
        .await
        .unwrap();
    assert!(buf.filled().is_empty());
    assert!(a.is_write_vectored());
}

/// edgeio's own I/O types take tokio's traits too: the in-memory pipes,
/// `split` halves, `join`, `BufStream` and the always-ready streams, as
/// the sockets do.
#[edgeio::test(timeout_secs = 30)]
async fn in_memory_streams() {
    use edgeio::io::{duplex, empty, join, simplex, sink, split, BufStream};
    use tokio::io::AsyncBufReadExt as _;

    let (a, b) = duplex(4096);
    bulk(a, b).await;
    let (rx, tx) = simplex(4096);
    bulk(tx, rx).await;
    let (a, b) = duplex(4096);
    let (_a_read, a_write) = split(a);
    let (b_read, _b_write) = split(b);
    bulk(a_write, b_read).await;

    // `join` of two pipes, and `BufStream` with tokio's `read_line`.
    let (from_peer, peer_tx) = simplex(64);
    let (peer_rx, to_peer) = simplex(64);
    let mut stream = BufStream::new(join(from_peer, to_peer));
    let mut peer = Framed::new(join(peer_rx, peer_tx), LinesCodec::new());
    poll_fn(|cx| Pin::new(&mut stream).poll_write(cx, b"ping\n"))
        .await
        .unwrap();
    poll_fn(|cx| Pin::new(&mut stream).poll_flush(cx)).await.unwrap();
    assert_eq!(peer.next().await.unwrap().unwrap(), "ping");
    peer.send("pong").await.unwrap();
    let mut line = String::new();
    stream.read_line(&mut line).await.unwrap();
    assert_eq!(line, "pong\n");

    // tokio's `copy` between edgeio's always-ready streams.
    let mut reader = tokio::io::AsyncReadExt::take(empty(), 10);
    assert_eq!(tokio::io::copy(&mut reader, &mut sink()).await.unwrap(), 0);
}

/// A file through tokio-util's `ReaderStream` (the usual way to serve a
/// file as an HTTP body), and a child's pipes through codecs.
#[edgeio::test(timeout_secs = 30)]
async fn files_and_child_pipes() {
    use edgeio::process::{Command, Stdio};
    use tokio_util::io::ReaderStream;

    let path = std::env::temp_dir().join(format!("edgeio-tokio-io-{}", std::process::id()));
    let data = pattern(300_000);
    std::fs::write(&path, &data).unwrap();
    let file = edgeio::fs::File::open(&path).await.unwrap();
    let mut chunks = ReaderStream::new(file);
    let mut read = Vec::new();
    while let Some(chunk) = chunks.next().await {
        read.extend_from_slice(&chunk.unwrap());
    }
    std::fs::remove_file(&path).unwrap();
    assert!(read == data, "file bytes lost or reordered");

    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_cat = FramedWrite::new(child.stdin.take().unwrap(), LinesCodec::new());
    let mut from_cat = FramedRead::new(child.stdout.take().unwrap(), LinesCodec::new());
    for i in 0..100 {
        to_cat.send(format!("line {i}")).await.unwrap();
    }
    drop(to_cat);
    for i in 0..100 {
        assert_eq!(from_cat.next().await.unwrap().unwrap(), format!("line {i}"));
    }
    assert!(from_cat.next().await.is_none());
    assert!(child.wait().await.unwrap().success());
}
