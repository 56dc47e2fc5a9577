//! `edgeio::hyper::serve` (feature `hyper`): graceful shutdown with
//! requests in flight on HTTP/1 and HTTP/2, Unix listeners, accept errors,
//! and hyper's timeouts on `edgeio::hyper::Timer`.

mod common;
#[path = "common/temp_dir.rs"]
mod temp_dir;

use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use edgeio::hyper::{serve, Executor, HyperToTowerService, Io, Timer};
use edgeio::net::{AsyncTcpListener, AsyncTcpStream, AsyncUnixListener, AsyncUnixStream};
use edgeio::time::sleep;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::rt::Executor as _;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};

/// A one-shot signal: `fire` completes every `wait`.
#[derive(Clone, Default)]
struct Trigger(Arc<Mutex<(bool, Vec<Waker>)>>);

impl Trigger {
    fn fire(&self) {
        let mut state = self.0.lock().unwrap();
        state.0 = true;
        state.1.drain(..).for_each(Waker::wake);
    }

    fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let trigger = self.clone();
        std::future::poll_fn(move |cx: &mut Context<'_>| {
            let mut state = trigger.0.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            state.1.push(cx.waker().clone());
            Poll::Pending
        })
    }
}

/// `/slow` answers after `SLOW`, counting arrivals in `started`;
/// anything else at once.
const SLOW: Duration = Duration::from_millis(300);

fn app(
    started: Arc<AtomicUsize>,
) -> HyperToTowerService<
    impl hyper::service::Service<
            Request<Incoming>,
            Response = Response<Full<Bytes>>,
            Error = Infallible,
            Future = impl Future + Send,
        > + Clone
        + Send,
> {
    HyperToTowerService::new(service_fn(move |req: Request<Incoming>| {
        let started = started.clone();
        async move {
            if req.uri().path() == "/slow" {
                started.fetch_add(1, Ordering::SeqCst);
                sleep(SLOW).await;
            }
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(req.uri().path().to_owned()))))
        }
    }))
}

/// Polls `condition` every 5 ms, for at most 10 s.
async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        sleep(Duration::from_millis(5)).await;
    }
}

async fn get(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    path: &str,
) -> (StatusCode, Bytes) {
    sender.ready().await.expect("connection ready");
    let req = Request::get(path)
        .header("host", "test")
        .body(Empty::new())
        .unwrap();
    let resp = sender.send_request(req).await.expect("http1 request");
    let status = resp.status();
    (status, resp.into_body().collect().await.expect("body").to_bytes())
}

/// After the signal: the listener is closed at once, idle connections
/// are closed, requests in flight (HTTP/1 and HTTP/2) complete, and the
/// server's future completes when the last connection is gone.
#[edgeio::test(timeout_secs = 30)]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let trigger = Trigger::default();
    let server = edgeio::spawn(serve(listener, app(started.clone())).with_graceful_shutdown(trigger.wait()));

    // An idle keep-alive connection.
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let (mut idle, idle_conn) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .unwrap();
    let idle_conn = edgeio::spawn(idle_conn);
    assert_eq!(
        get(&mut idle, "/fast").await,
        (StatusCode::OK, Bytes::from("/fast"))
    );

    // An HTTP/1 request in flight.
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let (mut h1, h1_conn) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .unwrap();
    Executor.execute(async move {
        let _ = h1_conn.await;
    });
    let h1_request = edgeio::spawn(async move { get(&mut h1, "/slow").await });

    // An HTTP/2 connection with two streams in flight.
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let (h2, h2_conn) = hyper::client::conn::http2::Builder::new(Executor)
        .timer(Timer)
        .handshake::<_, Empty<Bytes>>(Io::new(stream))
        .await
        .unwrap();
    Executor.execute(async move {
        let _ = h2_conn.await;
    });
    let h2_requests: Vec<_> = (0..2)
        .map(|_| {
            let mut h2 = h2.clone();
            edgeio::spawn(async move {
                let req = Request::get(format!("http://{addr}/slow"))
                    .body(Empty::new())
                    .unwrap();
                let resp = h2.send_request(req).await.expect("http2 request");
                let status = resp.status();
                (status, resp.into_body().collect().await.expect("body").to_bytes())
            })
        })
        .collect();

    wait_until("the slow requests to start", || {
        started.load(Ordering::SeqCst) == 3
    })
    .await;
    trigger.fire();

    // New connections are refused once the server has seen the signal.
    wait_until("the listener to close", || {
        std::net::TcpStream::connect(addr).is_err()
    })
    .await;
    // The idle connection is closed by the server.
    edgeio::time::timeout(Duration::from_secs(10), idle_conn)
        .await
        .expect("idle connection not closed")
        .unwrap()
        .unwrap();
    // The requests in flight complete.
    assert_eq!(h1_request.await.unwrap(), (StatusCode::OK, Bytes::from("/slow")));
    for request in h2_requests {
        assert_eq!(request.await.unwrap(), (StatusCode::OK, Bytes::from("/slow")));
    }
    drop(h2);
    edgeio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("server did not finish")
        .unwrap()
        .unwrap();
}

