//! Panics in tasks, in wakers' owners and in `Drop`, while an echo
//! workload keeps running: the runtime contains every one of them, frees
//! the panicking task's sockets, and `Runtime::block_on` re-raises only the
//! panic of its own future.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::{sleep, timeout};
use edgeio::{JoinHandle, Runtime};
use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

const STEP: Duration = Duration::from_secs(10);

/// An echo server plus a client that keeps doing round trips in the
/// background, counting them, until stopped.
struct EchoLoad {
    addr: SocketAddr,
    round_trips: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    client: JoinHandle<io::Result<()>>,
    _server: JoinHandle<()>,
}

impl EchoLoad {
    fn start() -> EchoLoad {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = edgeio::spawn(async move {
            for _ in 0..10_000 {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                edgeio::spawn(async move {
                    let mut buf = [0; 4096];
                    while let Ok(n @ 1..) = stream.read(&mut buf).await {
                        if stream.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                })
                .detach();
            }
        });
        let round_trips = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let client = edgeio::spawn({
            let (round_trips, stop) = (round_trips.clone(), stop.clone());
            async move {
                let mut stream = AsyncTcpStream::connect(addr).await?;
                for i in 0u64..10_000_000 {
                    if stop.load(Ordering::SeqCst) {
                        return Ok(());
                    }
                    let msg = i.to_le_bytes();
                    stream.write_all(&msg).await?;
                    let mut got = [0; 8];
                    timeout(STEP, stream.read_exact(&mut got)).await??;
                    assert_eq!(got, msg);
                    round_trips.fetch_add(1, Ordering::SeqCst);
                }
                Ok(())
            }
        });
        EchoLoad {
            addr,
            round_trips,
            stop,
            client,
            _server: server,
        }
    }

    /// Asserts that the background client makes progress, and that a
    /// fresh connection is served too.
    async fn assert_serving(&self, after: &str) {
        let before = self.round_trips.load(Ordering::SeqCst);
        let deadline = Instant::now() + STEP;
        while self.round_trips.load(Ordering::SeqCst) < before + 10 {
            assert!(!self.client.is_finished(), "echo client ended after {after}");
            assert!(Instant::now() < deadline, "echo stalled after {after}");
            sleep(Duration::from_millis(1)).await;
        }
        let mut stream = timeout(STEP, AsyncTcpStream::connect(self.addr))
            .await
            .unwrap()
            .unwrap();
        stream.write_all(after.as_bytes()).await.unwrap();
        let mut got = vec![0; after.len()];
        timeout(STEP, stream.read_exact(&mut got)).await.unwrap().unwrap();
        assert_eq!(got, after.as_bytes());
    }

    async fn finish(self) {
        self.stop.store(true, Ordering::SeqCst);
        timeout(STEP, self.client)
            .await
            .unwrap()
            .expect("echo client panicked")
            .unwrap();
        println!("{} echo round trips", self.round_trips.load(Ordering::SeqCst));
    }
}

/// Wakes the stored waker from its `Drop`, then panics.
struct WakeThenPanicOnDrop {
    slot: Arc<Mutex<Option<Waker>>>,
}

impl Drop for WakeThenPanicOnDrop {
    fn drop(&mut self) {
        if let Some(waker) = self.slot.lock().unwrap().take() {
            waker.wake();
        }
        panic!("drop of a waker holder panics (expected)");
    }
}

/// Completes once its waker has been woken; stores the waker in `slot`.
struct WaitForWake {
    slot: Arc<Mutex<Option<Waker>>>,
    polls: usize,
}

impl Future for WaitForWake {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        if self.polls > 1 && self.slot.lock().unwrap().is_none() {
            return Poll::Ready(self.polls);
        }
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A future that is ready (or pending forever) and panics when dropped.
struct PanicOnDrop {
    ready: bool,
    dropped: Arc<AtomicUsize>,
}

impl Future for PanicOnDrop {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        if self.ready {
            Poll::Ready(7)
        } else {
            Poll::Pending
        }
    }
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
        panic!("future's Drop panics (expected)");
    }
}

