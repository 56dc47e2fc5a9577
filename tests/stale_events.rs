//! Stale events and fd-number reuse (ABA) under stress: with two workers,
//! many tasks connect, talk, drop their streams mid-read (some with a
//! reset) and connect again at once, so fd numbers and registry slots are
//! reused while events for their previous owners are still in flight on
//! the other worker.
//!
//! - No wrong wake: every read returns exactly the bytes its own peer wrote
//!   (replies are derived from a per-connection tag), and a waker left
//!   behind by a dropped stream is never woken by its successor's events.
//! - No lost wake: every read that waits for data completes once the data
//!   is sent (bounded by a timeout).

use std::collections::HashSet;
use std::io;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::{sleep, timeout};
use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Bound for one read or write that must complete.
const STEP: Duration = Duration::from_secs(5);
const REPLY_LEN: usize = 64;

/// What the client asks of the server handling its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Reply after a few yields; the client reads the whole reply.
    Reply,
    /// Never write; the client polls a read once and drops the stream.
    Silent,
    /// Reply in two halves; the client drops after the first 8 bytes.
    DropMidRead,
}

impl Mode {
    fn of(byte: u8) -> Mode {
        match byte {
            0 => Mode::Reply,
            1 => Mode::Silent,
            _ => Mode::DropMidRead,
        }
    }
}

/// The reply for connection `tag`: no two tags share one.
fn reply(tag: u64) -> [u8; REPLY_LEN] {
    let mut out = [0; REPLY_LEN];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let word = tag.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(i as u32 * 7) ^ i as u64;
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// A waker that only counts: it belongs to a stream that is gone, so any
/// wake is a wrong one.
#[derive(Default)]
struct StaleWaker {
    wakes: AtomicUsize,
}

impl Wake for StaleWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

async fn serve(mut stream: AsyncTcpStream, live: Arc<AtomicUsize>) {
    let result: io::Result<()> = async {
        let mut header = [0; 9];
        timeout(STEP, stream.read_exact(&mut header)).await??;
        let tag = u64::from_le_bytes(header[..8].try_into().unwrap());
        let mode = Mode::of(header[8]);
        let reply = reply(tag);
        match mode {
            Mode::Reply => {
                // Let the client park in `read` first (usually).
                for _ in 0..(tag % 4) {
                    edgeio::yield_now().await;
                }
                stream.write_all(&reply).await?;
            }
            Mode::Silent => {}
            Mode::DropMidRead => {
                stream.write_all(&reply[..8]).await?;
                edgeio::yield_now().await;
                stream.write_all(&reply[8..]).await?;
            }
        }
        // Until the client goes (end of stream or reset).
        let mut buf = [0; 64];
        while timeout(STEP, stream.read(&mut buf)).await?? > 0 {}
        Ok(())
    }
    .await;
    // Resets and broken pipes are expected when the client drops early.
    let _ = result;
    live.fetch_sub(1, Ordering::SeqCst);
}

/// One client connection in `mode`; returns the stream's fd number.
async fn client_round(
    addr: std::net::SocketAddr,
    tag: u64,
    mode: Mode,
    stale: &Mutex<Vec<Arc<StaleWaker>>>,
) -> io::Result<i32> {
    let mut stream = timeout(STEP, AsyncTcpStream::connect(addr)).await??;
    let fd = stream.as_raw_fd();
    let mut header = [0; 9];
    header[..8].copy_from_slice(&tag.to_le_bytes());
    header[8] = mode as u8;
    stream.write_all(&header).await?;
    let expected = reply(tag);
    match mode {
        Mode::Reply => {
            let mut got = [0; REPLY_LEN];
            timeout(STEP, stream.read_exact(&mut got))
                .await
                .unwrap_or_else(|_| panic!("lost wake: reply for tag {tag:#x} never read"))?;
            assert_eq!(got, expected, "wrong data for tag {tag:#x}");
        }
        Mode::Silent => {
            // Park a counting waker in the reactor, then drop the stream
            // with it stored: the server never writes, so nothing may ever
            // wake it; the next connection likely gets this fd number.
            let waker = Arc::new(StaleWaker::default());
            let mut buf = [0; 8];
            let polled = Pin::new(&mut stream)
                .poll_read(&mut Context::from_waker(&Waker::from(waker.clone())), &mut buf);
            assert!(polled.is_pending(), "silent server sent data: {polled:?}");
            stale.lock().unwrap().push(waker);
            if tag % 2 == 0 {
                // Reset instead of FIN: the server side sees an error event.
                socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
            }
        }
        Mode::DropMidRead => {
            let mut got = [0; 8];
            timeout(STEP, stream.read_exact(&mut got))
                .await
                .unwrap_or_else(|_| panic!("lost wake: first half for tag {tag:#x} never read"))?;
            assert_eq!(got, expected[..8], "wrong data for tag {tag:#x}");
            // Start reading the rest, then drop mid-read (the task's waker
            // may be stored in the reactor right now).
            let mut rest = [0; REPLY_LEN - 8];
            let _ = timeout(Duration::from_micros(50), stream.read(&mut rest)).await;
        }
    }
    drop(stream);
    Ok(fd)
}

#[edgeio::test(worker_threads = 2, timeout_secs = 120)]
async fn fd_reuse_under_load_causes_no_wrong_or_lost_wakes() {
    const CLIENTS: u64 = 16;
    const ROUNDS: u64 = 250;
    const BUDGET: Duration = Duration::from_secs(30);

    let handle = edgeio::Handle::current();
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let baseline = handle.metrics().registered_fds;

    let live = Arc::new(AtomicUsize::new(0));
    let accept_loop = edgeio::spawn({
        let live = live.clone();
        async move {
            for _ in 0..CLIENTS * ROUNDS {
                let (stream, _) = listener.accept().await.expect("accept failed");
                live.fetch_add(1, Ordering::SeqCst);
                edgeio::spawn(serve(stream, live.clone())).detach();
            }
        }
    });

    let stale = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let stale = stale.clone();
            edgeio::spawn(async move {
                let mut fds = Vec::new();
                for round in 0..ROUNDS {
                    assert!(
                        started.elapsed() < BUDGET,
                        "too slow: client {c} at round {round}"
                    );
                    let tag = (c << 32) | round;
                    let mode = match (c + round) % 3 {
                        0 => Mode::Reply,
                        1 => Mode::Silent,
                        _ => Mode::DropMidRead,
                    };
                    fds.push(client_round(addr, tag, mode, &stale).await.unwrap());
                }
                fds
            })
        })
        .collect();
    let mut fds = HashSet::new();
    let mut total = 0;
    for client in clients {
        let used = timeout(BUDGET, client)
            .await
            .expect("clients hung")
            .expect("client panicked");
        total += used.len();
        fds.extend(used);
    }
    timeout(STEP, accept_loop).await.unwrap().unwrap();
    let elapsed = started.elapsed();

    // Every server task ends once its client is gone.
    let deadline = Instant::now() + STEP;
    while live.load(Ordering::SeqCst) > 0 {
        assert!(
            Instant::now() < deadline,
            "{} server tasks never saw their client go",
            live.load(Ordering::SeqCst)
        );
        sleep(Duration::from_millis(5)).await;
    }
    // Give stray wakes every chance to land, then count them.
    sleep(Duration::from_millis(50)).await;
    let stale = stale.lock().unwrap();
    let wrong: usize = stale.iter().map(|w| w.wakes.load(Ordering::SeqCst)).sum();
    println!(
        "{total} connections in {elapsed:?} over {} distinct fd numbers; {} stale wakers, {wrong} woken",
        fds.len(),
        stale.len()
    );
    assert_eq!(total as u64, CLIENTS * ROUNDS);
    assert!(
        fds.len() * 4 < total,
        "fd numbers were hardly reused ({} distinct)",
        fds.len()
    );
    assert_eq!(
        wrong, 0,
        "wakers of dropped streams were woken by their successors' events"
    );
    // Every registration is gone (the listener went with the accept loop).
    assert_eq!(handle.metrics().registered_fds, baseline - 1);
}

