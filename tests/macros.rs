//! `#[edgeio::test]` and `#[edgeio::main]`: expansions that run, and
//! compile errors for misuse (tests/ui, checked with trybuild).

use std::collections::HashSet;
use std::io;
use std::thread;
use std::time::Duration;

use edgeio::time::sleep;

#[edgeio::test]
async fn spawns_and_awaits_a_task() {
    let handle = edgeio::spawn(async {
        sleep(Duration::from_millis(10)).await;
        21 * 2
    });
    assert_eq!(handle.await.unwrap(), 42);
}

#[edgeio::test(worker_threads = 1)]
async fn one_worker_thread() {
    let handles: Vec<_> = (0..16)
        .map(|_| {
            edgeio::spawn(async {
                edgeio::yield_now().await;
                thread::current().name().map(str::to_owned)
            })
        })
        .collect();
    let mut names = HashSet::new();
    for handle in handles {
        names.insert(handle.await.unwrap());
    }
    assert_eq!(names.len(), 1, "tasks ran on {names:?}");
    assert_eq!(
        names.into_iter().next().unwrap().as_deref(),
        Some("edgeio-worker-0")
    );
}

#[edgeio::test]
async fn returns_a_result() -> Result<(), io::Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let connected = edgeio::spawn_blocking(move || std::net::TcpStream::connect(addr))
        .await
        .unwrap()?;
    assert_eq!(connected.peer_addr()?, addr);
    Ok(())
}

#[edgeio::test]
async fn early_return_from_a_result_body() -> Result<(), String> {
    if edgeio::spawn(async { true }).await.unwrap() {
        return Ok(());
    }
    Err("not reached".to_owned())
}

#[edgeio::test(timeout_secs = 10, worker_threads = 2)]
async fn with_a_timeout() {
    sleep(Duration::from_millis(50)).await;
}

/// A body that is a single expression, and an inner attribute.
#[edgeio::test]
async fn single_expression_body() {
    #![allow(clippy::bool_assert_comparison)]
    assert_eq!(edgeio::spawn(async { true }).await.unwrap(), true)
}

#[edgeio::test]
#[should_panic(expected = "boom")]
async fn panicking_body_fails_the_test() {
    sleep(Duration::from_millis(1)).await;
    panic!("boom");
}

#[edgeio::test(timeout_secs = 1)]
#[should_panic(expected = "timed out")]
async fn watchdog_fails_a_hung_test() {
    sleep(Duration::from_secs(5)).await;
}

/// Attributes after `#[edgeio::test]` are kept: this one must be reported
/// as ignored, not run.
#[edgeio::test]
#[ignore = "checks that #[ignore] is kept; fails if run"]
async fn ignored() {
    panic!("an #[ignore]d test ran");
}

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/*.rs");
}
