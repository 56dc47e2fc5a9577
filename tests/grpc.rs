//! The `grpc` example: tonic-health's service on `edgeio::hyper::serve`,
//! called by tonic's generated client over edgeio's connector (unary
//! calls, a server stream, errors, many calls on one HTTP/2 connection,
//! graceful shutdown).

#[path = "../examples/grpc.rs"]
#[allow(dead_code)]
mod example;

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use edgeio::net::AsyncTcpListener;
use futures_util::StreamExt;
use tonic_health::pb::health_check_response::ServingStatus as Pb;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::ServingStatus;

/// A one-shot stop signal.
#[derive(Clone, Default)]
struct Stop(Arc<Mutex<(bool, Option<Waker>)>>);

impl Stop {
    fn fire(&self) {
        let mut state = self.0.lock().unwrap();
        state.0 = true;
        if let Some(waker) = state.1.take() {
            waker.wake();
        }
    }

    async fn wait(self) {
        std::future::poll_fn(|cx| {
            let mut state = self.0.lock().unwrap();
            if state.0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }
}

#[edgeio::test(timeout_secs = 30)]
async fn check_watch_and_shutdown() {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = Stop::default();
    let (reporter, server) = example::server(listener, stop.clone().wait());
    let server = edgeio::spawn(server);
    let mut client = example::client(addr);

    // Unary calls.
    assert_eq!(example::check(&mut client, "").await.unwrap(), Pb::Serving as i32);
    let err = example::check(&mut client, "no.such.Service").await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
    reporter
        .set_service_status("example.Greeter", ServingStatus::NotServing)
        .await;
    assert_eq!(
        example::check(&mut client, "example.Greeter").await.unwrap(),
        Pb::NotServing as i32
    );

    // A server stream: the current status, then each change.
    let request = HealthCheckRequest {
        service: "example.Greeter".into(),
    };
    let mut updates = client.watch(request).await.unwrap().into_inner();
    assert_eq!(
        updates.next().await.unwrap().unwrap().status,
        Pb::NotServing as i32
    );
    reporter
        .set_service_status("example.Greeter", ServingStatus::Serving)
        .await;
    assert_eq!(updates.next().await.unwrap().unwrap().status, Pb::Serving as i32);

    // Many concurrent calls, multiplexed over the pooled HTTP/2 connection.
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let mut client = client.clone();
            edgeio::spawn(async move { example::check(&mut client, "example.Greeter").await.unwrap() })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), Pb::Serving as i32);
    }

    // Graceful shutdown: new connections are refused, while the open
    // watch stream goes on (HTTP/2's GOAWAY lets open streams finish)
    // until the client drops it; then the server's future completes.
    stop.fire();
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(addr).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "still accepting");
        edgeio::time::sleep(Duration::from_millis(5)).await;
    }
    reporter
        .set_service_status("example.Greeter", ServingStatus::NotServing)
        .await;
    assert_eq!(
        updates.next().await.unwrap().unwrap().status,
        Pb::NotServing as i32
    );
    drop(updates);
    drop(client);
    edgeio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("server did not stop")
        .unwrap()
        .unwrap();
}
