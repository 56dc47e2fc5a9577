//! async-std's `tests/tcp.rs`, `tests/udp.rs` and `tests/uds.rs`
//! (async-std is MIT-licensed), ported to edgeio as the modules `tcp`,
//! `udp` and `uds`.
//!
//! The mapping: `async_std::net::{TcpListener, TcpStream, UdpSocket}` and
//! `async_std::os::unix::net::{UnixDatagram, UnixListener, UnixStream}` are
//! `edgeio::net`'s types of the same names; `async_std::prelude::*` is
//! `edgeio::io::{AsyncReadExt, AsyncWriteExt}` (and the listeners'
//! `incoming().next()`); `task::block_on` and `task::spawn` run on one
//! edgeio runtime for the whole test binary (see `mod task` below), as
//! async-std's run on its global runtime; the `tempfile` crate is
//! tests/support/tempfile.rs. Each non-trivial mapping is marked `Adapted:`.
//!
//! All 11 tests are ported (tcp: 5, udp: 1, uds: 5); none is left out.

#[path = "support/tempfile.rs"]
mod tempfile;
#[path = "support/tokio_test.rs"]
mod tokio_test;

/// async-std's `task::block_on` and `task::spawn`.
mod task {
    use std::future::Future;
    use std::sync::OnceLock;

    // Adapted: async-std runs every `block_on` and every spawned task on
    // one global runtime, so a socket made in one `block_on` can be used in
    // another (`socket_ping_pong` binds its listener in one and accepts in
    // another, on another thread). edgeio's sockets belong to the runtime
    // they were made in, as tokio's do, so the port gives the binary one
    // runtime that lives as long as the process.
    fn runtime() -> &'static edgeio::runtime::Runtime {
        static RUNTIME: OnceLock<edgeio::runtime::Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| edgeio::runtime::Runtime::new().unwrap())
    }

    pub fn block_on<F: Future>(f: F) -> F::Output {
        runtime().block_on(f)
    }

    // Adapted: async-std's `JoinHandle<T>` resolves to `T`; edgeio's to
    // `Result<T, JoinError>`, unwrapped here (a panic in the task is the
    // test's). Dropping the returned future detaches the task, as
    // async-std's does.
    pub fn spawn<T: Send + 'static>(
        f: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        let handle = runtime().spawn(f);
        async move { handle.await.unwrap() }
    }
}

mod tcp {
    use super::{task, tokio_test};
    use edgeio::io::{self, AsyncReadExt, AsyncWriteExt};
    use edgeio::net::{TcpListener, TcpStream};
    use std::sync::Arc;

    const THE_WINTERS_TALE: &[u8] = b"
    Each your doing,
    So singular in each particular,
    Crowns what you are doing in the present deed,
    That all your acts are queens.
";

    #[test]
    fn connect() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            // Adapted: edgeio's `bind` is synchronous (no `.await`).
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let addr = listener.local_addr()?;
            let t = task::spawn(async move { listener.accept().await });

            let stream2 = TcpStream::connect(&addr).await?;
            let stream1 = t.await?.0;

            assert_eq!(stream1.peer_addr()?, stream2.local_addr()?);
            assert_eq!(stream2.peer_addr()?, stream1.local_addr()?);

