//! Faults from the process and from the peer, over real loopback sockets:
//! running out of descriptors while connections queue up (the accept loop
//! must neither spin nor stall), resets in the middle of a transfer,
//! half-closed connections, peers that never read, and connects that never
//! complete.

mod common;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUnixListener};
use edgeio::time::{sleep, timeout};
use futures_util::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};

const MIB: usize = 1024 * 1024;
/// Upper bound for any single wait on the network in these tests.
const STEP: Duration = Duration::from_secs(10);

/// A deterministic, non-periodic byte pattern starting at `offset`.
fn pattern_at(offset: usize, len: usize) -> Vec<u8> {
    (offset as u64..(offset + len) as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
        .collect()
}

fn pattern(len: usize) -> Vec<u8> {
    pattern_at(0, len)
}

/// An accepted connection plus its peer as a plain blocking `std` socket.
async fn std_peer_pair() -> io::Result<(AsyncTcpStream, std::net::TcpStream)> {
    let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
    let peer = std::net::TcpStream::connect(listener.local_addr()?)?;
    let (stream, _) = timeout(STEP, listener.accept()).await??;
    Ok((stream, peer))
}

// ---------------------------------------------------------------------------
// EMFILE: the accept loop backs off instead of spinning, and recovers.
// ---------------------------------------------------------------------------

/// Set in the child process that runs [`emfile_child`].
const EMFILE_CHILD: &str = "EDGEIO_FAULTS_EMFILE_CHILD";

/// User + system CPU time of the whole process (every thread).
fn cpu_time() -> Duration {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Lowers the descriptor limit to `limit` and opens `/dev/null` until the
/// table is full; dropping the returned files frees it again.
fn fill_fd_table(limit: u64) -> io::Result<Vec<std::fs::File>> {
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: `rlimit` is a valid rlimit that outlives the call.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut hoard = Vec::new();
    for _ in 0..limit {
        match std::fs::File::open("/dev/null") {
            Ok(file) => hoard.push(file),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => return Ok(hoard),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("the descriptor table never filled up"))
}

/// What a naive accept loop saw while the process was out of descriptors.
#[derive(Debug)]
struct StarvedLoop {
    errors: usize,
    wall: Duration,
    cpu: Duration,
}

/// Runs `loop { if let Err(e) = accept().await { count(e) } }` for `window`
/// (and at most a million iterations), returning what it saw. An accepted
/// connection ends the test: no descriptor is free for one.
async fn naive_accept_loop<'a, T>(
    window: Duration,
    mut accept: impl FnMut() -> Pin<Box<dyn std::future::Future<Output = io::Result<T>> + 'a>>,
) -> StarvedLoop {
    let (cpu_start, start) = (cpu_time(), Instant::now());
    let deadline = start + window;
    let mut errors = 0;
    for _ in 0..1_000_000 {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        match timeout(left, accept()).await {
            Err(_elapsed) => break,
            Ok(Ok(_)) => panic!("accepted a connection with no descriptor free"),
            Ok(Err(e)) => {
                assert_eq!(e.raw_os_error(), Some(libc::EMFILE), "unexpected error {e:?}");
                errors += 1;
            }
        }
    }
    StarvedLoop {
        errors,
        wall: start.elapsed(),
        cpu: cpu_time() - cpu_start,
    }
}

fn assert_no_spin(seen: &StarvedLoop) {
    println!("{seen:?}");
    assert!(seen.errors >= 2, "the loop saw too few EMFILE errors: {seen:?}");
    // Without the backoff this loop makes hundreds of thousands of calls.
    assert!(seen.errors <= 50, "the accept loop spun: {seen:?}");
    assert!(
        seen.cpu.as_secs_f64() < 0.3 * seen.wall.as_secs_f64(),
        "the accept loop burned CPU while out of descriptors: {seen:?}"
    );
}

#[test]
fn emfile_accept_loop_backs_off_and_recovers() {
    // Exhausting descriptors would break the tests running in parallel in
    // this process, so the scenario runs in a child process of its own.
    let stdout = common::run_in_child("emfile_child", EMFILE_CHILD);
    println!("{stdout}");
}

#[edgeio::test(worker_threads = 2, timeout_secs = 40)]
#[ignore = "run in a child process by emfile_accept_loop_backs_off_and_recovers"]
async fn emfile_child() {
    if std::env::var_os(EMFILE_CHILD).is_none() {
        return;
    }
    // TCP first.
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // The client's socket exists before the table fills; it connects while
    // the accept loop runs.
    let client = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let mut hoard = fill_fd_table(256).unwrap();
    let connector = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        client.connect(&addr.into()).map(|()| client)
    });
    let seen = naive_accept_loop(Duration::from_secs(1), || Box::pin(listener.accept())).await;
    let client: std::net::TcpStream = connector.join().unwrap().unwrap().into();
    assert_no_spin(&seen);

    // Free descriptors: the same naive loop now gets the queued connection
    // (after at most one backoff delay, 1 s).
    hoard.truncate(hoard.len().saturating_sub(8));
    let started = Instant::now();
    let (stream, peer) = timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the queued connection was never accepted")
        .unwrap();
    println!("tcp recovered in {:?}", started.elapsed());
    assert_eq!(peer, client.local_addr().unwrap());
    // The backoff was reset by the success: the next accept does not wait.
    drop(stream);
    let second = std::net::TcpStream::connect(addr).unwrap();
    let (_stream, peer) = timeout(STEP, listener.accept()).await.unwrap().unwrap();
    assert_eq!(peer, second.local_addr().unwrap());
    drop((client, second));

    // The same for a Unix listener.
    let dir = std::env::temp_dir().join(format!("edgeio-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("emfile.sock");
    let _ = std::fs::remove_file(&path);
    let listener = AsyncUnixListener::bind(&path).unwrap();
    let client = std::os::unix::net::UnixStream::connect(&path).unwrap();
    hoard.extend(fill_fd_table(256).unwrap());
    let seen = naive_accept_loop(Duration::from_secs(1), || Box::pin(listener.accept())).await;
    assert_no_spin(&seen);
    drop(hoard);
    let (stream, _) = timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the queued Unix connection was never accepted")
        .unwrap();
    (&client).write_all(b"u").unwrap();
    let mut byte = [0];
    (&stream).read_exact(&mut byte).await.unwrap();
    assert_eq!(&byte, b"u");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// Peer faults.
// ---------------------------------------------------------------------------

/// Whether `e` is how a reset connection reports itself to a writer.
fn is_reset_or_pipe(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    )
}

#[edgeio::test(worker_threads = 2, timeout_secs = 60)]
async fn reset_mid_transfer_fails_reader_and_writer() {
    const TO_PEER: usize = 16 * MIB;
    const FROM_PEER: usize = MIB;
    for round in 0..3 {
        let (stream, peer) = std_peer_pair().await.unwrap();
        // The peer sends 1 MiB, takes 1 MiB of our 16, then resets.
        let peer_thread = std::thread::spawn(move || -> io::Result<()> {
            let mut peer = peer;
            peer.write_all(&pattern(FROM_PEER))?;
            let mut got = vec![0; MIB];
            peer.read_exact(&mut got)?;
            assert!(got == pattern(MIB), "the peer received corrupted data");
            socket2::SockRef::from(&peer).set_linger(Some(Duration::ZERO))?;
            drop(peer);
            Ok(())
        });

        let stream = std::sync::Arc::new(stream);
        let reader = edgeio::spawn({
            let stream = stream.clone();
            async move {
                let expected = pattern(FROM_PEER);
                let mut buf = vec![0; 64 * 1024];
                let mut received = 0;
                for _ in 0..100_000 {
                    match (&*stream).read(&mut buf).await {
                        Ok(0) => return (received, None),
                        Ok(n) => {
                            assert!(
                                buf[..n] == expected[received..received + n],
                                "corrupted bytes at {received}"
                            );
                            received += n;
                        }
                        Err(e) => return (received, Some(e)),
                    }
                }
                panic!("the reader never saw the end");
            }
        });
        let writer = edgeio::spawn({
            let stream = stream.clone();
            async move {
                let data = pattern(TO_PEER);
                let mut sent = 0;
                while sent < data.len() {
                    match (&*stream)
                        .write(&data[sent..(sent + 256 * 1024).min(data.len())])
                        .await
                    {
                        Ok(n) => sent += n,
                        Err(e) => return Err((sent, e)),
                    }
                }
                Ok(sent)
            }
        });
        let (received, read_err) = timeout(STEP, reader)
            .await
            .expect("reader hung")
            .expect("reader panicked");
        let write_result = timeout(STEP, writer)
            .await
            .expect("writer hung")
            .expect("writer panicked");
        peer_thread.join().expect("peer panicked").unwrap();

        let (sent, write_err) = write_result.expect_err("16 MiB cannot all fit in the buffers");
        assert!(is_reset_or_pipe(&write_err), "writer: unexpected {write_err:?}");
        assert!(sent >= MIB, "writer stopped before the peer read 1 MiB");
        assert_eq!(received, FROM_PEER, "reader lost data sent before the reset");
        // The kernel reports ECONNRESET once, to whichever call comes first;
        // after that a reader sees end-of-stream and a writer EPIPE.
        let reader_reset = match &read_err {
            Some(e) => {
                assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "reader: {e:?}");
                true
            }
            None => false,
        };
        let writer_reset = write_err.kind() == io::ErrorKind::ConnectionReset;
        assert!(
            reader_reset || writer_reset,
            "nobody saw the reset: {read_err:?} / {write_err:?}"
        );
        println!("round {round}: reader {read_err:?}, writer {write_err:?} after {sent} bytes");
    }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 30)]
