//! UDP over loopback and Unix domain sockets (stream, listener, datagram).

#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::future::Future;
use std::io;
use std::path::Path;
use std::time::Duration;

use edgeio::net::{AsyncUdpSocket, AsyncUnixDatagram, AsyncUnixListener, AsyncUnixStream};
use edgeio::time::{sleep, timeout};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use temp_dir::TempDir;

/// Upper bound for any single wait in these tests.
const STEP: Duration = Duration::from_secs(10);

fn run<F, Fut>(workers: usize, body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    edgeio::__private::run_test(Some(workers), Duration::from_secs(30), body).unwrap();
}

#[test]
fn udp_send_to_recv_from_round_trip() {
    run(2, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);

        // The receiver waits first, so the datagram has to wake it.
        let receiver = edgeio::spawn(async move {
            let mut buf = [0; 64];
            let (n, from) = b.recv_from(&mut buf).await?;
            assert_eq!((&buf[..n], from), (&b"ping"[..], a_addr));
            let sent = b.send_to(b"pong", from).await?;
            assert_eq!(sent, 4);
            io::Result::Ok(())
        });
        sleep(Duration::from_millis(20)).await;
        assert_eq!(a.send_to(b"ping", b_addr).await?, 4);

        let mut buf = [0; 64];
        let (n, from) = timeout(STEP, a.peek_from(&mut buf)).await??;
        assert_eq!((&buf[..n], from), (&b"pong"[..], b_addr));
        // Peeking left the datagram queued.
        let (n, from) = timeout(STEP, a.recv_from(&mut buf)).await??;
        assert_eq!((&buf[..n], from), (&b"pong"[..], b_addr));
        timeout(STEP, receiver).await?.expect("receiver panicked")?;
        Ok(())
    });
}

#[test]
fn udp_connected_send_recv() {
    run(1, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        a.connect(b.local_addr()?)?;
        b.connect(a.local_addr()?)?;
        assert_eq!(a.peer_addr()?, b.local_addr()?);

        // Many datagrams under one edge: each recv must still find the next.
        for i in 0..32u8 {
            assert_eq!(a.send(&[i; 100]).await?, 100);
        }
        let mut buf = [0; 200];
        for i in 0..32u8 {
            let n = timeout(STEP, b.recv(&mut buf)).await??;
            assert_eq!(&buf[..n], &[i; 100][..]);
        }
        b.send(b"back").await?;
        let n = timeout(STEP, a.peek(&mut buf)).await??;
        assert_eq!(&buf[..n], b"back");
        let n = timeout(STEP, a.recv(&mut buf)).await??;
        assert_eq!(&buf[..n], b"back");

        a.set_broadcast(true)?;
        assert!(a.broadcast()?);
        Ok(())
    });
}

#[test]
fn udp_unconnected_socket_has_no_peer() {
    run(1, || async move {
        let socket = AsyncUdpSocket::bind("127.0.0.1:0")?;
        assert_eq!(
            socket.peer_addr().unwrap_err().kind(),
            io::ErrorKind::NotConnected
        );
        let std_socket = socket.into_std().unwrap();
        let socket = AsyncUdpSocket::from_std(std_socket)?;
        assert!(socket.local_addr()?.ip().is_loopback());
        Ok(())
    });
}

/// Echoes everything on `stream` until end of stream, reading and writing
/// through two shared references.
async fn echo(stream: AsyncUnixStream) -> io::Result<u64> {
    let (reader, mut writer) = (&stream, &stream);
    futures_util::io::copy(reader, &mut writer).await
}

#[test]
fn unix_stream_echo_through_listener() {
    run(2, || async move {
        let dir = TempDir::new()?;
        let path = dir.join("echo.sock");
        let listener = AsyncUnixListener::bind(&path)?;
        assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
        let server = edgeio::spawn(async move {
            let (stream, _) = listener.accept().await?;
            echo(stream).await
        });

        let mut client = timeout(STEP, AsyncUnixStream::connect(&path)).await??;
        assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
        let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i % 253) as u8).collect();
        let (mut writer, mut reader) = (&client, &client);
        let mut echoed = vec![0; data.len()];
        let (wrote, read) = futures_util::join!(writer.write_all(&data), reader.read_exact(&mut echoed));
        wrote?;
        read?;
        assert!(echoed == data, "echo differs");
        client.close().await?;
        assert_eq!(
            timeout(STEP, server).await?.expect("server panicked")?,
            data.len() as u64
        );
        Ok(())
    });
}