            Ok(())
        })
    }

    #[test]
    fn incoming_read() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let addr = listener.local_addr()?;

            // Adapted: async-std's `spawn` starts the task whether or not
            // its handle is awaited; so does this one (the handle is
            // dropped, detaching the task).
            drop(task::spawn(async move {
                let mut stream = TcpStream::connect(&addr).await?;
                stream.write_all(THE_WINTERS_TALE).await?;
                io::Result::Ok(())
            }));

            let mut buf = vec![0; 1024];
            let mut incoming = listener.incoming();
            let mut stream = incoming.next().await.unwrap()?;

            let n = stream.read(&mut buf).await?;
            assert_eq!(&buf[..n], THE_WINTERS_TALE);

            Ok(())
        })
    }

    #[test]
    fn smoke_std_stream_to_async_listener() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        use std::io::Write;

        task::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let addr = listener.local_addr()?;

            let mut std_stream = std::net::TcpStream::connect(addr)?;
            std_stream.write_all(THE_WINTERS_TALE)?;

            let mut buf = vec![0; 1024];
            let mut incoming = listener.incoming();
            let mut stream = incoming.next().await.unwrap()?;

            let n = stream.read(&mut buf).await?;
            assert_eq!(&buf[..n], THE_WINTERS_TALE);

            Ok(())
        })
    }

    #[test]
    fn smoke_async_stream_to_std_listener() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        use std::io::Read;

        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = std_listener.local_addr()?;

        task::block_on(async move {
            let mut stream = TcpStream::connect(&addr).await?;
            stream.write_all(THE_WINTERS_TALE).await?;
            io::Result::Ok(())
        })?;

        let mut buf = vec![0; 1024];
        let mut incoming = std_listener.incoming();
        let mut stream = incoming.next().unwrap()?;

        let n = stream.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], THE_WINTERS_TALE);

        Ok(())
    }

    #[test]
    fn cloned_streams() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let addr = listener.local_addr()?;

            // Adapted: async-std's `TcpStream` is `Clone` (an `Arc` inside);
            // edgeio's is not (nor is tokio's), but `&TcpStream` reads and
            // writes, so the clone is an `Arc<TcpStream>` read through `&`.
            let stream = Arc::new(TcpStream::connect(&addr).await?);
            let cloned_stream = stream.clone();
            let mut incoming = listener.incoming();
            let mut write_stream = incoming.next().await.unwrap()?;
            write_stream.write_all(b"Each your doing").await?;

            let mut buf = [0; 15];
            (&*stream).read_exact(&mut buf[..8]).await?;
            (&*cloned_stream).read_exact(&mut buf[8..]).await?;

            assert_eq!(&buf[..15], b"Each your doing");

            Ok(())
        })
    }
}

mod udp {
    use super::{task, tokio_test};
    use edgeio::io;
    use edgeio::net::UdpSocket;

    const THE_MERCHANT_OF_VENICE: &[u8] = b"
    If you prick us, do we not bleed?
    If you tickle us, do we not laugh?
    If you poison us, do we not die?
    And if you wrong us, shall we not revenge?
";

    #[test]
    fn send_recv_peek() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            // Adapted: edgeio's UDP `bind` and `connect` are synchronous.
            let socket1 = UdpSocket::bind("127.0.0.1:0")?;
            let socket2 = UdpSocket::bind("127.0.0.1:0")?;

            socket1.connect(socket2.local_addr()?)?;
            socket2.connect(socket1.local_addr()?)?;
            assert_eq!(socket1.peer_addr()?, socket2.local_addr()?);
            socket1.send(THE_MERCHANT_OF_VENICE).await?;

            let mut buf = [0u8; 1024];
            let n = socket2.peek(&mut buf).await?;
            assert_eq!(&buf[..n], THE_MERCHANT_OF_VENICE);

            let n = socket2.recv(&mut buf).await?;
            assert_eq!(&buf[..n], THE_MERCHANT_OF_VENICE);

            Ok(())
        })
    }
}

mod uds {
    use super::{task, tempfile, tokio_test};
    use edgeio::io::{self, AsyncReadExt, AsyncWriteExt};
    use edgeio::net::{UnixDatagram, UnixListener, UnixStream};
    use std::future::Future;
    use std::sync::Arc;

    use std::time::Duration;

    const JULIUS_CAESAR: &[u8] = b"
    Friends, Romans, countrymen - lend me your ears!
    I come not to praise Caesar, but to bury him.
";

    // Adapted: async-std's `io::timeout` (an I/O future's result, or a
    // `TimedOut` error "future timed out") has no edgeio counterpart; it is
    // `edgeio::time::timeout` with async-std's error.
    async fn io_timeout<T>(dur: Duration, f: impl Future<Output = io::Result<T>>) -> io::Result<T> {
        match edgeio::time::timeout(dur, f).await {
            Ok(result) => result,
            Err(_elapsed) => Err(io::Error::new(io::ErrorKind::TimedOut, "future timed out")),
        }
    }

    #[test]
    fn send_recv() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let (socket1, socket2) = UnixDatagram::pair().unwrap();
            socket1.send(JULIUS_CAESAR).await?;

            let mut buf = vec![0; 1024];
            let n = socket2.recv(&mut buf).await?;
            assert_eq!(&buf[..n], JULIUS_CAESAR);