async fn reset_while_reading_is_connection_reset() {
    const SENT: usize = 4 * MIB;
    for round in 0..6 {
        // Even rounds: the peer resets right after its last write, while
        // data is still in flight (what it had not sent yet is discarded).
        // Odd rounds: it resets once we have read everything and wait in
        // `read`.
        let wait_for_reader = round % 2 == 1;
        let (mut stream, peer) = std_peer_pair().await.unwrap();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let peer_thread = std::thread::spawn(move || -> io::Result<()> {
            let mut peer = peer;
            peer.write_all(&pattern(SENT))?;
            if wait_for_reader {
                let _ = done_rx.recv_timeout(STEP);
            }
            socket2::SockRef::from(&peer).set_linger(Some(Duration::ZERO))?;
            drop(peer);
            Ok(())
        });
        let expected = pattern(SENT);
        let mut buf = vec![0; 16 * 1024];
        let mut received = 0;
        let mut outcome = None;
        for _ in 0..1_000_000 {
            if received == SENT {
                let _ = done_tx.send(());
            }
            match timeout(STEP, stream.read(&mut buf)).await.expect("read hung") {
                Ok(0) => break,
                Ok(n) => {
                    assert!(received + n <= SENT, "more bytes than the peer sent");
                    assert!(
                        buf[..n] == expected[received..received + n],
                        "corrupted at {received}"
                    );
                    received += n;
                }
                Err(e) => {
                    outcome = Some(e);
                    break;
                }
            }
        }
        peer_thread.join().unwrap().unwrap();
        // With a single reader and no writer, the reset is always reported
        // to the reader, after the bytes that arrived before it.
        let err = outcome.expect("a reset connection read as end-of-stream");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        if wait_for_reader {
            assert_eq!(received, SENT);
        }
        println!("round {round}: reset after {received} bytes");
        // Afterwards the socket reads as closed; it neither errors again
        // nor hangs.
        let n = timeout(STEP, stream.read(&mut buf)).await.unwrap().unwrap();
        assert_eq!(n, 0);
    }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 60)]
