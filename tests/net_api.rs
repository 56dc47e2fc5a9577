//! The tokio-style socket APIs: TCP `take_error`/`linger`/`keepalive`, UDP
//! `poll_*` and `try_*` forms, `Incoming` as a `Stream`, and Unix
//! `peer_cred`, over real loopback (and Unix domain) sockets.

#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, AsyncUnixListener, AsyncUnixStream};
use edgeio::time::{sleep, timeout};
use futures_util::io::AsyncReadExt;
use futures_util::StreamExt;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
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

/// A loopback port nobody listens on: bind one, then release it.
fn closed_port() -> io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

/// A connected client/server pair over 127.0.0.1.
async fn tcp_pair() -> io::Result<(AsyncTcpStream, AsyncTcpStream)> {
    let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
    let client = timeout(STEP, AsyncTcpStream::connect(listener.local_addr()?)).await??;
    let (server, _) = timeout(STEP, listener.accept()).await??;
    Ok((client, server))
}

/// Polls `take_error` until it reports something (the kernel sets
/// `SO_ERROR` when the segment arrives, asynchronously), waiting for
/// readiness or a few milliseconds in between.
async fn wait_for_error(stream: &AsyncTcpStream) -> io::Result<io::Error> {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(e) = stream.take_error()? {
            return Ok(e);
        }
        assert!(Instant::now() < deadline, "no socket error within {STEP:?}");
        let _ = timeout(Duration::from_millis(5), stream.readable()).await;
        sleep(Duration::from_millis(1)).await;
    }
}

#[test]
fn tcp_take_error_reports_a_refused_connect_once() {
    run(1, || async move {
        let addr = closed_port()?;
        let socket = Socket::new(Domain::IPV4, Type::STREAM.nonblocking(), Some(Protocol::TCP))?;
        match socket.connect(&SockAddr::from(addr)) {
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            other => panic!("expected EINPROGRESS, got {other:?}"),
        }
        let stream = AsyncTcpStream::from_std(socket.into())?;
        // A failed connect is reported as writability; the reason is in
        // SO_ERROR, which take_error reads and clears.
        timeout(STEP, stream.writable()).await??;
        let err = wait_for_error(&stream).await?;
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err:?}");
        assert!(
            stream.take_error()?.is_none(),
            "SO_ERROR is cleared by reading it"
        );
        Ok(())
    });
}

#[test]
fn tcp_zero_linger_resets_and_take_error_reports_it() {
    run(2, || async move {
        let (client, server) = tcp_pair().await?;
        assert!(
            client.take_error()?.is_none(),
            "a healthy connection has no error"
        );

        server.set_linger(Some(Duration::ZERO))?;
        assert_eq!(server.linger()?, Some(Duration::ZERO));
        // Zero linger: closing sends RST instead of FIN.
        drop(server);

        let err = timeout(STEP, wait_for_error(&client)).await??;
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err:?}");
        assert!(client.take_error()?.is_none());
        Ok(())
    });
}

#[test]
fn tcp_zero_linger_resets_the_peers_read() {
    run(2, || async move {
        let (mut client, server) = tcp_pair().await?;
        server.set_linger(Some(Duration::ZERO))?;
        drop(server);
        let mut buf = [0; 16];
        let err = timeout(STEP, client.read(&mut buf))
            .await?
            .expect_err("an abortive close is not end-of-stream");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err:?}");
        Ok(())
    });
}

#[test]
fn tcp_linger_round_trips_in_whole_seconds() {
    run(1, || async move {
        let (client, _server) = tcp_pair().await?;
        assert_eq!(client.linger()?, None, "off by default");

        client.set_linger(Some(Duration::from_secs(5)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(5)));
        // Fractions round up, so a short linger never becomes a reset.
        client.set_linger(Some(Duration::from_millis(1)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(1)));
        client.set_linger(Some(Duration::from_millis(1500)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(2)));
        let max = Duration::from_secs(i32::MAX as u64);
        client.set_linger(Some(max))?;
        assert_eq!(client.linger()?, Some(max));

        // Out of range: an error, and the setting is left alone.
        for bad in [
            Duration::from_secs(i32::MAX as u64 + 1),
            max + Duration::from_nanos(1),
            Duration::MAX,
        ] {
            let err = client.set_linger(Some(bad)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
            assert_eq!(client.linger()?, Some(max));
        }

        // Off again, so dropping the stream cannot block the worker.
        client.set_linger(None)?;
        assert_eq!(client.linger()?, None);
        Ok(())
    });
}

#[test]
fn tcp_keepalive_round_trips() {
    run(1, || async move {
        let (client, server) = tcp_pair().await?;
        for stream in [&client, &server] {
            assert!(!stream.keepalive()?, "off by default");
            stream.set_keepalive(true)?;
            assert!(stream.keepalive()?);
            stream.set_keepalive(false)?;
            assert!(!stream.keepalive()?);
        }
        // Settings are per socket: one side's does not leak to the other.
        client.set_keepalive(true)?;
        assert!(!server.keepalive()?);
        Ok(())
    });
}

#[test]
fn udp_try_recv_would_block_until_a_datagram_arrives() {
    run(1, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        a.connect(b.local_addr()?)?;
        b.connect(a.local_addr()?)?;
        let mut buf = [0; 64];

        let err = b.try_recv(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

        timeout(STEP, a.writable()).await??;
        for (i, msg) in [&b"one"[..], b"two"].into_iter().enumerate() {
            assert_eq!(a.try_send(msg)?, msg.len());
            timeout(STEP, b.readable()).await??;
            assert_eq!(b.try_recv(&mut buf)?, msg.len(), "datagram {i}");
            assert_eq!(&buf[..msg.len()], msg);
            // Drained: a real EAGAIN now, which forgets readiness until
            // the next datagram's edge.
            let err = b.try_recv(&mut buf).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "datagram {i}");
        }
        Ok(())
    });
}

