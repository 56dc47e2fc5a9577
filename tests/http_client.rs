//! The `http_client` example against a local server: responses arrive,
//! and sequential requests share pooled connections.

#[path = "../examples/http_client.rs"]
#[allow(dead_code)]
mod example;

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use edgeio::hyper::{HyperToTowerService, Listener};
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};

/// A listener counting the connections it accepts.
struct Counting {
    inner: AsyncTcpListener,
    accepted: Arc<AtomicUsize>,
}

impl Listener for Counting {
    type Io = AsyncTcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> io::Result<(AsyncTcpStream, SocketAddr)> {
        let accepted = Listener::accept(&mut self.inner).await?;
        self.accepted.fetch_add(1, Ordering::SeqCst);
        Ok(accepted)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Listener::local_addr(&self.inner)
    }
}

/// Echoes the request's path; `/big` answers 1 MiB.
async fn echo_path(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = match req.uri().path() {
        "/big" => Bytes::from(vec![b'x'; 1 << 20]),
        path => Bytes::from(path.to_owned()),
    };
    Ok(Response::new(Full::new(body)))
}

fn start() -> (SocketAddr, Arc<AtomicUsize>) {
    let accepted = Arc::new(AtomicUsize::new(0));
    let listener = Counting {
        inner: AsyncTcpListener::bind("127.0.0.1:0").unwrap(),
        accepted: accepted.clone(),
    };
    let addr = listener.local_addr().unwrap();
    let service = HyperToTowerService::new(service_fn(echo_path));
    edgeio::spawn(edgeio::hyper::serve(listener, service)).detach();
    (addr, accepted)
}

#[edgeio::test(timeout_secs = 30)]
async fn sequential_gets_reuse_one_connection() {
    let (addr, accepted) = start();
    let client = example::client();
    for i in 0..50 {
        let uri = format!("http://{addr}/item/{i}").parse().unwrap();
        let (status, body) = example::get(&client, uri).await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, format!("/item/{i}"));
    }
    let (status, body) = example::get(&client, format!("http://{addr}/big").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.len(), 1 << 20);
    // A request may race its predecessor's connection back into the pool
    // (hyper-util returns it from another task) and open a second one;
    // what matters is that connections are reused at all.
    let accepted = accepted.load(Ordering::SeqCst);
    assert!(
        accepted <= 10,
        "{accepted} connections for 51 sequential requests: no pooling"
    );
}

#[edgeio::test(timeout_secs = 30)]
async fn concurrent_gets() {
    let (addr, accepted) = start();
    let client = example::client();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let client = client.clone();
            edgeio::spawn(async move {
                let uri = format!("http://{addr}/c/{i}").parse().unwrap();
                example::get(&client, uri).await.unwrap()
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap().1, format!("/c/{i}"));
    }
    assert!((1..=16).contains(&accepted.load(Ordering::SeqCst)));
}
