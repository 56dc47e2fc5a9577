//! A wait that is cancelled (a `select!` branch that lost, a `recv` under a
//! timeout) leaves nothing behind on its socket: each future below is
//! polled once with a waker of its own, then dropped, many times over on a
//! quiet socket, and afterwards no socket holds any of those wakers. The
//! socket still works for the next real wait.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use edgeio::net::{
    Async, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, AsyncUnixDatagram, AsyncUnixListener,
    AsyncUnixStream,
};
use edgeio::time::timeout;

#[path = "common/temp_dir.rs"]
mod temp_dir;
use temp_dir::TempDir;

/// How long the real wait after the abandoned ones may take.
const STEP: Duration = Duration::from_secs(5);

/// A waker that does nothing but keep `alive` referenced while it exists,
/// so `Arc::strong_count(alive)` counts the wakers still held anywhere.
struct Tracker {
    _alive: Arc<()>,
}

impl Wake for Tracker {
    fn wake(self: Arc<Self>) {}
}

/// Runs `start_and_drop` `count` times, each with a waker no other call
/// shares, then panics if any of those wakers is still held.
fn abandon(count: usize, mut start_and_drop: impl FnMut(&mut Context<'_>)) {
    let alive = Arc::new(());
    for _ in 0..count {
        let waker = Waker::from(Arc::new(Tracker {
            _alive: alive.clone(),
        }));
        start_and_drop(&mut Context::from_waker(&waker));
    }
    assert_eq!(
        Arc::strong_count(&alive) - 1,
        0,
        "cancelled waits left their wakers behind"
    );
}

/// Polls `wait` once, which must be pending (the socket is quiet), and
/// drops it: a cancelled wait.
fn cancel<F: Future>(wait: F, cx: &mut Context<'_>) {
    assert!(
        pin!(wait).poll(cx).is_pending(),
        "the socket was meant to be quiet"
    );
}

#[edgeio::test(timeout_secs = 60)]
async fn cancelled_udp_receives_leave_no_wakers() {
    let socket = AsyncUdpSocket::bind("127.0.0.1:0").unwrap();
    let mut buf = [0u8; 16];
    // Enough that keeping them, or scanning them on each insert, would show.
    abandon(50_000, |cx| cancel(socket.recv(&mut buf), cx));
    abandon(1_000, |cx| cancel(socket.recv_from(&mut buf), cx));
    abandon(1_000, |cx| cancel(socket.peek_from(&mut buf), cx));
    abandon(1_000, |cx| cancel(socket.readable(), cx));

    let sender = AsyncUdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    let receive = async {
        let mut buf = [0u8; 16];
        socket.recv_from(&mut buf).await.map(|(n, _)| buf[..n].to_vec())
    };
    let (received, sent) = futures_util::join!(timeout(STEP, receive), sender.send_to(b"after", addr));
    sent.unwrap();
    assert_eq!(received.expect("recv never woke").unwrap(), b"after");
}

#[edgeio::test(timeout_secs = 60)]
async fn cancelled_accepts_leave_no_wakers() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    abandon(1_000, |cx| cancel(listener.accept(), cx));
    abandon(1_000, |cx| cancel(listener.incoming().next(), cx));
    abandon(1_000, |cx| cancel(listener.readable(), cx));

    let addr = listener.local_addr().unwrap();
    let (accepted, connected) =
        futures_util::join!(timeout(STEP, listener.accept()), AsyncTcpStream::connect(addr));
    let (_server, peer) = accepted.expect("accept never woke").unwrap();
    assert_eq!(peer, connected.unwrap().local_addr().unwrap());
}

#[edgeio::test(timeout_secs = 60)]
async fn cancelled_waits_on_a_tcp_stream_leave_no_wakers() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let client = AsyncTcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let mut buf = [0u8; 16];
    abandon(1_000, |cx| cancel(server.peek(&mut buf), cx));
    abandon(1_000, |cx| cancel(server.readable(), cx));

    futures_util::io::AsyncWriteExt::write_all(&mut &client, b"x")
        .await
        .unwrap();
    let n = timeout(STEP, server.peek(&mut buf))
        .await
        .expect("peek never woke")
        .unwrap();
    assert_eq!(&buf[..n], b"x");
}

#[edgeio::test(timeout_secs = 60)]
async fn cancelled_unix_waits_leave_no_wakers() {
    let dir = TempDir::new().unwrap();
    let path = dir.join("listener.sock");
    let listener = AsyncUnixListener::bind(&path).unwrap();
    abandon(1_000, |cx| cancel(listener.accept(), cx));

    let (a, b) = AsyncUnixDatagram::pair().unwrap();
    let mut buf = [0u8; 16];
    abandon(1_000, |cx| cancel(b.recv(&mut buf), cx));

    let (accepted, connected) =
        futures_util::join!(timeout(STEP, listener.accept()), AsyncUnixStream::connect(&path));
    accepted.expect("accept never woke").unwrap();
    connected.unwrap();
    a.send(b"after").await.unwrap();
    let n = timeout(STEP, b.recv(&mut buf))
        .await
        .expect("recv never woke")
        .unwrap();
    assert_eq!(&buf[..n], b"after");
}

#[edgeio::test(timeout_secs = 60)]
async fn cancelled_read_with_leaves_no_wakers() {
    let (reader, writer) = std::os::unix::net::UnixStream::pair().unwrap();
    let mut reader = Async::new(reader).unwrap();
    let mut buf = [0u8; 16];
    abandon(1_000, |cx| {
        cancel(
            reader.read_with(|mut r| std::io::Read::read(&mut r, &mut buf)),
            cx,
        )
    });
    abandon(1_000, |cx| {
        // SAFETY: the closure only reads; it neither closes nor replaces
        // the fd.
        let wait = unsafe { reader.read_with_mut(|r| std::io::Read::read(r, &mut buf)) };
        cancel(wait, cx)
    });

    std::io::Write::write_all(&mut &writer, b"after").unwrap();
    // SAFETY: as above.
    let n = timeout(STEP, unsafe {
        reader.read_with_mut(|r| std::io::Read::read(r, &mut buf))
    })
    .await
    .expect("read never woke")
    .unwrap();
    assert_eq!(&buf[..n], b"after");
}
