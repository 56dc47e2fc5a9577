//! HTTPS with futures-rustls on edgeio: a certificate generated at start
//! (rcgen), ALPN offering `h2` and `http/1.1`, and hyper serving whichever
//! the client picked.
//!
//! ```text
//! cargo run --example https --features example-https [ADDR]   # default 127.0.0.1:3443
//! curl -k https://127.0.0.1:3443/            # HTTP/2 (curl offers h2 first)
//! curl -k --http1.1 https://127.0.0.1:3443/
//! ```
//!
//! rustls runs on the `ring` provider, which builds with a C compiler
//! alone (aws-lc-rs, rustls's default, also needs cmake): futures-rustls
//! is built with `default-features = false, features = ["ring", "tls12"]`,
//! which makes `ring` the process-wide default that `ServerConfig::builder`
//! picks. This server
//! writes its own accept loop with hyper-util's `auto::Builder`, to
//! complete each TLS handshake (with a time limit) on the connection's
//! own task; [`edgeio::hyper::serve`] takes a [`Listener`] of yours
//! instead if you prefer. `tests/https.rs` runs it.
//!
//! [`Listener`]: edgeio::hyper::Listener

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use edgeio::hyper::{Executor, Io, Timer};
use edgeio::net::AsyncTcpListener;
use futures_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use futures_rustls::rustls::ServerConfig;
use futures_rustls::TlsAcceptor;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::server::conn::auto;

/// How long a client may take to complete its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A self-signed certificate for `localhost` and `127.0.0.1`, and its key.
pub fn self_signed() -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), rcgen::Error> {
    let certified = rcgen::generate_simple_self_signed(["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    let key = PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    Ok((certified.cert.der().clone(), key.into()))
}

/// The server's TLS settings: TLS 1.2 and 1.3 on the default provider
/// (`ring` here), ALPN `h2` then `http/1.1`.
pub fn server_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, futures_rustls::rustls::Error> {
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Says which protocol the request came over.
async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = format!("Hello over TLS, {:?}", req.version());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// Accepts connections on `listener` forever; each completes its TLS
/// handshake and is served (HTTP/1.1 or HTTP/2) on its own task.
pub async fn serve(listener: AsyncTcpListener, config: Arc<ServerConfig>) {
    let acceptor = TlsAcceptor::from(config);
    let mut builder = auto::Builder::new(Executor);
    builder.http1().timer(Timer);
    builder.http2().timer(Timer);
    let builder = Arc::new(builder);
    loop {
        // A failed accept ends only that attempt (after EMFILE the
        // listener waits before the next one itself).
        let Ok((stream, _peer)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let builder = builder.clone();
        edgeio::spawn(async move {
            let tls = match edgeio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => return eprintln!("https: handshake failed: {e}"),
                Err(_) => return eprintln!("https: handshake timed out"),
            };
            if let Err(e) = builder.serve_connection(Io::new(tls), service_fn(hello)).await {
                eprintln!("https: connection failed: {e}");
            }
        })
        .detach();
    }
}

#[edgeio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3443".to_owned());
    let (cert, key) = self_signed()?;
    let listener = AsyncTcpListener::bind(&addr)?;
    eprintln!(
        "https: listening on https://{} (self-signed: curl -k)",
        listener.local_addr()?
    );
    serve(listener, server_config(cert, key)?).await;
    Ok(())
}
