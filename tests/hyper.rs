//! hyper 1.x server and client, both on edgeio through `edgeio::hyper`
//! (feature `hyper`): the `hyper_server` example's server, connections
//! made by hand and through hyper-util's pooled client, HTTP/1 and
//! HTTP/2.

#[path = "../examples/hyper_server.rs"]
#[allow(dead_code)]
mod hyper_server;

use std::net::SocketAddr;

use bytes::Bytes;
use edgeio::hyper::{Connector, Executor, Io, Timer};
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::rt::Executor as _;
use hyper::{Request, StatusCode};
use hyper_server::HELLO;
use hyper_util::client::legacy::Client;

/// Opens one client connection to `addr`; the connection's driver runs on
/// its own task, spawned through `Executor`.
async fn connect(addr: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = AsyncTcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = http1::handshake(Io::new(stream)).await.expect("handshake");
    Executor.execute(async move {
        if let Err(e) = conn.await {
            panic!("client connection failed: {e}");
        }
    });
    sender
}

/// Sends `count` requests one after another over `sender`'s connection,
/// checking each response.
async fn get_many(sender: &mut SendRequest<Empty<Bytes>>, addr: SocketAddr, count: usize) {
    for i in 0..count {
        sender.ready().await.expect("connection ready");
        let req = Request::get(format!("/req/{i}"))
            .header(hyper::header::HOST, addr.to_string())
            .body(Empty::new())
            .unwrap();
        let resp = sender.send_request(req).await.expect("send_request");
        assert_eq!(resp.status(), StatusCode::OK, "request {i}");
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&body[..], HELLO.as_bytes(), "request {i}");
    }
}

fn start_server() -> SocketAddr {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(hyper_server::run(listener, std::future::pending())).detach();
    addr
}

#[edgeio::test(timeout_secs = 30)]
async fn keep_alive_requests_on_one_connection() {
    let addr = start_server();
    let mut sender = connect(addr).await;
    get_many(&mut sender, addr, 100).await;
}

#[edgeio::test(timeout_secs = 30)]
async fn concurrent_connections() {
    let addr = start_server();
    let clients: Vec<_> = (0..10)
        .map(|_| {
            edgeio::spawn(async move {
                let mut sender = connect(addr).await;
                get_many(&mut sender, addr, 20).await;
            })
        })
        .collect();
    for client in clients {
        client.await.expect("client task panicked");
    }
}

fn pooled_client(http2: bool) -> Client<Connector, Empty<Bytes>> {
    Client::builder(Executor)
        .timer(Timer)
        .pool_timer(Timer)
        .http2_only(http2)
        .build(Connector::new())
}

/// The pooled client, HTTP/1 and HTTP/2 (prior knowledge; the server tells
/// the two apart by the first bytes).
#[edgeio::test(timeout_secs = 30)]
async fn pooled_client_http1_and_http2() {
    let addr = start_server();
    for http2 in [false, true] {
        let client = pooled_client(http2);
        let uri: hyper::Uri = format!("http://{addr}/").parse().unwrap();
        let requests: Vec<_> = (0..20)
            .map(|_| {
                let client = client.clone();
                let uri = uri.clone();
                edgeio::spawn(async move {
                    let resp = client.get(uri).await.expect("request");
                    let version = resp.version();
                    let body = resp.into_body().collect().await.expect("body").to_bytes();
                    assert_eq!(&body[..], HELLO.as_bytes());
                    version
                })
            })
            .collect();
        for request in requests {
            let version = request.await.expect("client task panicked");
            let expected = if http2 {
                hyper::Version::HTTP_2
            } else {
                hyper::Version::HTTP_11
            };
            assert_eq!(version, expected);
        }
    }
}

/// A host name goes through the resolver (on the blocking pool), an IPv6
/// literal comes bracketed in the URI.
#[edgeio::test(timeout_secs = 30)]
async fn connector_resolves_names_and_ipv6_literals() {
    let addr = start_server();
    let client = pooled_client(false);
    let by_name: hyper::Uri = format!("http://localhost:{}/", addr.port()).parse().unwrap();
    // `localhost` may resolve to ::1 first, where nothing listens: the
    // connector then tries the next address.
    let resp = client.get(by_name).await.expect("request by name");
    assert_eq!(resp.status(), StatusCode::OK);

    let listener = match AsyncTcpListener::bind("[::1]:0") {
        Ok(listener) => listener,
        Err(_) => return, // no IPv6 on this machine
    };
    let v6 = listener.local_addr().unwrap();
    edgeio::spawn(hyper_server::run(listener, std::future::pending())).detach();
    let resp = client
        .get(format!("http://{v6}/").parse().unwrap())
        .await
        .expect("request over IPv6");
    assert_eq!(resp.status(), StatusCode::OK);
}