/// A task output whose `Drop` panics.
struct PanickyOutput(Arc<AtomicUsize>);

impl Drop for PanickyOutput {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("output's Drop panics (expected)");
    }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 60)]
async fn runtime_survives_panics_while_serving_echo() {
    let load = EchoLoad::start();
    load.assert_serving("start").await;

    // 1. Panicking tasks, awaited and detached.
    for i in 0..20 {
        let handle = edgeio::spawn(async move {
            edgeio::yield_now().await;
            panic!("task {i} panics (expected)");
        });
        if i % 2 == 0 {
            let err = timeout(STEP, handle)
                .await
                .unwrap()
                .expect_err("the task panicked");
            assert!(err.is_panic());
            assert!(err.to_string().contains("panics (expected)"), "{err}");
        } else {
            handle.detach();
        }
    }
    load.assert_serving("panicking tasks").await;

    // 2. A waker holder whose Drop wakes the stored waker and panics: in
    //    a task that completes, and in one that is aborted.
    for abort in [false, true] {
        let slot = Arc::new(Mutex::new(None));
        let waiter = edgeio::spawn(WaitForWake {
            slot: slot.clone(),
            polls: 0,
        });
        let deadline = Instant::now() + STEP;
        while slot.lock().unwrap().is_none() {
            assert!(Instant::now() < deadline);
            sleep(Duration::from_millis(1)).await;
        }
        let holder = WakeThenPanicOnDrop { slot: slot.clone() };
        let holding = edgeio::spawn(async move {
            let _holder = holder;
            if abort {
                std::future::pending::<()>().await;
            }
            edgeio::yield_now().await;
        });
        if abort {
            sleep(Duration::from_millis(5)).await;
            holding.abort();
            // As in tokio, the panic of the aborted future's drop is the
            // task's outcome.
            assert!(timeout(STEP, holding).await.unwrap().unwrap_err().is_panic());
        } else {
            // The panic happens inside the task's poll: its result.
            assert!(timeout(STEP, holding).await.unwrap().unwrap_err().is_panic());
        }
        let polls = timeout(STEP, waiter)
            .await
            .expect("the waker woken in a panicking Drop was lost");
        assert!(polls.unwrap() >= 2);
        load.assert_serving(if abort {
            "waker holder aborted"
        } else {
            "waker holder"
        })
        .await;
    }

    // 3. A future whose own Drop panics: on completion and on abort; and a
    //    detached task whose output's Drop panics.
    let dropped = Arc::new(AtomicUsize::new(0));
    let done = edgeio::spawn(PanicOnDrop {
        ready: true,
        dropped: dropped.clone(),
    });
    assert_eq!(timeout(STEP, done).await.unwrap().unwrap(), 7);
    let stuck = edgeio::spawn(PanicOnDrop {
        ready: false,
        dropped: dropped.clone(),
    });
    sleep(Duration::from_millis(5)).await;
    stuck.abort();
    // As in tokio, the panic of the aborted future's drop is the task's
    // outcome: the handle resolves once a worker has dropped the future.
    assert!(timeout(STEP, stuck).await.unwrap().unwrap_err().is_panic());
    let deadline = Instant::now() + STEP;
    while dropped.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "the aborted future was never dropped");
        sleep(Duration::from_millis(1)).await;
    }
    let outputs = Arc::new(AtomicUsize::new(0));
    for _ in 0..5 {
        let outputs = outputs.clone();
        edgeio::spawn(async move { PanickyOutput(outputs) }).detach();
    }
    let deadline = Instant::now() + STEP;
    while outputs.load(Ordering::SeqCst) < 5 {
        assert!(Instant::now() < deadline, "detached outputs were never dropped");
        sleep(Duration::from_millis(1)).await;
    }
    load.assert_serving("panicking Drop").await;

    // 4. A task that panics while holding a registered socket (with a read
    //    pending on it from a sub-future): the socket is deregistered and
    //    closed, so the peer sees end-of-stream.
    let handle = edgeio::Handle::current();
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    // Registered now: the echo listener, the echo client's stream and its
    // server side, and `listener`, once the connections `assert_serving`
    // made are closed on both ends.
    let baseline = 4;
    let deadline = Instant::now() + STEP;
    while handle.metrics().registered_fds != baseline {
        assert!(
            Instant::now() < deadline,
            "{} fds registered",
            handle.metrics().registered_fds
        );
        sleep(Duration::from_millis(1)).await;
    }
    for _ in 0..10 {
        let mut peer = timeout(STEP, AsyncTcpStream::connect(listener.local_addr().unwrap()))
            .await
            .unwrap()
            .unwrap();
        let (mut stream, _) = timeout(STEP, listener.accept()).await.unwrap().unwrap();
        assert_eq!(handle.metrics().registered_fds, baseline + 2);
        let task = edgeio::spawn(async move {
            let mut buf = [0; 8];
            let read = timeout(Duration::from_millis(5), stream.read(&mut buf)).await;
            assert!(read.is_err(), "nothing was sent");
            panic!("panic while holding a socket (expected)");
        });
        assert!(timeout(STEP, task).await.unwrap().unwrap_err().is_panic());
        assert_eq!(
            handle.metrics().registered_fds,
            baseline + 1,
            "the socket is still registered"
        );
        let mut buf = [0; 8];
        let n = timeout(STEP, peer.read(&mut buf))
            .await
            .expect("peer never saw the close")
            .unwrap();
        assert_eq!(n, 0);
    }
    load.assert_serving("panic holding a socket").await;
    load.finish().await;
}

