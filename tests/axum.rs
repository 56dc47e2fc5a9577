//! The `axum` example over loopback: its routes through hyper-util's
//! pooled client on edgeio's connector, and its graceful shutdown on
//! Ctrl-C (SIGINT, in a child process).

mod common;

#[path = "../examples/axum.rs"]
#[allow(dead_code)]
mod example;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use edgeio::hyper::{Connector, Executor, Timer};
use edgeio::net::AsyncTcpListener;
use example::Todo;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;

type HttpClient = Client<Connector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(Executor)
        .timer(Timer)
        .pool_timer(Timer)
        .build(Connector::new())
}

async fn call(client: &HttpClient, method: Method, uri: String, json: Option<&str>) -> (StatusCode, Bytes) {
    let mut req = Request::builder().method(method).uri(uri);
    if json.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = Full::new(Bytes::from(json.unwrap_or_default().to_owned()));
    let resp = client.request(req.body(body).unwrap()).await.expect("request");
    let status = resp.status();
    (status, resp.into_body().collect().await.expect("body").to_bytes())
}

fn start() -> SocketAddr {
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let app = example::app(example::AppState::default());
    edgeio::spawn(edgeio::hyper::serve(listener, app)).detach();
    addr
}

#[edgeio::test(timeout_secs = 30)]
async fn json_path_query_and_state() {
    let addr = start();
    let client = client();
    let base = format!("http://{addr}");

    for title in ["write docs", "run tests", "ship"] {
        let body = format!(r#"{{"title":"{title}"}}"#);
        let (status, created) = call(&client, Method::POST, format!("{base}/todos"), Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED);
        let created: Todo = serde_json::from_slice(&created).unwrap();
        assert_eq!(created.title, title);
    }

    // Path extractor, over state shared by all connections.
    let (status, todo) = call(&client, Method::GET, format!("{base}/todos/2"), None).await;
    assert_eq!(status, StatusCode::OK);
    let todo: Todo = serde_json::from_slice(&todo).unwrap();
    assert_eq!(
        todo,
        Todo {
            id: 2,
            title: "run tests".into(),
            done: false
        }
    );
    let (status, _) = call(&client, Method::GET, format!("{base}/todos/99"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&client, Method::POST, format!("{base}/todos/1/done"), None).await;
    assert_eq!(status, StatusCode::OK);

    // Query extractor.
    let (_, list) = call(
        &client,
        Method::GET,
        format!("{base}/todos?done=false&limit=1"),
        None,
    )
    .await;
    let list: Vec<Todo> = serde_json::from_slice(&list).unwrap();
    assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), [2]);
    let (_, list) = call(&client, Method::GET, format!("{base}/todos?done=true"), None).await;
    let list: Vec<Todo> = serde_json::from_slice(&list).unwrap();
    assert_eq!(list.iter().map(|t| t.id).collect::<Vec<_>>(), [1]);

    // Extractor rejections: malformed JSON, a bad path parameter.
    let (status, _) = call(&client, Method::POST, format!("{base}/todos"), Some("{")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&client, Method::GET, format!("{base}/todos/abc"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A handler sleeping on edgeio's timers.
    let (status, body) = call(&client, Method::GET, format!("{base}/slow/20"), None).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"slept 20 ms"[..]));
}

/// Many concurrent requests on HTTP/2 (prior knowledge) and HTTP/1.
#[edgeio::test(timeout_secs = 30)]
async fn concurrent_requests_http1_and_http2() {
    let addr = start();
    for http2 in [false, true] {
        let client: HttpClient = Client::builder(Executor)
            .timer(Timer)
            .http2_only(http2)
            .build(Connector::new());
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let client = client.clone();
                edgeio::spawn(async move {
                    let body = format!(r#"{{"title":"task {i}"}}"#);
                    let (status, _) =
                        call(&client, Method::POST, format!("http://{addr}/todos"), Some(&body)).await;
                    assert_eq!(status, StatusCode::CREATED);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    }
    let (_, list) = call(&client(), Method::GET, format!("http://{addr}/todos"), None).await;
    let list: Vec<Todo> = serde_json::from_slice(&list).unwrap();
    assert_eq!(list.len(), 40);
}

/// Ctrl-C stops the example's server gracefully: a request in flight
/// still gets its answer, then `run` returns. In a child process, as the
/// signal goes to the whole process.
#[test]
fn ctrl_c_shuts_down_gracefully() {
    common::run_in_child("ctrl_c_child", "EDGEIO_AXUM_SIGINT_CHILD");
}

#[test]
#[ignore = "run by ctrl_c_shuts_down_gracefully in a child process"]
fn ctrl_c_child() {
    if std::env::var_os("EDGEIO_AXUM_SIGINT_CHILD").is_none() {
        return;
    }
    edgeio::block_on(async {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = edgeio::spawn(example::run(listener));
        let client = client();
        // Once a request is answered, the server has polled its shutdown
        // signal, which installed the SIGINT handler.
        let (status, _) = call(&client, Method::GET, format!("http://{addr}/todos"), None).await;
        assert_eq!(status, StatusCode::OK);

        let in_flight = {
            let client = client.clone();
            edgeio::spawn(
                async move { call(&client, Method::GET, format!("http://{addr}/slow/300"), None).await },
            )
        };
        edgeio::time::sleep(Duration::from_millis(100)).await;
        // SAFETY: sends a signal to this process, which has a handler.
        assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGINT) }, 0);

        let (status, body) = in_flight.await.unwrap();
        assert_eq!((status, &body[..]), (StatusCode::OK, &b"slept 300 ms"[..]));
        drop(client);
        edgeio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
        assert!(std::net::TcpStream::connect(addr).is_err(), "still accepting");
    });
}