async fn half_closed_peer_keeps_receiving() {
    const FROM_PEER: usize = MIB;
    const TO_PEER: usize = 8 * MIB;
    let (mut stream, peer) = std_peer_pair().await.unwrap();
    let peer_thread = std::thread::spawn(move || -> io::Result<Vec<u8>> {
        let mut peer = peer;
        peer.write_all(&pattern(FROM_PEER))?;
        peer.shutdown(Shutdown::Write)?;
        let mut received = Vec::with_capacity(TO_PEER);
        peer.read_to_end(&mut received)?;
        Ok(received)
    });

    let mut received = Vec::new();
    timeout(STEP, stream.read_to_end(&mut received))
        .await
        .unwrap()
        .unwrap();
    assert!(received == pattern(FROM_PEER), "corrupted data before the FIN");
    // End of stream is sticky and immediate.
    let mut buf = [0; 16];
    for _ in 0..3 {
        assert_eq!(timeout(STEP, stream.read(&mut buf)).await.unwrap().unwrap(), 0);
    }

    // Our direction is still open: write several MiB in odd-sized chunks.
    let data = pattern(TO_PEER);
    let mut sent = 0;
    for size in [1, 1000, 65_537, 3 * MIB].iter().cycle().take(10_000) {
        if sent == data.len() {
            break;
        }
        let end = (sent + size).min(data.len());
        timeout(STEP, stream.write_all(&data[sent..end]))
            .await
            .unwrap()
            .unwrap();
        sent = end;
    }
    assert_eq!(sent, TO_PEER);
    stream.close().await.unwrap();
    let got = peer_thread.join().unwrap().unwrap();
    assert_eq!(got.len(), TO_PEER);
    assert!(got == data, "the half-closed peer received corrupted data");
}

/// Counts the bytes the kernel accepted through `poll_write`.
struct Counting<'a> {
    stream: &'a AsyncTcpStream,
    accepted: usize,
}

