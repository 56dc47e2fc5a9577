//! The socket surface tokio users reach for (issue 23, net): `TcpSocket`,
//! `ready(Interest)`, the `*_buf` and vectored `try_` methods, UDP peeking,
//! multicast and traffic-class options, abstract Unix names and
//! `lookup_host`. Loopback only, every wait bounded.

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr};
use std::os::fd::AsRawFd;
use std::os::linux::net::SocketAddrExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::BytesMut;
use edgeio::net::{
    lookup_host, Interest, TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener,
    UnixStream,
};
use edgeio::time::timeout;
use futures_util::future::{select, Either};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// Upper bound for any single wait in these tests.
const STEP: Duration = Duration::from_secs(10);

fn run<F, Fut>(body: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    edgeio::__private::run_test(Some(2), Duration::from_secs(60), body).unwrap();
}

/// Whether this machine has an IPv6 loopback (containers may not).
fn has_ipv6() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// The loopback addresses to test: 127.0.0.1, and ::1 where it exists.
fn loopbacks() -> Vec<SocketAddr> {
    let mut addrs = vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))];
    if has_ipv6() {
        addrs.push(SocketAddr::from((Ipv6Addr::LOCALHOST, 0)));
    } else {
        eprintln!("no IPv6 loopback here: testing IPv4 only");
    }
    addrs
}

fn tcp_socket_for(addr: SocketAddr) -> io::Result<TcpSocket> {
    if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
}

/// A connected pair over loopback at `addr`.
async fn tcp_pair(addr: SocketAddr) -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind(addr)?;
    let client = timeout(STEP, TcpStream::connect(listener.local_addr()?)).await??;
    let (server, _) = timeout(STEP, listener.accept()).await??;
    Ok((client, server))
}

#[test]
fn tcp_socket_reuseport_lets_two_listeners_share_a_port() {
    run(|| async {
        for addr in loopbacks() {
            let first = tcp_socket_for(addr)?;
            first.set_reuseport(true)?;
            assert!(first.reuseport()?);
            first.bind(addr)?;
            let bound = first.local_addr()?;

            // Without SO_REUSEPORT the port is taken.
            let refused = tcp_socket_for(addr)?;
            let err = refused.bind(bound).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::AddrInUse);

            let second = tcp_socket_for(addr)?;
            second.set_reuseport(true)?;
            second.bind(bound)?;
            let (a, b) = (first.listen(64)?, second.listen(64)?);
            assert_eq!(a.local_addr()?, b.local_addr()?);

            // Every connection is accepted by one of the two.
            const CLIENTS: usize = 16;
            let mut clients = Vec::new();
            for _ in 0..CLIENTS {
                clients.push(timeout(STEP, TcpStream::connect(bound)).await??);
            }
            let mut accepted = [0usize; 2];
            for _ in 0..CLIENTS {
                let either = select(Box::pin(a.accept()), Box::pin(b.accept()));
                match timeout(STEP, either).await? {
                    Either::Left((stream, _)) => {
                        stream?;
                        accepted[0] += 1;
                    }
                    Either::Right((stream, _)) => {
                        stream?;
                        accepted[1] += 1;
                    }
                }
            }
            assert_eq!(accepted[0] + accepted[1], CLIENTS, "{addr}: {accepted:?}");
        }
        Ok(())
    });
}

#[test]
fn tcp_socket_binds_a_chosen_local_port_before_connecting() {
    run(|| async {
        for addr in loopbacks() {
            let listener = TcpListener::bind(addr)?;
            // Choose a port: one the kernel just showed to be free.
            let port = std::net::TcpListener::bind(addr)?.local_addr()?.port();
            let local = SocketAddr::new(addr.ip(), port);

            let socket = tcp_socket_for(addr)?;
            socket.set_reuseaddr(true)?;
            assert!(socket.reuseaddr()?);
            socket.bind(local)?;
            assert_eq!(socket.local_addr()?, local);
            let mut client = timeout(STEP, socket.connect(listener.local_addr()?)).await??;
            let (mut server, peer) = timeout(STEP, listener.accept()).await??;
            assert_eq!(client.local_addr()?, local);
            assert_eq!(peer, local);

            client.write_all(b"from a chosen port").await?;
            client.close().await?;
            let mut got = Vec::new();
            timeout(STEP, server.read_to_end(&mut got)).await??;
            assert_eq!(got, b"from a chosen port");
        }
        Ok(())
    });
}