/// Dropping a graceful server's future (aborting its task) closes the
/// listener and asks the connections to finish: an idle one closes.
#[edgeio::test(timeout_secs = 30)]
async fn dropping_the_server_closes_idle_connections() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let server = edgeio::spawn(serve(listener, app(started)).with_graceful_shutdown(std::future::pending()));
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let (mut idle, idle_conn) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .unwrap();
    let idle_conn = edgeio::spawn(idle_conn);
    assert_eq!(
        get(&mut idle, "/fast").await,
        (StatusCode::OK, Bytes::from("/fast"))
    );

    server.abort();
    assert!(server.await.unwrap_err().is_cancelled());
    wait_until("the listener to close", || {
        std::net::TcpStream::connect(addr).is_err()
    })
    .await;
    edgeio::time::timeout(Duration::from_secs(10), idle_conn)
        .await
        .expect("idle connection not closed")
        .unwrap()
        .unwrap();
}

/// A signal that is already complete: nothing is accepted, and the
/// future completes at once.
#[edgeio::test(timeout_secs = 30)]
async fn shutdown_before_start() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    serve(listener, app(started))
        .with_graceful_shutdown(async {})
        .await
        .unwrap();
}

#[edgeio::test(timeout_secs = 30)]
async fn serves_on_a_unix_listener() {
    let dir = temp_dir::TempDir::new().unwrap();
    let path = dir.join("http.sock");
    let listener = AsyncUnixListener::bind(&path).unwrap();
    let trigger = Trigger::default();
    let server = edgeio::spawn(
        serve(listener, app(Arc::new(AtomicUsize::new(0)))).with_graceful_shutdown(trigger.wait()),
    );
    let stream = AsyncUnixStream::connect(&path).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .unwrap();
    let conn = edgeio::spawn(conn);
    for i in 0..10 {
        let path = format!("/{i}");
        assert_eq!(get(&mut sender, &path).await, (StatusCode::OK, Bytes::from(path)));
    }
    trigger.fire();
    conn.await.unwrap().unwrap();
    server.await.unwrap().unwrap();
}

/// `Timer` drives hyper's HTTP/1 header read timeout: a client that
/// sends nothing is disconnected.
#[edgeio::test(timeout_secs = 30)]
async fn header_read_timeout_closes_silent_connections() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(Timer)
            .header_read_timeout(Duration::from_millis(100));
        let service = service_fn(|_req: Request<Incoming>| async {
            Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
        });
        let _ = builder.serve_connection(Io::new(stream), service).await;
    })
    .detach();
    let start = Instant::now();
    let closed = edgeio::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).map(|_| buf)
    })
    .await
    .unwrap();
    // hyper answers 408 (or just closes); either way the connection ends.
    let response = closed.expect("connection not closed by the timeout");
    assert!(
        response.is_empty() || response.starts_with(b"HTTP/1.1 408"),
        "{response:?}"
    );
    assert!(start.elapsed() >= Duration::from_millis(100));
}

/// `Timer::reset` moves a sleep, whether it came from this timer or not.
#[edgeio::test(timeout_secs = 30)]
async fn timer_reset() {
    use hyper::rt::Timer as _;

    let mut ours = Timer.sleep(Duration::from_secs(3600));
    Timer.reset(&mut ours, Instant::now() + Duration::from_millis(20));
    ours.await;

    struct Foreign(Pin<Box<dyn hyper::rt::Sleep>>);
    impl Future for Foreign {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.0.as_mut().poll(cx)
        }
    }
    impl hyper::rt::Sleep for Foreign {}
    let mut foreign: Pin<Box<dyn hyper::rt::Sleep>> =
        Box::pin(Foreign(Timer.sleep(Duration::from_secs(3600))));
    Timer.reset(&mut foreign, Instant::now() + Duration::from_millis(20));
    foreign.await;
}