impl AsyncWrite for Counting<'_> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut &*self.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            self.accepted += n;
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 60)]
async fn peer_that_never_reads_makes_writes_wait() {
    const TOTAL: usize = 64 * MIB;
    let (stream, peer) = std_peer_pair().await.unwrap();
    let data = pattern(TOTAL);
    let mut counting = Counting {
        stream: &stream,
        accepted: 0,
    };
    let started = Instant::now();
    let result = timeout(Duration::from_millis(200), counting.write_all(&data)).await;
    assert!(
        result.is_err(),
        "64 MiB fit into the socket buffers of a peer that never reads"
    );
    let accepted = counting.accepted;
    println!("kernel accepted {accepted} bytes in {:?}", started.elapsed());
    assert!(accepted > 0);
    // Only socket buffers hold the data (ours plus the peer's receive
    // buffer, a few MiB at most): nothing is queued in user space.
    let sndbuf = socket2::SockRef::from(&stream).send_buffer_size().unwrap();
    let rcvbuf = socket2::SockRef::from(&peer).recv_buffer_size().unwrap();
    assert!(
        accepted <= 4 * (sndbuf + rcvbuf) && accepted < 32 * MIB,
        "{accepted} bytes accepted with SO_SNDBUF {sndbuf} and peer SO_RCVBUF {rcvbuf}"
    );

    // A write now waits: `Pending`, and `try_write` says WouldBlock.
    let waker = futures_util::task::noop_waker();
    let polled = Pin::new(&mut &stream).poll_write(&mut Context::from_waker(&waker), &data[..4096]);
    assert!(
        polled.is_pending(),
        "a full socket accepted more data: {polled:?}"
    );
    let err = stream.try_write(&data[..4096]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

    // Once the peer reads, the blocked writer is woken and everything
    // arrives intact.
    let peer_thread = std::thread::spawn(move || -> io::Result<Vec<u8>> {
        let mut peer = peer;
        let mut received = Vec::with_capacity(TOTAL);
        peer.read_to_end(&mut received)?;
        Ok(received)
    });
    let mut counting = Counting {
        stream: &stream,
        accepted,
    };
    timeout(Duration::from_secs(30), counting.write_all(&data[accepted..]))
        .await
        .expect("the writer was not woken once the peer read")
        .unwrap();
    assert_eq!(counting.accepted, TOTAL);
    stream.shutdown(Shutdown::Write).unwrap();
    let received = peer_thread.join().unwrap().unwrap();
    assert_eq!(received.len(), TOTAL);
    assert!(received == data);
}

/// The sockets of this process in state SYN_SENT towards `port` on
/// 127.0.0.1, by inode.
fn syn_sent_sockets_to(port: u16) -> io::Result<Vec<u64>> {
    // Inodes of the sockets in our descriptor table.
    let mut ours = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd")? {
        let Ok(link) = std::fs::read_link(entry?.path()) else {
            continue;
        };
        let link = link.to_string_lossy().into_owned();
        if let Some(inode) = link.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']')) {
            ours.push(inode.parse::<u64>().map_err(io::Error::other)?);
        }
    }
    let remote = format!("0100007F:{port:04X}");
    let table = std::fs::read_to_string("/proc/net/tcp")?;
    Ok(table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            let inode: u64 = fields.get(9)?.parse().ok()?;
            (fields.get(2) == Some(&remote.as_str()) && fields.get(3) == Some(&"02") && ours.contains(&inode))
                .then_some(inode)
        })
        .collect())
}

