//! A gRPC service with tonic on edgeio: tonic-health's generated
//! `grpc.health.v1.Health` service (no protoc needed) served by
//! `edgeio::hyper::serve`, and tonic's generated client calling it over
//! hyper-util's pooled client with edgeio's connector.
//!
//! ```text
//! cargo run --example grpc --features example-grpc                  # server, 127.0.0.1:50051
//! cargo run --example grpc --features example-grpc -- client [NAME]  # asks for NAME's health
//! ```
//!
//! tonic is built with `default-features = false`: its `transport`
//! feature (`tonic::transport::Server` and `Channel`) needs tokio's
//! reactor, timers and `tokio::spawn`; the generated code and the codecs
//! do not. `tests/grpc.rs` runs both halves.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use edgeio::hyper::{Connector, Executor, Timer};
use edgeio::net::AsyncTcpListener;
use hyper_util::client::legacy::Client;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::server::HealthReporter;

/// The client transport: HTTP/2 (gRPC's only protocol, with prior
/// knowledge, as there is no TLS to negotiate it) over pooled edgeio
/// connections.
pub type Channel = Client<Connector, tonic::body::Body>;

/// The health service on `listener`, until `shutdown` completes: the
/// server's future, and the reporter that sets what it reports.
pub fn server(
    listener: AsyncTcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> (HealthReporter, impl Future<Output = io::Result<()>> + Send) {
    let (reporter, health) = tonic_health::server::health_reporter();
    (
        reporter,
        edgeio::hyper::serve(listener, health).with_graceful_shutdown(shutdown),
    )
}

/// A health client for the server at `addr`.
pub fn client(addr: SocketAddr) -> HealthClient<Channel> {
    let channel = Client::builder(Executor)
        .timer(Timer)
        .pool_timer(Timer)
        .http2_only(true)
        .build(Connector::new());
    let origin = format!("http://{addr}")
        .parse()
        .expect("a socket address is a valid authority");
    HealthClient::with_origin(channel, origin)
}

/// Asks for the health of `service` ("" is the whole server).
pub async fn check(client: &mut HealthClient<Channel>, service: &str) -> Result<i32, tonic::Status> {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    Ok(client.check(request).await?.into_inner().status)
}

#[edgeio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = "127.0.0.1:50051".parse()?;
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("client") {
        let service = args.next().unwrap_or_default();
        let status = check(&mut client(addr), &service).await?;
        let status = tonic_health::pb::health_check_response::ServingStatus::try_from(status)?;
        println!("{service:?}: {}", status.as_str_name());
        return Ok(());
    }
    let listener = AsyncTcpListener::bind(addr)?;
    eprintln!("grpc: health service on {addr}");
    let (reporter, server) = server(listener, async {
        if edgeio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    reporter
        .set_service_status("example.Greeter", tonic_health::ServingStatus::Serving)
        .await;
    server.await?;
    Ok(())
}
