//! tokio's `tokio/tests/task_yield_now.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::task;
use tokio_test::task::spawn;

// `yield_now` is tested within the runtime in `rt_common`.
#[test]
fn yield_now_outside_of_runtime() {
    let _watchdog = tokio_test::watchdog();
    let mut task = spawn(async {
        task::yield_now().await;
    });

    assert!(task.poll().is_pending());
    assert!(task.is_woken());
    assert!(task.poll().is_ready());
}

#[edgeio::test(flavor = "multi_thread")]
async fn yield_now_external_executor_and_block_in_place() {
    let j = edgeio::spawn(async {
        task::block_in_place(|| tokio_test::block_on(task::yield_now()));
    });
    j.await.unwrap();
}