#[edgeio::test(worker_threads = 2, timeout_secs = 60)]
async fn connect_to_full_backlog_hangs_until_timeout_and_closes() {
    // A listener with backlog 1 that never accepts. Its accept queue holds
    // two connections; after that the kernel drops SYNs (whatever
    // tcp_syncookies says) and a connect hangs in SYN_SENT, retransmitting
    // after 1 s, 3 s, ...
    let listener = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    listener.listen(1).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();

    // Fill the queue with blocking connects until one times out: from then
    // on the queue is certainly full. (A connect whose final ACK overflowed
    // the queue still "succeeds" on the client side, hence the loop.)
    let mut fillers = Vec::new();
    let mut full = false;
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => fillers.push(stream),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                full = true;
                break;
            }
            Err(e) => panic!("unexpected connect error {e:?}"),
        }
    }
    assert!(
        full,
        "the accept queue never filled after {} connects",
        fillers.len()
    );

    // Usually every connect now hangs. Under load the kernel sometimes
    // still completes one (a SYN cookie, or a queue slot freed by a request
    // that timed out), so a round whose connect completes is retried; at
    // least 3 rounds must see a hanging connect.
    let handle = edgeio::Handle::current();
    let baseline = handle.metrics().registered_fds;
    let (mut hung, mut completed) = (0, 0);
    for _ in 0..20 {
        if hung == 3 {
            break;
        }
        let started = Instant::now();
        let connect = edgeio::spawn(timeout(Duration::from_millis(400), AsyncTcpStream::connect(addr)));
        // While the connect is pending, its socket is registered and in
        // SYN_SENT (`connect` is called just before the socket is
        // registered, so wait for both) ...
        let deadline = Instant::now() + STEP;
        let mut pending = false;
        while !connect.is_finished() {
            if handle.metrics().registered_fds == baseline + 1
                && syn_sent_sockets_to(addr.port()).unwrap().len() == 1
            {
                pending = true;
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the connect neither hung nor completed"
            );
            sleep(Duration::from_millis(2)).await;
        }
        let result = timeout(STEP, connect)
            .await
            .unwrap()
            .expect("connect task panicked");
        match result {
            Ok(Ok(stream)) => {
                completed += 1;
                drop(stream);
                assert_eq!(handle.metrics().registered_fds, baseline);
                continue;
            }
            Ok(Err(e)) => panic!("unexpected connect error {e:?}"),
            Err(_elapsed) => {}
        }
        assert!(pending, "the connect timed out without being seen in SYN_SENT");
        assert!(started.elapsed() >= Duration::from_millis(400));
        // ... and once the timeout dropped it, the socket is deregistered
        // and closed (no socket of ours is left in SYN_SENT).
        assert_eq!(handle.metrics().registered_fds, baseline);
        assert_eq!(syn_sent_sockets_to(addr.port()).unwrap(), Vec::<u64>::new());
        hung += 1;
    }
    println!("{hung} connects hung and were cancelled cleanly, {completed} completed");
    assert_eq!(
        hung, 3,
        "connects to a full backlog kept completing ({completed} did)"
    );
    drop((fillers, listener));
}

// ---------------------------------------------------------------------------
// No thread for the blocking pool: the job fails instead of waiting forever.
// ---------------------------------------------------------------------------

/// Set in the child process that runs [`no_blocking_thread_child`].
const NO_THREAD_CHILD: &str = "EDGEIO_FAULTS_NO_THREAD_CHILD";

/// Sets the soft `RLIMIT_AS` (address space) and returns the previous one.
fn set_address_space_limit(bytes: libc::rlim_t) -> libc::rlimit {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `old` is a valid, writable rlimit.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut old) }, 0);
    let new = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: old.rlim_max,
    };
    // SAFETY: `new` is a valid rlimit that outlives the call.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &new) };
    assert_eq!(rc, 0, "setrlimit: {}", io::Error::last_os_error());
    old
}

/// The process's mapped address space (`VmSize`), in bytes.
fn address_space_used() -> libc::rlim_t {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: libc::rlim_t = status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize in /proc/self/status");
    kib * 1024
}

/// When the OS refuses the blocking pool its only thread, the job is
/// cancelled and its handle says so; it used to stay queued, and its
/// handle never resolved. Capping the address space (in a child process:
/// it would break the tests running beside it) keeps a thread stack from
/// being mapped; limits on thread counts do not bind root.
#[test]
fn spawn_blocking_without_a_thread_is_cancelled_not_stuck() {
    let stdout = common::run_in_child("no_blocking_thread_child", NO_THREAD_CHILD);
    println!("{stdout}");
}

#[edgeio::test(worker_threads = 1, timeout_secs = 40)]
#[ignore = "run in a child process by spawn_blocking_without_a_thread_is_cancelled_not_stuck"]
async fn no_blocking_thread_child() {
    if std::env::var_os(NO_THREAD_CHILD).is_none() {
        return;
    }
    // The worker thread maps its signal stack when it starts, which may
    // still be under way: a task it ran means it is done.
    edgeio::spawn(async {}).await.unwrap();
    // Room for small allocations, none for a 2 MiB thread stack.
    let old = set_address_space_limit(address_space_used() + 512 * 1024);
    let outcome = timeout(Duration::from_secs(2), edgeio::spawn_blocking(|| 7)).await;
    set_address_space_limit(old.rlim_cur);
    let err = outcome
        .expect("the job's handle never resolved")
        .expect_err("the job ran without a thread");
    assert!(err.is_cancelled(), "{err:?}");

    // With room again, the pool starts its thread.
    let value = timeout(STEP, edgeio::spawn_blocking(|| 7)).await.unwrap();
    assert_eq!(value.unwrap(), 7);
}
