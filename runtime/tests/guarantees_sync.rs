//! `Runtime` is `Send + Sync` (issue #19, item 5), as tokio's is: it can
//! live in a `static OnceLock` or an `Arc` shared between threads, and
//! `block_on` / `spawn` can be called through `&Runtime` from any of them.
//!
//! On a `Runtime` that is not `Sync` this file does not compile, which is
//! the failure it guards against.

mod common;

use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use common::within;
use edgeio_runtime::{Builder, Handle, Runtime};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn runtime_and_handle_are_send_and_sync() {
    assert_send_sync::<Runtime>();
    assert_send_sync::<Handle>();
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

#[test]
fn a_static_runtime_serves_two_threads() {
    let sum = within(Duration::from_secs(20), "static runtime", || {
        let runtime = RUNTIME.get_or_init(|| Builder::new().worker_threads(2).build().unwrap());
        let threads: Vec<_> = (0..2u64)
            .map(|i| {
                thread::spawn(move || {
                    runtime.block_on(async move { runtime.spawn(async move { i + 1 }).await.unwrap() })
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum::<u64>()
    });
    assert_eq!(sum, 3);
}

#[test]
fn an_arc_runtime_serves_two_threads() {
    let sum = within(Duration::from_secs(20), "shared runtime", || {
        let runtime = Arc::new(Builder::new().worker_threads(2).build().unwrap());
        let threads: Vec<_> = (0..2u64)
            .map(|i| {
                let runtime = runtime.clone();
                thread::spawn(move || {
                    runtime
                        .block_on(async move { edgeio_runtime::spawn(async move { i + 1 }).await.unwrap() })
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum::<u64>()
    });
    assert_eq!(sum, 3);
}
