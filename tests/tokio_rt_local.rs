#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/rt_local.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::runtime::LocalOptions;
use edgeio::task::spawn_local;
use edgeio::task::LocalSet;
use std::panic;

#[test]
fn test_spawn_local_in_runtime() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let res = rt.block_on(async move {
        let (tx, rx) = edgeio::sync::oneshot::channel();

        spawn_local(async {
            edgeio::task::yield_now().await;
            tx.send(5).unwrap();
        });

        rx.await.unwrap()
    });

    assert_eq!(res, 5);
}

#[test]
fn test_spawn_from_handle() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let (tx, rx) = edgeio::sync::oneshot::channel();

    rt.handle().spawn(async {
        edgeio::task::yield_now().await;
        tx.send(5).unwrap();
    });

    let res = rt.block_on(async move { rx.await.unwrap() });

    assert_eq!(res, 5);
}

#[test]
fn test_spawn_local_on_runtime_object() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let (tx, rx) = edgeio::sync::oneshot::channel();

    rt.spawn_local(async {
        edgeio::task::yield_now().await;
        tx.send(5).unwrap();
    });

    let res = rt.block_on(async move { rx.await.unwrap() });

    assert_eq!(res, 5);
}

#[test]
fn test_spawn_local_from_guard() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();

    let (tx, rx) = edgeio::sync::oneshot::channel();

    let _guard = rt.enter();

    spawn_local(async {
        edgeio::task::yield_now().await;
        tx.send(5).unwrap();
    });

    let res = rt.block_on(async move { rx.await.unwrap() });

    assert_eq!(res, 5);
}

#[test]
fn test_spawn_from_guard_other_thread() {
    let _watchdog = tokio_test::watchdog();
    let (tx, rx) = std::sync::mpsc::channel();

    std::thread::spawn(move || {
        let rt = rt();
        let handle = rt.handle().clone();

        tx.send(handle).unwrap();
    });

    let handle = rx.recv().unwrap();

    let _guard = handle.enter();

    edgeio::spawn(async {});
}

// Adapted: edgeio's `spawn_local` looks for a local set entered on the
// calling thread; a `Handle` entered there (the runtime's, not its set's)
// is none, so it panics with its "outside of a `task::LocalSet`" message
// rather than tokio's.
#[test]
#[should_panic = "`spawn_local` called from outside of a `task::LocalSet` or `runtime::LocalRuntime`"]
fn test_spawn_local_from_guard_other_thread() {
    let _watchdog = tokio_test::watchdog();
    let (tx, rx) = std::sync::mpsc::channel();

    std::thread::spawn(move || {
        let rt = rt();
        let handle = rt.handle().clone();

        tx.send(handle).unwrap();
    });

    let handle = rx.recv().unwrap();

    let _guard = handle.enter();

    spawn_local(async {});
}

// This test guarantees that **`edgeio::task::spawn_local` panics** when it is invoked
// from a thread that is *not* running the `LocalRuntime` / `LocalSet` to which
// the task would belong.
// The test creates a `LocalRuntime` and `LocalSet`, drives the `LocalSet` on the `LocalRuntime`'s thread,
// then spawns a **separate OS thread** and tries to call
// `edgeio::task::spawn_local` there.
#[test]
#[should_panic = "`spawn_local` called from outside of a `task::LocalSet` or `runtime::LocalRuntime`"]
fn test_spawn_local_panic() {
    let _watchdog = tokio_test::watchdog();
    let rt = rt();
    let local = LocalSet::new();

    rt.block_on(local.run_until(async {
        let panic = std::thread::spawn(|| {
            let _jh = edgeio::task::spawn_local(async {
                println!("you will never see this line");
            });
        })
        .join()
        .unwrap_err();

        // When panic=unwind
        panic::resume_unwind(panic);
    }));
}

// Adapted: edgeio's current-thread runtime runs `spawn_local` tasks
// inside its `block_on` (docs/TOKIO-PORTING.md, `task::spawn_local`), where
// tokio's asks for a `LocalSet` or a `LocalRuntime`.
#[test]
fn test_spawn_local_in_current_thread_runtime() {
    let _watchdog = tokio_test::watchdog();
    let rt = edgeio::runtime::Builder::new_current_thread().build().unwrap();

    rt.block_on(async move {
        assert_eq!(spawn_local(async { 5 }).await.unwrap(), 5);
    })
}

#[test]
#[should_panic = "`spawn_local` called from outside of a `task::LocalSet` or `runtime::LocalRuntime`"]
fn test_spawn_local_in_multi_thread_runtime() {
    let _watchdog = tokio_test::watchdog();
    let rt = edgeio::runtime::Builder::new_multi_thread().build().unwrap();

    rt.block_on(async move {
        spawn_local(async {});
    })
}

fn rt() -> edgeio::runtime::LocalRuntime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build_local(LocalOptions::default())
        .unwrap()
}
