#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/rt_handle.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::Runtime;
use edgeio::sync::{mpsc, Barrier};
use std::sync::Arc;

#[test]
#[cfg_attr(panic = "abort", ignore)]
fn basic_enter() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = rt();
    let rt2 = rt();

    let enter1 = rt1.enter();
    let enter2 = rt2.enter();

    drop(enter2);
    drop(enter1);
}

#[test]
#[should_panic]
#[cfg_attr(panic = "abort", ignore)]
fn interleave_enter_different_rt() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = rt();
    let rt2 = rt();

    let enter1 = rt1.enter();
    let enter2 = rt2.enter();

    drop(enter1);
    drop(enter2);
}

#[test]
#[should_panic]
#[cfg_attr(panic = "abort", ignore)]
fn interleave_enter_same_rt() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = rt();

    let _enter1 = rt1.enter();
    let enter2 = rt1.enter();
    let enter3 = rt1.enter();

    drop(enter2);
    drop(enter3);
}

#[test]
#[cfg(not(target_os = "wasi"))]
#[cfg_attr(panic = "abort", ignore)]
fn interleave_then_enter() {
    let _watchdog = tokio_test::watchdog();
    let _ = std::panic::catch_unwind(|| {
        let rt1 = rt();
        let rt2 = rt();

        let enter1 = rt1.enter();
        let enter2 = rt2.enter();

        drop(enter1);
        drop(enter2);
    });

    // Can still enter
    let rt3 = rt();
    let _enter = rt3.enter();
}

// If the cycle causes a leak, then miri will catch it.
#[test]
fn drop_tasks_with_reference_cycle() {
    let _watchdog = tokio_test::watchdog();
    rt().block_on(async {
        let (tx, mut rx) = mpsc::channel(1);

        let barrier = Arc::new(Barrier::new(3));
        let barrier_a = barrier.clone();
        let barrier_b = barrier.clone();

        let a = edgeio::spawn(async move {
            let b = rx.recv().await.unwrap();

            // Poll the JoinHandle once. This registers the waker.
            // The other task cannot have finished at this point due to the barrier below.
            futures_util::future::select(b, std::future::ready(())).await;

            barrier_a.wait().await;
        });

        let b = edgeio::spawn(async move {
            // Poll the JoinHandle once. This registers the waker.
            // The other task cannot have finished at this point due to the barrier below.
            futures_util::future::select(a, std::future::ready(())).await;

            barrier_b.wait().await;
        });

        tx.send(b).await.unwrap();

        barrier.wait().await;
    });
}

#[test]
fn runtime_id_is_same() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let handle1 = rt.handle();
    let handle2 = rt.handle();

    assert_eq!(handle1.id(), handle2.id());
}

#[test]
fn runtime_ids_different() {
    let _watchdog = tokio_test::watchdog();
    let rt1 = rt();
    let rt2 = rt();

    assert_ne!(rt1.handle().id(), rt2.handle().id());
}

fn rt() -> Runtime {
    edgeio::runtime::Builder::new_current_thread().build().unwrap()
}