#[test]
fn unix_listener_accepts_every_queued_client() {
    run(1, || async move {
        let dir = TempDir::new()?;
        let path = dir.join("many.sock");
        let listener = AsyncUnixListener::bind(&path)?;
        let mut clients = Vec::new();
        for i in 0..16u8 {
            let mut client = AsyncUnixStream::connect(&path).await?;
            client.write_all(&[i]).await?;
            clients.push(client);
        }
        for i in 0..16u8 {
            let (mut server, _) = timeout(STEP, listener.accept()).await??;
            let mut byte = [0];
            timeout(STEP, server.read_exact(&mut byte)).await??;
            assert_eq!(byte, [i]);
        }
        Ok(())
    });
}

#[test]
fn unix_connect_errors() {
    run(1, || async move {
        let dir = TempDir::new()?;
        let missing = dir.join("missing.sock");
        let err = AsyncUnixStream::connect(&missing)
            .await
            .expect_err("no such socket");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);

        // A socket file whose listener is gone refuses connections.
        let stale = dir.join("stale.sock");
        drop(AsyncUnixListener::bind(&stale)?);
        let err = AsyncUnixStream::connect(&stale)
            .await
            .expect_err("listener is gone");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        let err = AsyncUnixListener::bind(&stale).expect_err("the path still exists");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        Ok(())
    });
}

#[test]
fn unix_pair_split_and_close() {
    run(2, || async move {
        let (a, mut b) = AsyncUnixStream::pair()?;
        let (mut read, mut write) = a.split();
        let writer = edgeio::spawn(async move {
            write.write_all(b"from a").await?;
            write.close().await?;
            io::Result::Ok(write)
        });
        let mut got = Vec::new();
        timeout(STEP, b.read_to_end(&mut got)).await??;
        assert_eq!(got, b"from a");
        b.write_all(b"to a").await?;
        b.shutdown(std::net::Shutdown::Both)?;
        let mut back = Vec::new();
        timeout(STEP, read.read_to_end(&mut back)).await??;
        assert_eq!(back, b"to a");
        let write = timeout(STEP, writer).await?.expect("writer panicked")?;
        let a = read.reunite(write).expect("same stream");
        assert!(a.local_addr()?.is_unnamed());
        Ok(())
    });
}

fn assert_dgram(buf: &[u8], expected: &[u8], from: Option<&Path>, sender: &Path) {
    assert_eq!(buf, expected);
    assert_eq!(from, Some(sender));
}

#[test]
fn unix_datagram_round_trip() {
    run(1, || async move {
        let dir = TempDir::new()?;
        let (a_path, b_path) = (dir.join("a.sock"), dir.join("b.sock"));
        let a = AsyncUnixDatagram::bind(&a_path)?;
        let b = AsyncUnixDatagram::bind(&b_path)?;
        a.send_to(b"hello b", &b_path).await?;
        let mut buf = [0; 64];
        let (n, from) = timeout(STEP, b.recv_from(&mut buf)).await??;
        assert_dgram(&buf[..n], b"hello b", from.as_pathname(), &a_path);

        b.connect(&a_path)?;
        b.send(b"hello a").await?;
        let (n, from) = timeout(STEP, a.recv_from(&mut buf)).await??;
        assert_dgram(&buf[..n], b"hello a", from.as_pathname(), &b_path);
        assert_eq!(b.peer_addr()?.as_pathname(), Some(a_path.as_path()));

        // An unbound socket can send; its datagrams carry no address.
        let unbound = AsyncUnixDatagram::unbound()?;
        unbound.connect(&a_path)?;
        unbound.send(b"anon").await?;
        let (n, from) = timeout(STEP, a.recv_from(&mut buf)).await??;
        assert_eq!(&buf[..n], b"anon");
        assert!(from.is_unnamed());

        let (p, q) = AsyncUnixDatagram::pair()?;
        p.send(b"paired").await?;
        let n = timeout(STEP, q.recv(&mut buf)).await??;
        assert_eq!(&buf[..n], b"paired");
        Ok(())
    });
}

/// A connected UDP socket whose peer's port is closed: the ICMP error
/// comes back from one `recv`, and the next `recv` waits for a datagram.
/// It used to spin instead: the error's readiness bit outlived the
/// error, so every `EAGAIN` was retried at once and a `timeout` around
/// the `recv` never got to fire.
#[test]
fn udp_recv_after_connection_refused_waits_for_data() {
    for local in ["127.0.0.1:0", "[::1]:0"] {
        run(1, move || async move {
            // Bound, then dropped: nothing listens on that port.
            let closed = std::net::UdpSocket::bind(local)?.local_addr()?;
            let socket = AsyncUdpSocket::bind(local)?;
            socket.connect(closed)?;
            socket.send(b"anyone?").await?;
            let mut buf = [0; 16];
            let err = timeout(STEP, socket.recv(&mut buf))
                .await?
                .expect_err("the port is closed");
            assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);

            let quiet = timeout(Duration::from_millis(100), socket.recv(&mut buf)).await;
            assert!(quiet.is_err(), "recv returned {quiet:?} with nothing sent");

            // The socket still hears the next datagram.
            let peer = AsyncUdpSocket::bind(local)?;
            socket.connect(peer.local_addr()?)?;
            peer.send_to(b"here", socket.local_addr()?).await?;
            let n = timeout(STEP, socket.recv(&mut buf)).await??;
            assert_eq!(&buf[..n], b"here");
            Ok(())
        });
    }
}