#[test]
fn udp_try_send_to_and_try_recv_from() {
    run(1, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
        let mut buf = [0; 64];

        let err = b.try_recv_from(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

        timeout(STEP, a.writable()).await??;
        assert_eq!(a.try_send_to(b"hello", b_addr)?, 5);
        timeout(STEP, b.readable()).await??;
        let (n, from) = b.try_recv_from(&mut buf)?;
        assert_eq!((&buf[..n], from), (&b"hello"[..], a_addr));
        let err = b.try_recv_from(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

        // Unconnected: `try_send` has no destination, an error not a panic.
        let err = a.try_send(b"nowhere").unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::WouldBlock, "{err:?}");
        Ok(())
    });
}

#[test]
fn udp_poll_send_and_poll_recv() {
    run(2, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        a.connect(b.local_addr()?)?;
        b.connect(a.local_addr()?)?;

        // The receiver polls first and returns Pending, so the datagram
        // has to wake it through the reactor.
        let receiver = edgeio::spawn(async move {
            let mut buf = [0; 64];
            let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await?;
            io::Result::Ok(buf[..n].to_vec())
        });
        sleep(Duration::from_millis(20)).await;
        let sent = timeout(STEP, poll_fn(|cx| a.poll_send(cx, b"polled"))).await??;
        assert_eq!(sent, 6);
        let received = timeout(STEP, receiver).await?.expect("receiver panicked")?;
        assert_eq!(received, b"polled");
        Ok(())
    });
}

#[test]
fn udp_poll_send_to_and_poll_recv_from() {
    run(2, || async move {
        let a = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let b = AsyncUdpSocket::bind("127.0.0.1:0")?;
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);

        let receiver = edgeio::spawn(async move {
            let mut buf = [0; 64];
            let (n, from) = poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await?;
            io::Result::Ok((buf[..n].to_vec(), from))
        });
        sleep(Duration::from_millis(20)).await;
        let sent = timeout(STEP, poll_fn(|cx| a.poll_send_to(cx, b"to you", b_addr))).await??;
        assert_eq!(sent, 6);
        let (received, from) = timeout(STEP, receiver).await?.expect("receiver panicked")?;
        assert_eq!((received.as_slice(), from), (&b"to you"[..], a_addr));
        Ok(())
    });
}

#[test]
fn incoming_is_a_stream_of_accepted_connections() {
    const CLIENTS: usize = 3;
    run(2, || async move {
        let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| std::net::TcpStream::connect(addr))
            .collect::<Result<_, _>>()?;
        let mut expected: Vec<_> = clients.iter().map(|c| c.local_addr()).collect::<Result<_, _>>()?;
        expected.sort();

        // Through StreamExt combinators, which see only the Stream impl.
        let streams: Vec<_> = timeout(STEP, listener.incoming().take(CLIENTS).collect::<Vec<_>>()).await?;
        let mut peers = streams
            .into_iter()
            .map(|s| s?.peer_addr())
            .collect::<io::Result<Vec<_>>>()?;
        peers.sort();
        assert_eq!(peers, expected);

        // And StreamExt::next itself (the inherent `next` would win a
        // method call), on a connection made after polling started.
        let mut incoming = listener.incoming();
        let connector = std::thread::spawn(move || std::net::TcpStream::connect(addr));
        let stream = timeout(STEP, StreamExt::next(&mut incoming))
            .await?
            .expect("incoming never ends")?;
        let client = connector.join().expect("connector panicked")?;
        assert_eq!(stream.peer_addr()?, client.local_addr()?);
        assert_eq!(futures_util::Stream::size_hint(&incoming), (usize::MAX, None));
        Ok(())
    });
}

#[test]
fn unix_peer_cred_is_this_process() {
    run(1, || async move {
        // This process's effective ids, as the kernel shows them.
        let me = std::fs::metadata("/proc/self")?;
        let pid = i32::try_from(std::process::id()).expect("pid fits in pid_t");
        let expected = edgeio::net::UCred {
            uid: me.uid(),
            gid: me.gid(),
            pid: Some(pid),
        };

        let (a, b) = AsyncUnixStream::pair()?;
        for stream in [&a, &b] {
            assert_eq!(stream.peer_cred()?, expected);
        }

        let dir = TempDir::new()?;
        let path = dir.join("cred.sock");
        let listener = AsyncUnixListener::bind(&path)?;
        let client = timeout(STEP, AsyncUnixStream::connect(&path)).await??;
        let (server, _) = timeout(STEP, listener.accept()).await??;
        for stream in [&client, &server] {
            assert_eq!(stream.peer_cred()?, expected);
        }
        Ok(())
    });
}