#[test]
fn tcp_socket_options_buffer_sizes_and_backlog() {
    run(|| async {
        for addr in loopbacks() {
            let socket = tcp_socket_for(addr)?;
            socket.set_send_buffer_size(64 * 1024)?;
            socket.set_recv_buffer_size(64 * 1024)?;
            // Linux doubles what it is given (for its bookkeeping).
            assert!(socket.send_buffer_size()? >= 64 * 1024);
            assert!(socket.recv_buffer_size()? >= 64 * 1024);
            socket.set_nodelay(true)?;
            assert!(socket.nodelay()?);
            socket.set_keepalive(true)?;
            assert!(socket.keepalive()?);
            socket.set_linger(Some(Duration::ZERO))?;
            assert_eq!(socket.linger()?, Some(Duration::ZERO));
            socket.set_linger(None)?;
            if addr.is_ipv4() {
                socket.set_tos(0x10)?;
                assert_eq!(socket.tos()?, 0x10);
            }
            socket.bind(addr)?;

            // A backlog of 1 still queues a connection until it is accepted;
            // an absurd one is capped, not an error.
            let listener = socket.listen(1)?;
            let client = timeout(STEP, TcpStream::connect(listener.local_addr()?)).await??;
            let (server, peer) = timeout(STEP, listener.accept()).await??;
            assert_eq!(peer, client.local_addr()?);
            assert!(server.nodelay()?, "accepted sockets inherit TCP_NODELAY");

            let huge = tcp_socket_for(addr)?;
            huge.bind(addr)?;
            drop(huge.listen(u32::MAX)?);
        }

        // `from_std_stream` configures a connected `std` stream.
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
        let socket = TcpSocket::from_std_stream(std_stream);
        socket.set_nodelay(true)?;
        assert!(socket.nodelay()?);
        Ok(())
    });
}

#[test]
fn ready_reports_read_closed_after_the_peer_shuts_down() {
    run(|| async {
        for addr in loopbacks() {
            let (client, server) = tcp_pair(addr).await?;
            let ready = timeout(STEP, client.ready(Interest::WRITABLE)).await??;
            assert!(ready.is_writable() && !ready.is_read_closed());

            server.shutdown(Shutdown::Write)?;
            let ready = timeout(STEP, client.ready(Interest::READABLE)).await??;
            assert!(ready.is_readable(), "{ready:?}");
            assert!(ready.is_read_closed(), "{ready:?}");
            assert!(!ready.is_write_closed(), "only the peer's side closed");
            let mut buf = [0; 8];
            assert_eq!(client.try_read(&mut buf)?, 0, "end of stream");

            // Both interests at once: whichever is ready.
            let both = timeout(STEP, client.ready(Interest::READABLE | Interest::WRITABLE)).await??;
            assert!(both.is_read_closed() && both.is_writable(), "{both:?}");
        }

        // Unix streams and datagram sockets have `ready` too.
        let (a, b) = UnixStream::pair()?;
        b.shutdown(Shutdown::Write)?;
        let ready = timeout(STEP, a.ready(Interest::READABLE)).await??;
        assert!(ready.is_read_closed(), "{ready:?}");
        let (c, d) = UnixDatagram::pair()?;
        c.send(b"x").await?;
        assert!(timeout(STEP, d.ready(Interest::READABLE)).await??.is_readable());
        let udp = UdpSocket::bind("127.0.0.1:0")?;
        assert!(timeout(STEP, udp.ready(Interest::WRITABLE)).await??.is_writable());
        Ok(())
    });
}