/// A datagram socket shut down for reading reports a hang-up, yet `recv`
/// on it says `EAGAIN`: the wait must park, not retry in a loop.
#[test]
fn unix_datagram_recv_after_shutdown_read_does_not_spin() {
    run(1, || async move {
        let (a, b) = AsyncUnixDatagram::pair()?;
        b.shutdown(std::net::Shutdown::Read)?;
        let mut buf = [0; 16];
        let outcome = timeout(Duration::from_millis(100), b.recv(&mut buf)).await;
        assert!(outcome.is_err(), "recv returned {outcome:?}");
        // The other direction still works.
        b.send(b"still").await?;
        let n = timeout(STEP, a.recv(&mut buf)).await??;
        assert_eq!(&buf[..n], b"still");
        Ok(())
    });
}

/// A `send_to` that finds the receiver's queue full goes through once the
/// receiver makes room, without spinning meanwhile. No edge announces room
/// in another socket's queue, and every failed attempt raises a
/// writability edge on the sender's own socket, so waiting for
/// writability retried in a loop at full speed.
#[test]
fn unix_datagram_send_to_waits_for_room_in_a_full_receiver() {
    run(1, || async move {
        let dir = TempDir::new()?;
        let path = dir.join("receiver.sock");
        let receiver = AsyncUnixDatagram::bind(&path)?;
        // Fill the receiver's queue: a send that has not gone through
        // within 50 ms is waiting for room.
        let filler = AsyncUnixDatagram::unbound()?;
        let mut queued = 0u32;
        while let Ok(result) = timeout(
            Duration::from_millis(50),
            filler.send_to(&queued.to_be_bytes(), &path),
        )
        .await
        {
            result?;
            queued += 1;
            assert!(queued < 100_000, "the receiver's queue never filled");
        }
        let sender = AsyncUnixDatagram::unbound()?;
        let waiting = {
            let path = path.clone();
            edgeio::spawn(async move { sender.send_to(&queued.to_be_bytes(), &path).await })
        };
        // While it waits, the send must not spin: every failed attempt
        // announces room in the sender's own buffer, which retried at once.
        let polled = edgeio::Handle::current().metrics().tasks_polled;
        sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished(), "sent into a full queue");
        let polled = edgeio::Handle::current().metrics().tasks_polled - polled;
        assert!(polled < 50, "{polled} polls in 100 ms");

        let mut buf = [0; 8];
        let mut received = Vec::new();
        let n = timeout(STEP, receiver.recv(&mut buf)).await??;
        received.push(u32::from_be_bytes(buf[..n].try_into().unwrap()));
        let n = timeout(Duration::from_secs(2), waiting)
            .await?
            .expect("sender panicked")?;
        assert_eq!(n, 4);
        for _ in 0..queued {
            let n = timeout(STEP, receiver.recv(&mut buf)).await??;
            received.push(u32::from_be_bytes(buf[..n].try_into().unwrap()));
        }
        assert_eq!(received, (0..=queued).collect::<Vec<_>>());
        Ok(())
    });
}

/// Outside a runtime there is no timer to wait out a full backlog with,
/// so `connect` returns the `WouldBlock` error (it used to panic in the
/// sleep between attempts).
#[test]
fn unix_connect_to_a_full_backlog_outside_a_runtime_is_an_error() {
    use socket2::{Domain, SockAddr, Socket, Type};
    use std::task::{Context, Poll};

    let dir = TempDir::new().unwrap();
    let path = dir.join("full.sock");
    let addr = SockAddr::unix(&path).unwrap();
    let listener = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    listener.bind(&addr).unwrap();
    listener.listen(0).unwrap();
    let mut queued = Vec::new();
    loop {
        let client = Socket::new(Domain::UNIX, Type::STREAM.nonblocking(), None).unwrap();
        match client.connect(&addr) {
            Ok(()) => queued.push(client),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("connect to the backlog failed: {e}"),
        }
        assert!(queued.len() < 1000, "the backlog never filled");
    }

    let mut connect = std::pin::pin!(AsyncUnixStream::connect(&path));
    let waker = futures_util::task::noop_waker();
    match connect.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::WouldBlock),
        other => panic!("expected the WouldBlock error, got {other:?}"),
    }
}