/// Out of descriptors, the server neither ends nor spins, and serves the
/// waiting connection once descriptors are free again. Runs in a child
/// process: it lowers the process's descriptor limit.
#[test]
fn accept_out_of_descriptors() {
    common::run_in_child("out_of_descriptors_child", "EDGEIO_HYPER_EMFILE_CHILD");
}

#[test]
#[ignore = "run by accept_out_of_descriptors in a child process"]
fn out_of_descriptors_child() {
    if std::env::var_os("EDGEIO_HYPER_EMFILE_CHILD").is_none() {
        return;
    }
    edgeio::block_on(async {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = edgeio::spawn(serve(listener, app(Arc::new(AtomicUsize::new(0)))));
        // Warm up: a first request, so every lazily made resource exists.
        edgeio::spawn_blocking(move || request(addr)).await.unwrap();

        // Lower the limit near the descriptors in use, fill the rest, and
        // free one for the client's socket.
        let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
        let limit = libc::rlimit {
            rlim_cur: open + 16,
            rlim_max: libc::RLIM_INFINITY,
        };
        let mut old = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain calls with valid pointers to rlimit structs.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut old), 0);
            let limit = libc::rlimit {
                rlim_max: old.rlim_max,
                ..limit
            };
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
        let mut filler = Vec::new();
        // Twice: the server closes the warm-up connection's socket a
        // little after the client has its response.
        for _ in 0..2 {
            while let Ok(file) = std::fs::File::open("/dev/null") {
                filler.push(file);
                assert!(filler.len() < 1000, "the limit did not take");
            }
            sleep(Duration::from_millis(100)).await;
        }
        filler.pop();
        let client = std::net::TcpStream::connect(addr).unwrap();
        let client = edgeio::spawn_blocking(move || {
            let mut client = client;
            client.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            client
                .write_all(b"GET /late HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            client.read_to_string(&mut response).unwrap();
            response
        });

        let cpu_before = cpu_time();
        sleep(Duration::from_millis(500)).await;
        let cpu = cpu_time() - cpu_before;
        assert!(!server.is_finished(), "the server ended on EMFILE");
        assert!(!client.is_finished(), "served although out of descriptors");
        assert!(
            cpu < Duration::from_millis(250),
            "spinning on EMFILE: {cpu:?} of CPU in 500 ms"
        );

        drop(filler);
        let response = client.await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.ends_with("/late"), "{response}");
        // SAFETY: as above.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) };
    });
}

/// After a graceful shutdown and the clients' departure, every descriptor
/// the server opened is closed again. In a child process, so that other
/// tests' sockets do not blur the count.
#[test]
fn no_descriptor_leaks() {
    common::run_in_child("no_descriptor_leaks_child", "EDGEIO_HYPER_FD_CHILD");
}

#[test]
#[ignore = "run by no_descriptor_leaks in a child process"]
fn no_descriptor_leaks_child() {
    if std::env::var_os("EDGEIO_HYPER_FD_CHILD").is_none() {
        return;
    }
    let open_fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    edgeio::block_on(async {
        // Warm up the runtime's own descriptors (timers, blocking pool).
        sleep(Duration::from_millis(1)).await;
        let before = open_fds();
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let trigger = Trigger::default();
        let server = edgeio::spawn(
            serve(listener, app(Arc::new(AtomicUsize::new(0)))).with_graceful_shutdown(trigger.wait()),
        );
        for http2 in [false, true] {
            let client: hyper_util::client::legacy::Client<_, Empty<Bytes>> =
                hyper_util::client::legacy::Client::builder(Executor)
                    .timer(Timer)
                    .http2_only(http2)
                    .build(edgeio::hyper::Connector::new());
            let requests: Vec<_> = (0..10)
                .map(|i| {
                    let client = client.clone();
                    edgeio::spawn(async move {
                        let uri = format!("http://{addr}/{i}").parse().unwrap();
                        let resp = client.get(uri).await.unwrap();
                        resp.into_body().collect().await.unwrap();
                    })
                })
                .collect();
            for request in requests {
                request.await.unwrap();
            }
        }
        trigger.fire();
        server.await.unwrap().unwrap();
        wait_until("every descriptor to be closed", || open_fds() <= before).await;
    });
}

/// One blocking HTTP/1 request to `/warm`.
fn request(addr: SocketAddr) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
        .write_all(b"GET /warm HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

/// The CPU time (user and system) this process has used.
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}