#[edgeio::test(timeout_secs = 30)]
async fn connector_errors() {
    let client = pooled_client(false);
    // https without a TLS layer: refused by the connector.
    let err = client
        .get("https://127.0.0.1:1/".parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client
        .get(format!("http://127.0.0.1:{port}/").parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

/// A listener whose accept queue is full drops further SYNs, so a
/// connect to it hangs: the connector's timeout must end it.
#[edgeio::test(timeout_secs = 30)]
async fn connect_timeout() {
    use socket2::{Domain, Socket, Type};
    use std::time::Duration;

    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    // Fill the queue (never accepted) until a connect no longer completes.
    let mut queued = Vec::new();
    let full =
        (0..16).any(
            |_| match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => {
                    queued.push(stream);
                    false
                }
                Err(_) => true,
            },
        );
    assert!(full, "the accept queue never filled up");

    let mut connector = Connector::new();
    connector.set_connect_timeout(Some(Duration::from_millis(100)));
    let client: Client<_, Empty<Bytes>> = Client::builder(Executor).build(connector);
    let err = client
        .get(format!("http://{addr}/").parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    let source = std::error::Error::source(&err).and_then(|e| e.downcast_ref::<std::io::Error>());
    assert_eq!(
        source.map(std::io::Error::kind),
        Some(std::io::ErrorKind::TimedOut),
        "{err:?}"
    );
}

/// Serves one connection on `listener` that answers each request with its
/// own body, through `Io` on both sides (`edgeio::hyper::serve` would
/// also do, but this pins the protocol).
async fn echo_bodies(http2: bool, sizes: &[usize]) {
    use http_body_util::Full;
    use hyper::service::service_fn;

    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = edgeio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let echo = service_fn(|req: Request<hyper::body::Incoming>| async move {
            let body = req.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>(hyper::Response::new(Full::new(body)))
        });
        if http2 {
            hyper::server::conn::http2::Builder::new(Executor)
                .serve_connection(Io::new(stream), echo)
                .await
        } else {
            hyper::server::conn::http1::Builder::new()
                .serve_connection(Io::new(stream), echo)
                .await
        }
    });
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let mut sender = if http2 {
        let (sender, conn) = hyper::client::conn::http2::handshake(Executor, Io::new(stream))
            .await
            .unwrap();
        Executor.execute(async move { conn.await.expect("client connection") });
        Sender::Http2(sender)
    } else {
        let (sender, conn) = http1::handshake(Io::new(stream)).await.unwrap();
        Executor.execute(async move { conn.await.expect("client connection") });
        Sender::Http1(sender)
    };
    for (i, &size) in sizes.iter().enumerate() {
        let body: Bytes = (0..size).map(|b| (b * 7 + i) as u8).collect();
        let req = Request::post("/echo")
            .header(hyper::header::HOST, addr.to_string())
            .body(http_body_util::Full::new(body.clone()))
            .unwrap();
        let resp = match &mut sender {
            Sender::Http1(s) => s.send_request(req).await,
            Sender::Http2(s) => s.send_request(req).await,
        }
        .expect("send_request");
        assert_eq!(resp.status(), StatusCode::OK);
        let echoed = resp.into_body().collect().await.expect("body").to_bytes();
        assert!(echoed == body, "request {i} ({size} bytes) came back changed");
    }
    drop(sender);
    server.await.expect("server task").expect("server connection");
}

enum Sender {
    Http1(SendRequest<http_body_util::Full<Bytes>>),
    Http2(hyper::client::conn::http2::SendRequest<http_body_util::Full<Bytes>>),
}

/// Bodies from empty to 4 MiB, large after small and small after large:
/// `Io`'s read window grows and shrinks across them, and no byte is lost
/// or changed on the way.
const BODY_SIZES: [usize; 9] = [0, 10, 4 << 20, 1, 100_000, 3, 1 << 20, 17, 64 << 10];

#[edgeio::test(timeout_secs = 60)]
async fn bodies_of_every_size_cross_io_unchanged_http1() {
    echo_bodies(false, &BODY_SIZES).await;
}

#[edgeio::test(timeout_secs = 60)]
async fn bodies_of_every_size_cross_io_unchanged_http2() {
    echo_bodies(true, &BODY_SIZES).await;
}
