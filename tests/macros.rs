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

/// `#[edgeio::test]` runs on the current-thread runtime unless told
/// otherwise, as tokio's does.
#[edgeio::test]
async fn the_test_runtime_is_current_thread_by_default() {
    use edgeio::runtime::{Handle, RuntimeFlavor};
    assert_eq!(Handle::current().runtime_flavor(), RuntimeFlavor::CurrentThread);
}

#[edgeio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_multi_thread_flavor_can_be_asked_for() {
    use edgeio::runtime::{Handle, RuntimeFlavor};
    let handle = Handle::current();
    assert_eq!(handle.runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(handle.metrics().workers, 2);
}

/// A paused clock moves to the next timer when every task is idle: a 30 s
/// idle timeout fires at once in real time.
#[edgeio::test(start_paused = true)]
async fn start_paused_auto_advances_to_the_next_timer() {
    let real = std::time::Instant::now();
    let virtual_start = edgeio::time::Instant::now();
    edgeio::time::sleep(Duration::from_secs(30)).await;
    assert!(virtual_start.elapsed() >= Duration::from_secs(30));
    assert!(real.elapsed() < Duration::from_secs(10));
}
