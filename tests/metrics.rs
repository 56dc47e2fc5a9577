//! `Runtime::metrics` reflects spawned tasks and reactor activity.

use std::time::Duration;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::sleep;

#[edgeio::test(worker_threads = 2, timeout_secs = 30)]
async fn metrics_count_tasks_and_reactor_activity() {
    let handle = edgeio::Handle::current();
    let before = handle.metrics();
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = edgeio::spawn(async move { listener.accept().await.map(|_| ()) });
    let _client = AsyncTcpStream::connect(addr).await.unwrap();
    accept.await.unwrap().unwrap();
    for _ in 0..100 {
        edgeio::spawn(async {}).await.unwrap();
    }
    sleep(Duration::from_millis(5)).await;
    let after = handle.metrics();
    assert_eq!(after.workers, 2);
    assert!(after.tasks_spawned >= before.tasks_spawned + 101);
    assert!(after.reactor_polls > before.reactor_polls);
    assert!(after.events_received > before.events_received);
    assert!(after.max_events_per_poll >= 1);
}
