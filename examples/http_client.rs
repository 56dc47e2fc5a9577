//! HTTP GETs over hyper-util's pooled client, with edgeio's connector,
//! executor and timer: the edgeio way to do what reqwest does on tokio.
//!
//! ```text
//! cargo run --example http_client --features hyper -- http://127.0.0.1:3000/ [COUNT]
//! ```
//!
//! Plain HTTP (TLS: see the `https` example). Repeated requests to one
//! host reuse a pooled keep-alive connection. `tests/http_client.rs`
//! runs [`get`] against a local server.

use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use edgeio::hyper::{Connector, Executor, Timer};
use http_body_util::{BodyExt, Empty};
use hyper::{StatusCode, Uri};
use hyper_util::client::legacy::Client;

/// The client: pooled connections (idle ones are closed after 30 s) made
/// by edgeio's connector, with a 10 s connect timeout.
pub fn client() -> Client<Connector, Empty<Bytes>> {
    let mut connector = Connector::new();
    connector.set_connect_timeout(Some(Duration::from_secs(10)));
    connector.set_nodelay(true);
    Client::builder(Executor)
        .timer(Timer)
        .pool_timer(Timer)
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
}

/// GETs `uri` and reads the whole body.
pub async fn get(
    client: &Client<Connector, Empty<Bytes>>,
    uri: Uri,
) -> Result<(StatusCode, Bytes), Box<dyn Error + Send + Sync>> {
    let response = client.get(uri).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

#[edgeio::main]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let uri: Uri = args.next().ok_or("usage: http_client URI [COUNT]")?.parse()?;
    let count: usize = args.next().map_or(Ok(1), |n| n.parse())?;
    let client = client();
    for _ in 0..count {
        let (status, body) = get(&client, uri.clone()).await?;
        println!("{status} ({} bytes)", body.len());
        if count == 1 {
            println!("{}", String::from_utf8_lossy(&body));
        }
    }
    Ok(())
}