#[test]
fn block_on_reraises_only_its_own_panic() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    // On a thread of its own, so the watchdog below bounds it.
    std::thread::spawn(move || {
        let runtime = edgeio::Builder::new().worker_threads(2).build().unwrap();
        // Other tasks' panics do not reach block_on.
        let value = runtime.block_on(async {
            for i in 0..10 {
                edgeio::spawn(async move { panic!("detached task {i} (expected)") }).detach();
            }
            let handle = edgeio::spawn(async { panic!("awaited task (expected)") });
            assert!(handle.await.unwrap_err().is_panic());
            edgeio::spawn(async {
                sleep(Duration::from_millis(20)).await;
                panic!("late task (expected)");
            })
            .detach();
            sleep(Duration::from_millis(50)).await;
            42
        });
        assert_eq!(value, 42);

        // Its own future's panic comes back with the original payload ...
        let caught = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(async {
                edgeio::yield_now().await;
                std::panic::panic_any(String::from("block_on's own panic"));
            })
        }));
        let payload = caught.expect_err("block_on swallowed its future's panic");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("block_on's own panic")
        );

        // ... and the runtime still works afterwards, sockets included.
        let echoed = runtime.block_on(async {
            let load = EchoLoad::start();
            load.assert_serving("after block_on panicked").await;
            load.finish().await;
            7
        });
        assert_eq!(echoed, 7);
        let _ = done_tx.send(Runtime::metrics(&runtime).workers);
    });
    let workers = done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("block_on test failed or timed out");
    assert_eq!(workers, 2);
}

/// A waker whose `wake` panics.
struct PanickingWaker;

impl std::task::Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("Waker::wake panics (expected)");
    }
}

/// A task leaves a waker whose `wake` panics in the reactor (a misbehaving
/// custom waker); the reactor calls it when data arrives. The worker that
/// drives the reactor must survive, and the other wakers collected in the
/// same batch must still be called.
#[edgeio::test(worker_threads = 1, timeout_secs = 20)]
async fn panicking_waker_called_by_reactor_does_not_kill_the_worker() {
    let load = EchoLoad::start();
    load.assert_serving("start").await;
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = AsyncTcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (mut stream, _) = listener.accept().await.unwrap();
    let waker = Waker::from(Arc::new(PanickingWaker));
    let mut buf = [0; 8];
    let polled = Pin::new(&mut stream).poll_read(&mut Context::from_waker(&waker), &mut buf);
    assert!(polled.is_pending());
    peer.write_all(b"wake").await.unwrap();
    load.assert_serving("a panicking Waker::wake").await;
    load.finish().await;
    drop(stream);
}
