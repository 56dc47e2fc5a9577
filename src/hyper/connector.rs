//! [`Connector`]: TCP connections for hyper-util's pooled client.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::uri::{Scheme, Uri};

use super::io::Io;
use crate::net::AsyncTcpStream;

/// Opens plain TCP connections for hyper-util's pooled
/// [`Client`](hyper_util::client::legacy::Client), in the role of its
/// `HttpConnector` (which needs tokio's reactor).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use http_body_util::Empty;
/// use hyper_util::client::legacy::Client;
///
/// let client = Client::builder(edgeio::hyper::Executor)
///     .timer(edgeio::hyper::Timer)
///     .pool_timer(edgeio::hyper::Timer)
///     .build::<_, Empty<bytes::Bytes>>(edgeio::hyper::Connector::new());
/// let response = client.get("http://127.0.0.1:3000/".parse()?).await?;
/// # drop(response); Ok(()) }
/// ```
///
/// HTTP/1 by default; for HTTP/2 (with prior knowledge, there being no
/// TLS to negotiate it) set the client builder's `http2_only(true)`.
///
/// Host names are resolved on the runtime's blocking pool (see
/// [`crate::net::ToSocketAddrs`]), never on a worker, and each resolved
/// address is tried in turn.
#[derive(Clone, Debug)]
pub struct Connector {
    nodelay: bool,
    connect_timeout: Option<Duration>,
    enforce_http: bool,
}

impl Default for Connector {
    fn default() -> Self {
        Connector::new()
    }
}

impl Connector {
    /// A connector for `http://` URIs, with `TCP_NODELAY` off and no
    /// connect timeout (`HttpConnector`'s defaults).
    #[must_use]
    pub fn new() -> Connector {
        Connector {
            nodelay: false,
            connect_timeout: None,
            enforce_http: true,
        }
    }

    /// Sets `TCP_NODELAY` on each new connection.
    pub fn set_nodelay(&mut self, nodelay: bool) {
        self.nodelay = nodelay;
    }

    /// Fails a connection attempt (name lookup and connect, every address
    /// included) that takes longer than `timeout`, with
    /// `io::ErrorKind::TimedOut`. `None`, the default, waits as long as
    /// the kernel does.
    pub fn set_connect_timeout(&mut self, timeout: Option<Duration>) {
        self.connect_timeout = timeout;
    }

    /// Whether only `http://` URIs are accepted (the default). Turn it off
    /// when a wrapping connector adds TLS on top for `https://` ones; the
    /// default port is then 443 for those.
    pub fn enforce_http(&mut self, enforce: bool) {
        self.enforce_http = enforce;
    }

    async fn connect(self, uri: Uri) -> io::Result<Io<AsyncTcpStream>> {
        let (host, port) = self.destination(&uri)?;
        let connect = AsyncTcpStream::connect((host, port));
        let stream = match self.connect_timeout {
            Some(limit) => crate::time::timeout(limit, connect)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??,
            None => connect.await?,
        };
        stream.set_nodelay(self.nodelay)?;
        Ok(Io::new(stream))
    }

    /// The host and port `uri` points at.
    fn destination(&self, uri: &Uri) -> io::Result<(String, u16)> {
        let scheme = uri.scheme().ok_or_else(|| invalid("URI has no scheme"))?;
        let default_port = if *scheme == Scheme::HTTP {
            80
        } else if *scheme == Scheme::HTTPS && !self.enforce_http {
            443
        } else {
            return Err(invalid("URI scheme is not http"));
        };
        let host = uri.host().ok_or_else(|| invalid("URI has no host"))?;
        // An IPv6 literal comes bracketed ("[::1]"); the address is inside.
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Ok((host.to_owned(), uri.port_u16().unwrap_or(default_port)))
    }
}

fn invalid(message: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl tower_service::Service<Uri> for Connector {
    type Response = Io<AsyncTcpStream>;
    type Error = io::Error;
    type Future = Connecting;

    /// Always ready: each call makes its own connection.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Connecting {
        Connecting(Box::pin(self.clone().connect(uri)))
    }
}

/// The future of one [`Connector`] call: a connected stream, or the error
/// of the last address tried.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Connecting(Pin<Box<dyn Future<Output = io::Result<Io<AsyncTcpStream>>> + Send>>);

impl Future for Connecting {
    type Output = io::Result<Io<AsyncTcpStream>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for Connecting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Connecting(..)")
    }
}