/// The same churn across two listeners and with both ends on edgeio, so
/// both the connecting and the accepting side drop and reuse fds while the
/// other worker dispatches their events.
#[edgeio::test(worker_threads = 2, timeout_secs = 120)]
async fn both_ends_churning_keep_their_own_data() {
    const PAIRS: usize = 8;
    const ROUNDS: usize = 300;
    let handle = edgeio::Handle::current();
    let baseline = handle.metrics().registered_fds;
    let started = Instant::now();
    let tasks: Vec<_> = (0..PAIRS)
        .map(|p| {
            edgeio::spawn(async move {
                let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
                let addr = listener.local_addr()?;
                for round in 0..ROUNDS {
                    let tag = ((p as u64) << 32) | round as u64;
                    let (client, accepted) =
                        futures_util::join!(AsyncTcpStream::connect(addr), timeout(STEP, listener.accept()));
                    let (mut client, (mut server, _)) = (client?, accepted??);
                    // The server's read waits (usually) on another worker
                    // while the client writes.
                    let reader = edgeio::spawn(async move {
                        let mut got = [0; REPLY_LEN];
                        let read = timeout(STEP, server.read_exact(&mut got)).await;
                        (read, got, server)
                    });
                    edgeio::yield_now().await;
                    client.write_all(&reply(tag)).await?;
                    let (read, got, server) = timeout(STEP, reader).await?.expect("reader panicked");
                    read.unwrap_or_else(|_| panic!("lost wake for tag {tag:#x}"))?;
                    assert_eq!(got, reply(tag), "wrong data for tag {tag:#x}");
                    // Alternate which side goes first, and how.
                    if round % 2 == 0 {
                        socket2::SockRef::from(&client).set_linger(Some(Duration::ZERO))?;
                        drop(client);
                        drop(server);
                    } else {
                        drop(server);
                        drop(client);
                    }
                }
                io::Result::Ok(())
            })
        })
        .collect();
    for task in tasks {
        timeout(Duration::from_secs(60), task)
            .await
            .expect("pair hung")
            .expect("pair panicked")
            .unwrap();
    }
    println!("{} connections in {:?}", PAIRS * ROUNDS, started.elapsed());
    assert_eq!(handle.metrics().registered_fds, baseline);
}