/// A raw `recv` on the socket's fd, as a `try_io` closure would make.
fn raw_recv(fd: &impl AsRawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes; the fd is open.
    let n = unsafe {
        libc::recv(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
        )
    };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

#[test]
fn try_io_and_async_io_follow_readiness() {
    run(|| async {
        let (client, server) = tcp_pair("127.0.0.1:0".parse().unwrap()).await?;
        // The first `try_` needs the reactor to have seen the socket's
        // first event: `writable` waits for it.
        timeout(STEP, server.writable()).await??;
        assert_eq!(server.try_write(b"x")?, 1);
        let ready = timeout(STEP, client.ready(Interest::READABLE)).await??;
        assert!(ready.is_readable());

        let mut buf = [0; 8];
        assert_eq!(
            client.try_io(Interest::READABLE, || raw_recv(&client, &mut buf))?,
            1
        );
        // Drained: the closure's WouldBlock clears readability...
        let calls = AtomicUsize::new(0);
        let err = client
            .try_io(Interest::READABLE, || {
                calls.fetch_add(1, Ordering::Relaxed);
                raw_recv(&client, &mut buf)
            })
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        // ...so the next try does not even run it.
        let again = client.try_io(Interest::READABLE, || -> io::Result<()> { unreachable!() });
        assert_eq!(again.unwrap_err().kind(), io::ErrorKind::WouldBlock);
        assert_eq!(calls.load(Ordering::Relaxed), 1);

        // `async_io` waits for the next edge.
        let reader = async {
            client
                .async_io(Interest::READABLE, || raw_recv(&client, &mut buf))
                .await
        };
        let writer = async {
            edgeio::time::sleep(Duration::from_millis(20)).await;
            timeout(STEP, server.writable()).await??;
            server.try_write(b"yz")
        };
        let (read, wrote) = futures_util::join!(timeout(STEP, reader), writer);
        assert_eq!((read??, wrote?), (2, 2));
        Ok(())
    });
}

#[test]
fn try_read_buf_and_vectored_io() {
    run(|| async {
        for addr in loopbacks() {
            let (client, server) = tcp_pair(addr).await?;
            timeout(STEP, client.writable()).await??;
            let sent = client.try_write_vectored(&[IoSlice::new(b"hello, "), IoSlice::new(b"world")])?;
            assert_eq!(sent, 12);

            // A Vec's spare capacity: nothing zeroed, length advanced.
            let mut vec = Vec::with_capacity(5);
            let mut got = 0;
            for _ in 0..1000 {
                timeout(STEP, server.readable()).await??;
                match server.try_read_buf(&mut vec) {
                    Ok(n) => {
                        got += n;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
            assert!(got > 0 && vec.len() == got);
            assert_eq!(&b"hello, world"[..got], &vec[..]);

            // The rest into a BytesMut.
            let mut bytes = BytesMut::with_capacity(64);
            while got < 12 {
                timeout(STEP, server.readable()).await??;
                match server.try_read_buf(&mut bytes) {
                    Ok(n) => got += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
            vec.extend_from_slice(&bytes);
            assert_eq!(vec, b"hello, world");

            // Vectored reads fill the buffers in order.
            timeout(STEP, server.writable()).await??;
            server.try_write(b"abcdef")?;
            let (mut first, mut second) = ([0u8; 2], [0u8; 8]);
            let n = loop {
                timeout(STEP, client.readable()).await??;
                let mut bufs = [IoSliceMut::new(&mut first), IoSliceMut::new(&mut second)];
                match client.try_read_vectored(&mut bufs) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            };
            assert_eq!(n, 6);
            assert_eq!((&first, &second[..4]), (b"ab", &b"cdef"[..]));
        }

        // Unix streams: the same methods.
        let (a, b) = UnixStream::pair()?;
        timeout(STEP, a.writable()).await??;
        assert_eq!(
            a.try_write_vectored(&[IoSlice::new(b"un"), IoSlice::new(b"ix")])?,
            4
        );
        timeout(STEP, b.readable()).await??;
        let mut buf = Vec::with_capacity(16);
        assert_eq!(b.try_read_buf(&mut buf)?, 4);
        assert_eq!(buf, b"unix");
        Ok(())
    });
}

#[test]
fn udp_peek_then_recv_returns_the_same_datagram() {
    run(|| async {
        for addr in loopbacks() {
            let a = UdpSocket::bind(addr)?;
            let b = UdpSocket::bind(addr)?;
            let a_addr = a.local_addr()?;
            a.send_to(b"first", b.local_addr()?).await?;
            a.send_to(b"second", b.local_addr()?).await?;

            assert_eq!(timeout(STEP, b.peek_sender()).await??, a_addr);
            let mut buf = [0; 16];
            let (n, from) = timeout(STEP, b.peek_from(&mut buf)).await??;
            assert_eq!((&buf[..n], from), (&b"first"[..], a_addr));
            // Peeking again (without waiting) sees it still.
            let (n, from) = b.try_peek_from(&mut buf)?;
            assert_eq!((&buf[..n], from), (&b"first"[..], a_addr));
            assert_eq!(b.try_peek_sender()?, a_addr);

            // recv_buf_from takes it, into spare capacity.
            let mut vec = Vec::with_capacity(16);
            let (n, from) = timeout(STEP, b.recv_buf_from(&mut vec)).await??;
            assert_eq!((n, &vec[..], from), (5, &b"first"[..], a_addr));

            let mut bytes = BytesMut::with_capacity(16);
            let (n, from) = b.try_recv_buf_from(&mut bytes)?;
            assert_eq!((n, &bytes[..], from), (6, &b"second"[..], a_addr));
            let err = b.try_recv_buf_from(&mut bytes).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

            // Connected: recv_buf / try_recv_buf.
            b.connect(a_addr)?;
            a.send_to(b"third", b.local_addr()?).await?;
            let mut vec = Vec::with_capacity(16);
            assert_eq!(timeout(STEP, b.recv_buf(&mut vec)).await??, 5);
            assert_eq!(vec, b"third");
            let err = b.try_recv_buf(&mut vec).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

            // poll_peek_from, through poll_fn.
            a.send_to(b"fourth", b.local_addr()?).await?;
            let (n, from) =
                timeout(STEP, std::future::poll_fn(|cx| b.poll_peek_from(cx, &mut buf))).await??;
            assert_eq!((&buf[..n], from), (&b"fourth"[..], a_addr));
        }
        Ok(())
    });
}

#[test]
fn udp_options_ttl_broadcast_tos_tclass() {
    run(|| async {
        let v4 = UdpSocket::bind("127.0.0.1:0")?;
        v4.set_ttl(42)?;
        assert_eq!(v4.ttl()?, 42);
        v4.set_broadcast(true)?;
        assert!(v4.broadcast()?);
        v4.set_tos(0x28)?;
        assert_eq!(v4.tos()?, 0x28);
        assert!(v4.take_error()?.is_none());
        if has_ipv6() {
            let v6 = UdpSocket::bind("[::1]:0")?;
            v6.set_tclass_v6(0x20)?;
            assert_eq!(v6.tclass_v6()?, 0x20);
            v6.set_multicast_loop_v6(false)?;
            assert!(!v6.multicast_loop_v6()?);
        }
        Ok(())
    });
}

#[test]
fn udp_multicast_join_leave_on_loopback() {
    run(|| async {
        let group = Ipv4Addr::new(239, 255, 43, 21);
        let receiver = UdpSocket::bind("0.0.0.0:0")?;
        let port = receiver.local_addr()?.port();
        receiver.join_multicast_v4(group, Ipv4Addr::LOCALHOST)?;
        // Joining twice on one interface is the kernel's EADDRINUSE.
        assert!(receiver.join_multicast_v4(group, Ipv4Addr::LOCALHOST).is_err());
        receiver.set_multicast_loop_v4(true)?;
        assert!(receiver.multicast_loop_v4()?);
        receiver.set_multicast_ttl_v4(1)?;
        assert_eq!(receiver.multicast_ttl_v4()?, 1);

        // Delivery: send to the group out of the loopback interface. Where
        // the kernel has no multicast route for `lo`, the send fails or
        // nothing arrives; that part is skipped (the options above and the
        // leave below are what edgeio is responsible for).
        let sender = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
        sender.set_multicast_if_v4(&Ipv4Addr::LOCALHOST)?;
        sender.set_multicast_loop_v4(true)?;
        sender.set_nonblocking(true)?;
        let sender = UdpSocket::from_std(sender.into())?;
        match sender.send_to(b"to the group", (group, port)).await {
            Ok(_) => {
                let mut buf = [0; 32];
                match timeout(Duration::from_secs(2), receiver.recv_from(&mut buf)).await {
                    Ok(received) => {
                        let (n, _) = received?;
                        assert_eq!(&buf[..n], b"to the group");
                    }
                    Err(_) => eprintln!("multicast not delivered over lo here: delivery part skipped"),
                }
            }
            Err(e) => eprintln!("no multicast route via lo here ({e}): delivery part skipped"),
        }

        receiver.leave_multicast_v4(group, Ipv4Addr::LOCALHOST)?;
        // Leaving a group not joined is an error, so the leave took effect.
        assert!(receiver.leave_multicast_v4(group, Ipv4Addr::LOCALHOST).is_err());

        if has_ipv6() {
            let v6 = UdpSocket::bind("[::]:0")?;
            let group6: Ipv6Addr = "ff02::4321:1".parse().unwrap();
            // The loopback interface may not do IPv6 multicast at all;
            // where it does, join and leave must pair up.
            // SAFETY: a NUL-terminated C string literal.
            let lo = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
            match v6.join_multicast_v6(&group6, lo) {
                Ok(()) => v6.leave_multicast_v6(&group6, lo)?,
                Err(e) => eprintln!("IPv6 multicast on lo unavailable ({e}): skipped"),
            }
        }
        Ok(())
    });
}

#[test]
fn unix_abstract_names_round_trip() {
    run(|| async {
        let name = format!("edgeio-test-{}-abstract", std::process::id());
        let path = format!("\0{name}");

        // By path with a leading NUL, as in tokio.
        let listener = UnixListener::bind(&path)?;
        assert_eq!(listener.local_addr()?.as_abstract_name(), Some(name.as_bytes()));
        let mut client = timeout(STEP, UnixStream::connect(&path)).await??;
        let (mut server, _) = timeout(STEP, listener.accept()).await??;
        assert_eq!(client.peer_addr()?.as_abstract_name(), Some(name.as_bytes()));
        assert_eq!(server.local_addr()?.as_abstract_name(), Some(name.as_bytes()));
        client.write_all(b"abstract").await?;
        let mut buf = [0; 8];
        timeout(STEP, server.read_exact(&mut buf)).await??;
        assert_eq!(&buf, b"abstract");
        assert!(
            !std::path::Path::new(&name).exists(),
            "an abstract name created a file"
        );
        // The name is taken while the listener lives.
        assert_eq!(
            UnixListener::bind(&path).unwrap_err().kind(),
            io::ErrorKind::AddrInUse
        );
        drop((client, server, listener));

        // By std's SocketAddr; once the listener is gone the name is free.
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        let listener = UnixListener::bind_addr(&addr)?;
        let client = timeout(STEP, UnixStream::connect_addr(&addr)).await??;
        assert_eq!(client.peer_addr()?.as_abstract_name(), Some(name.as_bytes()));
        drop((client, listener));

        // Datagrams: bind, connect and send_to by abstract name; the
        // receiver sees the sender's name.
        let a_name = format!("{name}-dgram-a");
        let b_name = format!("{name}-dgram-b");
        let a = UnixDatagram::bind(format!("\0{a_name}"))?;
        let b_addr = std::os::unix::net::SocketAddr::from_abstract_name(b_name.as_bytes())?;
        let b = UnixDatagram::bind_addr(&b_addr)?;
        a.send_to(b"to b", format!("\0{b_name}")).await?;
        let mut buf = [0; 8];
        let (n, from) = timeout(STEP, b.recv_from(&mut buf)).await??;
        assert_eq!(&buf[..n], b"to b");
        assert_eq!(from.as_abstract_name(), Some(a_name.as_bytes()));
        b.connect(format!("\0{a_name}"))?;
        b.send(b"back").await?;
        let mut vec = Vec::with_capacity(8);
        let (n, from) = timeout(STEP, a.recv_buf_from(&mut vec)).await??;
        assert_eq!((n, &vec[..]), (4, &b"back"[..]));
        assert_eq!(from.as_abstract_name(), Some(b_name.as_bytes()));
        a.send_to_addr(b"again", &b_addr).await?;
        let mut bytes = BytesMut::with_capacity(8);
        assert_eq!(timeout(STEP, b.recv_buf(&mut bytes)).await??, 5);
        assert_eq!(&bytes[..], b"again");

        // An unnamed address cannot be bound or connected to.
        let unnamed = UnixDatagram::unbound()?.local_addr()?;
        assert_eq!(
            UnixListener::bind_addr(&unnamed).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        Ok(())
    });
}

#[test]
fn lookup_host_resolves_on_the_blocking_pool() {
    run(|| async {
        let addrs: Vec<SocketAddr> = timeout(STEP, lookup_host("localhost:80")).await??.collect();
        assert!(!addrs.is_empty());
        for addr in &addrs {
            assert!(addr.ip().is_loopback(), "{addr}");
            assert_eq!(addr.port(), 80);
        }
        let literal: Vec<SocketAddr> = lookup_host(("::1", 443)).await?.collect();
        assert_eq!(literal, ["[::1]:443".parse().unwrap()]);
        let err = lookup_host("no-port").await.err().expect("an error");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        Ok(())
    });
}

/// tokio's `net::tcp` and `net::unix` names for the owned halves, as a
/// program that keeps writers in a map names them.
#[edgeio::test(timeout_secs = 30)]
async fn tokio_names_of_the_owned_halves() {
    use edgeio::net::{tcp, unix, TcpListener, TcpStream, UnixStream};
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let (mut read, write): (tcp::OwnedReadHalf, tcp::OwnedWriteHalf) = server.into_split();
    let mut writers: Vec<tcp::OwnedWriteHalf> = vec![write];
    writers[0].write_all(b"hi").await.unwrap();
    let mut client = client;
    let mut buf = [0; 2];
    client.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"hi");
    client.write_all(b"yo").await.unwrap();
    read.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"yo");
    let _whole: TcpStream = read.reunite(writers.pop().unwrap()).unwrap();

    let (a, b) = UnixStream::pair().unwrap();
    let (read, write): (unix::OwnedReadHalf, unix::OwnedWriteHalf) = a.into_split();
    let (c, _d) = UnixStream::pair().unwrap();
    let (_c_read, c_write) = c.into_split();
    let error: unix::ReuniteError = read.reunite(c_write).unwrap_err();
    drop((error, write));
    let addr: unix::SocketAddr = b.local_addr().unwrap();
    assert!(addr.is_unnamed());
    let _cred: unix::UCred = b.peer_cred().unwrap();
}

/// The owned halves offer the stream's `&self` methods, as tokio's do:
/// addresses, readiness, `try_read`/`try_write`, `peek`.
#[edgeio::test(timeout_secs = 30)]
async fn owned_halves_offer_the_streams_methods() {
    use edgeio::net::{TcpListener, TcpStream};
    use futures_util::io::AsyncWriteExt;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let (read, write) = server.into_split();
    assert_eq!(read.local_addr().unwrap(), addr);
    assert_eq!(write.peer_addr().unwrap(), client.local_addr().unwrap());

    write.writable().await.unwrap();
    assert_eq!(write.try_write(b"ping").unwrap(), 4);
    let mut client = client;
    client.write_all(b"pong").await.unwrap();
    read.readable().await.unwrap();
    let mut buf = [0; 4];
    assert_eq!(read.peek(&mut buf).await.unwrap(), 4);
    assert_eq!(read.try_read(&mut buf).unwrap(), 4);
    assert_eq!(&buf, b"pong");
}

/// tokio's `Interest::PRIORITY` and `Interest::ERROR` on the sockets'
/// `ready`: urgent data wakes a priority wait (and nothing else does), an
/// ICMP error queued on a UDP socket wakes an error wait.
#[edgeio::test(timeout_secs = 30)]
async fn priority_and_error_interests_on_sockets() {
    use edgeio::net::{Interest, TcpListener, TcpStream, UdpSocket};
    use std::time::Duration;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let quiet = edgeio::time::timeout(Duration::from_millis(20), server.ready(Interest::PRIORITY)).await;
    assert!(quiet.is_err(), "no urgent data yet");
    // SAFETY: the buffer is valid for its one byte.
    let sent = unsafe { libc::send(client.as_raw_fd(), b"!".as_ptr().cast(), 1, libc::MSG_OOB) };
    assert_eq!(sent, 1, "{}", io::Error::last_os_error());
    let ready = server.ready(Interest::PRIORITY).await.unwrap();
    assert!(ready.is_priority() && !ready.is_writable(), "{ready:?}");

    // A connected UDP socket hears the port-unreachable error of a send to
    // a closed port: an error wait ends, and reports the error alone.
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(closed_addr).unwrap();
    socket.send(b"anyone?").await.unwrap();
    let ready = edgeio::time::timeout(Duration::from_secs(10), async {
        loop {
            let ready = socket.ready(Interest::ERROR).await.unwrap();
            if ready.is_error() {
                return ready;
            }
        }
    })
    .await
    .expect("the ICMP error arrives");
    assert_eq!(ready, edgeio::net::Ready::ERROR);
    assert_eq!(
        socket.take_error().unwrap().map(|e| e.kind()),
        Some(io::ErrorKind::ConnectionRefused)
    );
}
