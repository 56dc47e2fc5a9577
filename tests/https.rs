//! The `https` example over loopback: a TLS client (futures-rustls,
//! trusting the generated certificate) gets HTTP/2 when it offers `h2`,
//! and HTTP/1.1 when it offers only that.

#[path = "../examples/https.rs"]
#[allow(dead_code)]
mod example;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use edgeio::hyper::{Executor, Io};
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use futures_rustls::client::TlsStream;
use futures_rustls::rustls::pki_types::{CertificateDer, ServerName};
use futures_rustls::rustls::{ClientConfig, RootCertStore};
use futures_rustls::TlsConnector;
use http_body_util::{BodyExt, Empty};
use hyper::Request;

fn start() -> (SocketAddr, CertificateDer<'static>) {
    let (cert, key) = example::self_signed().unwrap();
    let config = example::server_config(cert.clone(), key).unwrap();
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    edgeio::spawn(example::serve(listener, config)).detach();
    (addr, cert)
}

/// A TLS connection to `addr` trusting only `cert`, offering `alpn`.
async fn connect(
    addr: SocketAddr,
    cert: &CertificateDer<'static>,
    alpn: &[&[u8]],
) -> TlsStream<AsyncTcpStream> {
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let mut config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .expect("TLS handshake")
}

async fn body(resp: hyper::Response<hyper::body::Incoming>) -> Bytes {
    resp.into_body().collect().await.unwrap().to_bytes()
}

#[edgeio::test(timeout_secs = 30)]
async fn alpn_h2() {
    let (addr, cert) = start();
    let tls = connect(addr, &cert, &[b"h2", b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake::<_, _, Empty<Bytes>>(Executor, Io::new(tls))
            .await
            .unwrap();
    edgeio::spawn(conn).detach();
    let requests: Vec<_> = (0..10)
        .map(|_| sender.send_request(Request::get("https://localhost/").body(Empty::new()).unwrap()))
        .collect();
    for request in requests {
        let resp = request.await.unwrap();
        assert_eq!(body(resp).await, "Hello over TLS, HTTP/2.0");
    }
}

#[edgeio::test(timeout_secs = 30)]
async fn alpn_http11() {
    let (addr, cert) = start();
    let tls = connect(addr, &cert, &[b"http/1.1"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(Io::new(tls))
        .await
        .unwrap();
    edgeio::spawn(conn).detach();
    for _ in 0..10 {
        sender.ready().await.unwrap();
        let req = Request::get("/")
            .header("host", "localhost")
            .body(Empty::new())
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(body(resp).await, "Hello over TLS, HTTP/1.1");
    }
}

/// A client that does not trust the certificate fails its handshake, and
/// the server goes on serving others.
#[edgeio::test(timeout_secs = 30)]
async fn untrusted_certificate_is_rejected() {
    let (addr, cert) = start();
    let (other, _) = example::self_signed().unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(other).unwrap();
    let config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let stream = AsyncTcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    assert!(TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .is_err());

    let tls = connect(addr, &cert, &[b"h2"]).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}
