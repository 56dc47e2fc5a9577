#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/join_handle_panic.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio` (`#[edgeio::test]` has its own watchdog).
//!
//! Left out: nothing.

struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("I told you so");
    }
}

#[edgeio::test]
async fn test_panics_do_not_propagate_when_dropping_join_handle() {
    let join_handle = edgeio::spawn(async move { PanicsOnDrop });

    // only drop the JoinHandle when the task has completed
    // (which is difficult to synchronize precisely)
    edgeio::time::sleep(std::time::Duration::from_millis(3)).await;
    drop(join_handle);
}
