//! Property test of the reactor: random sequences of operations on a small
//! pool of loopback connections (Unix socketpairs and TCP pairs over
//! 127.0.0.1), checked against a model of what each stream must deliver.
//!
//! Operations: open (re-opening a slot closes the old pair first, so fd
//! numbers and slab slots are reused at once), peer writes N bytes, reads
//! with a timeout (including reads that must time out and are cancelled),
//! writes in the other direction, a read pending in a spawned task that the
//! peer's close must wake, a pending read aborted (dropping its stream
//! while the read is parked), closes and yields.
//!
//! Invariants: every byte a peer writes is read exactly once, in order, by
//! its own stream (each slot's bytes come from a per-slot seeded pattern, so
//! a byte delivered to the wrong stream or twice does not compare equal);
//! `registered_fds` returns to its baseline; no step hangs (each is bounded
//! by `edgeio::time::timeout`, the whole case by a watchdog).
//!
//! `PROPTEST_CASES` overrides the case count (default 64).

use std::io;
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUnixStream};
use edgeio::time::{sleep, timeout};
use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use proptest::prelude::*;

/// Connections in the pool.
const SLOTS: usize = 3;
/// Bound for any step that must complete.
const STEP: Duration = Duration::from_secs(10);
/// Bytes a peer may have written and not yet had read, so its blocking
/// write never waits on a full socket buffer.
const MAX_UNREAD: usize = 48 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