            Ok(())
        })
    }

    #[test]
    fn into_raw_fd_datagram() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        use std::os::unix::io::{FromRawFd, IntoRawFd};
        task::block_on(async {
            let (socket1, socket2) = UnixDatagram::pair().unwrap();
            socket1.send(JULIUS_CAESAR).await?;

            let mut buf = vec![0; 1024];

            // Adapted: edgeio's sockets implement neither `IntoRawFd` nor
            // `FromRawFd` (tokio's neither); the fd goes out through
            // `into_std` and back in through `from_std`.
            let socket2 = UnixDatagram::from_std(unsafe {
                std::os::unix::net::UnixDatagram::from_raw_fd(socket2.into_std()?.into_raw_fd())
            })?;
            let n = socket2.recv(&mut buf).await?;
            assert_eq!(&buf[..n], JULIUS_CAESAR);

            Ok(())
        })
    }

    #[test]
    #[allow(clippy::unused_io_amount)] // as async-std's test: one small write, one read
    fn into_raw_fd_stream() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        use std::os::unix::io::{FromRawFd, IntoRawFd};
        task::block_on(async {
            let (mut socket1, socket2) = UnixStream::pair().unwrap();
            socket1.write(JULIUS_CAESAR).await?;

            let mut buf = vec![0; 1024];

            // Adapted: through `into_std`/`from_std`, as above.
            let mut socket2 = UnixStream::from_std(unsafe {
                std::os::unix::net::UnixStream::from_raw_fd(socket2.into_std()?.into_raw_fd())
            })?;
            let n = socket2.read(&mut buf).await?;
            assert_eq!(&buf[..n], JULIUS_CAESAR);

            Ok(())
        })
    }

    const PING: &[u8] = b"ping";
    const PONG: &[u8] = b"pong";
    const TEST_TIMEOUT: Duration = Duration::from_secs(3);

    #[test]
    fn socket_ping_pong() {
        let _watchdog = tokio_test::watchdog();
        let tmp_dir = tempfile::Builder::new()
            .prefix("socket_ping_pong")
            .tempdir()
            .expect("Temp dir not created");
        let sock_path = tmp_dir.path().join("sock");
        let iter_cnt = 16;

        // Adapted: edgeio's `UnixListener::bind` is synchronous; it still
        // runs inside `block_on`, as sockets are made inside a runtime.
        let listener = task::block_on(async { UnixListener::bind(&sock_path).expect("Socket bind") });

        let server_handle = std::thread::spawn(move || {
            task::block_on(async { ping_pong_server(listener, iter_cnt).await }).unwrap()
        });

        let client_handle = std::thread::spawn(move || {
            task::block_on(async { ping_pong_client(&sock_path, iter_cnt).await }).unwrap()
        });

        client_handle.join().unwrap();
        server_handle.join().unwrap();
    }

    async fn ping_pong_server(listener: UnixListener, iterations: u32) -> std::io::Result<()> {
        // Adapted: edgeio's `UnixListener` has no `incoming` (tokio's
        // neither); each `incoming.next()` is an `accept`.
        let mut buf = [0; 1024];
        for _ix in 0..iterations {
            let s = listener.accept().await.map(|(s, _)| s);
            let mut s = s?;
            let n = s.read(&mut buf[..]).await?;
            assert_eq!(&buf[..n], PING);
            s.write_all(PONG).await?;
        }
        Ok(())
    }

    async fn ping_pong_client(socket: &std::path::PathBuf, iterations: u32) -> std::io::Result<()> {
        let mut buf = [0; 1024];
        for _ix in 0..iterations {
            let mut socket = UnixStream::connect(&socket).await?;
            socket.write_all(PING).await?;
            let n = io_timeout(TEST_TIMEOUT, socket.read(&mut buf[..])).await?;
            assert_eq!(&buf[..n], PONG);
        }
        Ok(())
    }

    #[test]
    #[allow(clippy::unused_io_amount)] // as async-std's test: small writes and reads
    fn uds_clone() -> io::Result<()> {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let tmp_dir = tempfile::Builder::new()
                .prefix("socket_ping_pong")
                .tempdir()
                .expect("Temp dir not created");
            let sock_path = tmp_dir.path().join("sock");
            let input = UnixListener::bind(&sock_path)?;

            // Adapted: async-std's `UnixStream` is `Clone`; edgeio's is
            // not, so the clones are `Arc`s used through `&UnixStream`.
            let writer = Arc::new(UnixStream::connect(&sock_path).await?);
            // Adapted: `input.incoming().next()` is `input.accept()`.
            let reader = Arc::new(input.accept().await?.0);

            (&*writer).write(b"original").await.unwrap();
            let mut original_buf = [0; 8];
            (&*reader).read(&mut original_buf).await?;
            assert_eq!(&original_buf, b"original");

            (&*writer.clone()).write(b"clone").await.unwrap();
            let mut clone_buf = [0; 5];
            (&*reader.clone()).read(&mut clone_buf).await?;
            assert_eq!(&clone_buf, b"clone");

            Ok(())
        })
    }
}
