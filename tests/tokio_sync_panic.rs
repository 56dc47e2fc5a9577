#![warn(rust_2018_idioms)]
#![cfg(panic = "unwind")]
//! tokio's `tokio/tests/sync_panic.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`; adaptations are commented where made. `edgeio::sync` is
//! `tokio::sync` re-exported, the runtimes are edgeio's. tokio's
//! `support/panic.rs` is `test_panic` in `support/tokio_test.rs`.
//!
//! Left out: nothing.
//!
//! Adapted: the nine tests that call a `blocking_*` method inside
//! `block_on` (tokio expects its panic there, located in this file) check
//! that edgeio does not panic, as docs/TOKIO-PORTING.md says ("Differences"
//! under sync); those that would wait for a message get one queued first,
//! so that they return instead of blocking the worker for ever.

use edgeio::{
    runtime::{Builder, Runtime},
    sync::{broadcast, mpsc, oneshot, Mutex, RwLock, Semaphore},
};
use std::{error::Error, sync::Arc};

#[path = "support/tokio_test.rs"]
mod tokio_test;

use tokio_test::test_panic;

#[test]
fn broadcast_channel_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let (_, _) = broadcast::channel::<u32>(0);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. The lock is free, so it returns at
// once.
#[test]
fn mutex_blocking_lock_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        rt.block_on(async {
            let mutex = Mutex::new(5_u32);
            let _g = mutex.blocking_lock();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. tokio's test leaves the channel
// empty (its sender alive), which here would block the worker for ever: a
// message is queued first (`tx.send`), so it returns at once.
#[test]
fn oneshot_blocking_recv_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        rt.block_on(async {
            let (tx, rx) = oneshot::channel::<u8>();
            tx.send(1).unwrap();
            let _ = rx.blocking_recv();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn rwlock_with_max_readers_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let _ = RwLock::<u8>::with_max_readers(0, (u32::MAX >> 3) + 1);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. The lock is free, so it returns at
// once.
#[test]
fn rwlock_blocking_read_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        rt.block_on(async {
            let lock = RwLock::<u8>::new(0);
            let _ = lock.blocking_read();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. The lock is free, so it returns at
// once.
#[test]
fn rwlock_blocking_write_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        rt.block_on(async {
            let lock = RwLock::<u8>::new(0);
            let _ = lock.blocking_write();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn mpsc_bounded_channel_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let (_, _) = mpsc::channel::<u8>(0);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. tokio's test leaves the channel
// empty, which here would block the worker for ever: a message is queued
// first (`tx.try_send`), so it returns at once.
#[test]
fn mpsc_bounded_receiver_blocking_recv_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        tx.try_send(1).unwrap();
        rt.block_on(async {
            let _ = rx.blocking_recv();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. tokio's test leaves the channel
// empty, which here would block the worker for ever: a message is queued
// first (`tx.try_send`), so it returns at once.
#[test]
fn mpsc_bounded_receiver_blocking_recv_many_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        tx.try_send(1).unwrap();
        rt.block_on(async {
            let _ = rx.blocking_recv();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. The channel has room, so it returns
// at once.
#[test]
fn mpsc_bounded_sender_blocking_send_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        let (tx, _rx) = mpsc::channel::<u8>(1);
        rt.block_on(async {
            let _ = tx.blocking_send(3);
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. tokio's test leaves the channel
// empty, which here would block the worker for ever: a message is queued
// first (`tx.send`), so it returns at once.
#[test]
fn mpsc_unbounded_receiver_blocking_recv_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        tx.send(1).unwrap();
        rt.block_on(async {
            let _ = rx.blocking_recv();
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync), so there is no panic whose location to check: the test checks
// that the call returned without one. tokio's test leaves the channel
// empty, which here would block the worker for ever: a message is queued
// first (`tx.send`), so it returns at once.
#[test]
fn mpsc_unbounded_receiver_blocking_recv_many_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let rt = current_thread();
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        tx.send(1).unwrap();
        let mut vec = vec![];
        rt.block_on(async {
            let _ = rx.blocking_recv_many(&mut vec, 1);
        });
    });

    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn semaphore_merge_unrelated_owned_permits() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let sem1 = Arc::new(Semaphore::new(42));
        let sem2 = Arc::new(Semaphore::new(42));
        let mut p1 = sem1.try_acquire_owned().unwrap();
        let p2 = sem2.try_acquire_owned().unwrap();
        p1.merge(p2);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
fn semaphore_merge_unrelated_permits() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let sem1 = Semaphore::new(42);
        let sem2 = Semaphore::new(42);
        let mut p1 = sem1.try_acquire().unwrap();
        let p2 = sem2.try_acquire().unwrap();
        p1.merge(p2);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}