/// Byte `i` of the stream with seed `seed`: a multiplicative hash, not
/// periodic, different per seed.
fn byte(seed: u64, i: u64) -> u8 {
    (i.wrapping_add(seed << 40).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

fn bytes(seed: u64, from: u64, len: usize) -> Vec<u8> {
    (from..from + len as u64).map(|i| byte(seed, i)).collect()
}

#[derive(Clone, Debug)]
enum Op {
    /// (Re-)open a slot as a TCP or Unix pair.
    Open { slot: usize, tcp: bool },
    /// The peer writes `len` bytes.
    PeerWrite { slot: usize, len: usize },
    /// Our stream reads, at most `max` bytes; must get data if any is
    /// unread, must time out (and be cancelled) if none is.
    Read { slot: usize, max: usize },
    /// Our stream writes `len` bytes, the peer reads them all.
    WriteBack { slot: usize, len: usize },
    /// Move our stream into a task that reads until end of file, let it
    /// park, then close the peer: the task must be woken, get every unread
    /// byte, then `Ok(0)`.
    PendingReadPeerClose { slot: usize, delay_ms: u64 },
    /// Move our stream into a task that reads forever, let it park, abort
    /// it: the stream is dropped while its read is pending.
    PendingReadAbort { slot: usize, delay_ms: u64 },
    /// Close both ends.
    Close { slot: usize },
    /// Let the runtime run other things.
    Sleep { ms: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    prop_oneof![
        3 => (slot.clone(), any::<bool>()).prop_map(|(slot, tcp)| Op::Open { slot, tcp }),
        4 => (slot.clone(), prop_oneof![1..64usize, 1..20_000usize])
            .prop_map(|(slot, len)| Op::PeerWrite { slot, len }),
        4 => (slot.clone(), prop_oneof![1..16usize, 1..70_000usize])
            .prop_map(|(slot, max)| Op::Read { slot, max }),
        2 => (slot.clone(), 1..40_000usize).prop_map(|(slot, len)| Op::WriteBack { slot, len }),
        1 => (slot.clone(), 0..3u64).prop_map(|(slot, delay_ms)| Op::PendingReadPeerClose { slot, delay_ms }),
        1 => (slot.clone(), 0..3u64).prop_map(|(slot, delay_ms)| Op::PendingReadAbort { slot, delay_ms }),
        1 => slot.clone().prop_map(|slot| Op::Close { slot }),
        1 => (0..3u64).prop_map(|ms| Op::Sleep { ms }),
    ]
}

/// One open connection and the model of what it must deliver.
struct Pair {
    ours: Box<dyn Io>,
    peer: Box<dyn Io>,
    /// Seed of the peer-to-us byte stream, and of the us-to-peer one (+1).
    seed: u64,
    /// Bytes the peer has written / we have read, peer-to-us.
    written: u64,
    read: u64,
    /// Bytes sent us-to-peer so far.
    sent_back: u64,
}

struct Pool {
    slots: Vec<Option<Pair>>,
    listener: AsyncTcpListener,
    next_seed: u64,
}

fn fail(msg: String) -> io::Error {
    io::Error::other(msg)
}

async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = io::Result<T>>) -> io::Result<T> {
    match timeout(STEP, fut).await {
        Ok(r) => r,
        Err(_) => Err(fail(format!("{what} hung for {STEP:?}"))),
    }
}

impl Pool {
    async fn open(&mut self, slot: usize, tcp: bool) -> io::Result<()> {
        // Close first so the new pair reuses the fd numbers.
        self.slots[slot] = None;
        let (ours, peer): (Box<dyn Io>, Box<dyn Io>) = if tcp {
            let addr = self.listener.local_addr()?;
            let connect = AsyncTcpStream::connect(addr);
            let (client, accepted) = bounded("tcp connect", async {
                let (c, a) = futures_util::join!(connect, self.listener.accept());
                Ok((c?, a?.0))
            })
            .await?;
            (Box::new(client), Box::new(accepted))
        } else {
            let (a, b) = AsyncUnixStream::pair()?;
            (Box::new(a), Box::new(b))
        };
        self.next_seed += 2;
        self.slots[slot] = Some(Pair {
            ours,
            peer,
            seed: self.next_seed,
            written: 0,
            read: 0,
            sent_back: 0,
        });
        Ok(())
    }

    async fn apply(&mut self, op: &Op) -> io::Result<()> {
        match *op {
            Op::Open { slot, tcp } => self.open(slot, tcp).await?,
            Op::PeerWrite { slot, len } => {
                let Some(p) = self.slots[slot].as_mut() else {
                    return Ok(());
                };
                let len = len.min(MAX_UNREAD - (p.written - p.read) as usize);
                if len == 0 {
                    return Ok(());
                }
                let data = bytes(p.seed, p.written, len);
                bounded("peer write", p.peer.write_all(&data)).await?;
                p.written += len as u64;
            }
            Op::Read { slot, max } => {
                let Some(p) = self.slots[slot].as_mut() else {
                    return Ok(());
                };
                let mut buf = vec![0; max];
                if p.written == p.read {
                    // Nothing to read: the read must park and be cancelled
                    // by the timeout without losing anything.
                    match timeout(Duration::from_millis(2), p.ours.read(&mut buf)).await {
                        Err(_) => {}
                        Ok(r) => return Err(fail(format!("read of a drained stream returned {r:?}"))),
                    }
                    return Ok(());
                }
                let n = bounded("read", p.ours.read(&mut buf)).await?;
                if n == 0 || n as u64 > p.written - p.read {
                    return Err(fail(format!("read {n} bytes with {} unread", p.written - p.read)));
                }
                if buf[..n] != bytes(p.seed, p.read, n)[..] {
                    return Err(fail(format!("wrong bytes at offset {} (+{n})", p.read)));
                }
                p.read += n as u64;
            }
            Op::WriteBack { slot, len } => {
                let Some(p) = self.slots[slot].as_mut() else {
                    return Ok(());
                };
                let data = bytes(p.seed + 1, p.sent_back, len);
                let mut got = vec![0; len];
                // Both at once: `len` may exceed the socket buffers.
                let (w, r) = futures_util::join!(p.ours.write_all(&data), p.peer.read_exact(&mut got));
                bounded("write back", async { w.and(r) }).await?;
                if got != data {
                    return Err(fail(format!("peer got wrong bytes at offset {}", p.sent_back)));
                }
                p.sent_back += len as u64;
            }
            Op::PendingReadPeerClose { slot, delay_ms } => {
                let Some(p) = self.slots[slot].take() else {
                    return Ok(());
                };
                let Pair {
                    mut ours,
                    peer,
                    seed,
                    written,
                    read,
                    ..
                } = p;
                let reader = edgeio::spawn(async move {
                    let mut got = Vec::new();
                    let mut buf = vec![0; 8192];
                    loop {
                        let n = ours.read(&mut buf).await?;
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    let want = bytes(seed, read, (written - read) as usize);
                    if got != want {
                        return Err(fail(format!(
                            "pending reader got {} bytes, want {}",
                            got.len(),
                            want.len()
                        )));
                    }
                    Ok(())
                });
                sleep(Duration::from_millis(delay_ms)).await;
                drop(peer);
                match timeout(STEP, reader).await {
                    Ok(Ok(r)) => r?,
                    Ok(Err(e)) => return Err(fail(format!("pending reader failed: {e}"))),
                    Err(_) => return Err(fail("peer close did not wake the pending reader".into())),
                }
            }
            Op::PendingReadAbort { slot, delay_ms } => {
                let Some(p) = self.slots[slot].take() else {
                    return Ok(());
                };
                let Pair { mut ours, peer, .. } = p;
                let reader = edgeio::spawn(async move {
                    let mut buf = vec![0; 8192];
                    while ours.read(&mut buf).await? != 0 {}
                    Err::<(), _>(fail("reader saw end of file with the peer open".into()))
                });
                sleep(Duration::from_millis(delay_ms)).await;
                reader.abort();
                match timeout(STEP, reader).await {
                    Ok(Err(e)) if e.is_cancelled() => {}
                    Ok(other) => return Err(fail(format!("aborted reader ended with {other:?}"))),
                    Err(_) => return Err(fail("aborted reader never finished".into())),
                }
                drop(peer);
            }
            Op::Close { slot } => self.slots[slot] = None,
            Op::Sleep { ms } => sleep(Duration::from_millis(ms)).await,
        }
        Ok(())
    }
}

/// Runs one case on a fresh two-worker runtime under a watchdog.
fn run_case(ops: Vec<Op>) -> Result<(), String> {
    edgeio::__private::run_test(Some(2), Duration::from_secs(60), move || async move {
        let handle = edgeio::Handle::current();
        let baseline = handle.metrics().registered_fds;
        let listener = AsyncTcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let mut pool = Pool {
            slots: (0..SLOTS).map(|_| None).collect(),
            listener,
            next_seed: 0,
        };
        for (i, op) in ops.iter().enumerate() {
            pool.apply(op)
                .await
                .map_err(|e| format!("step {i} {op:?}: {e}"))?;
        }
        // Every slot still open: its unread bytes must all arrive in order.
        for slot in 0..SLOTS {
            if let Some(p) = pool.slots[slot].as_mut() {
                let mut rest = vec![0; (p.written - p.read) as usize];
                bounded("final drain", p.ours.read_exact(&mut rest))
                    .await
                    .map_err(|e| format!("slot {slot}: {e}"))?;
                if rest != bytes(p.seed, p.read, rest.len()) {
                    return Err(format!("slot {slot}: wrong bytes in final drain"));
                }
            }
        }
        drop(pool);
        // Aborted tasks drop their futures on a worker: allow a moment.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = handle.metrics().registered_fds;
            if now == baseline {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "registered_fds {now}, baseline {baseline}: leaked registrations"
                ));
            }
            sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64),
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn reactor_keeps_every_byte_and_frees_every_registration(
        ops in proptest::collection::vec(op(), 1..40)
    ) {
        run_case(ops).map_err(TestCaseError::fail)?;
    }
}
