//! tokio's `tokio/tests/sync_semaphore.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio` (`edgeio::sync::Semaphore` is tokio's, re-exported). The
//! `#[test]`s get the watchdog of `support/tokio_test.rs`.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::sync::Semaphore;
use std::sync::Arc;

#[test]
fn no_permits() {
    let _watchdog = tokio_test::watchdog();
    // this should not panic
    Semaphore::new(0);
}

#[test]
fn try_acquire() {
    let _watchdog = tokio_test::watchdog();
    let sem = Semaphore::new(1);
    {
        let p1 = sem.try_acquire();
        assert!(p1.is_ok());
        let p2 = sem.try_acquire();
        assert!(p2.is_err());
    }
    let p3 = sem.try_acquire();
    assert!(p3.is_ok());
}

#[edgeio::test]
async fn acquire() {
    let sem = Arc::new(Semaphore::new(1));
    let p1 = sem.try_acquire().unwrap();
    let sem_clone = sem.clone();
    let j = edgeio::spawn(async move {
        let _p2 = sem_clone.acquire().await;
    });
    drop(p1);
    j.await.unwrap();
}

#[edgeio::test]
async fn add_permits() {
    let sem = Arc::new(Semaphore::new(0));
    let sem_clone = sem.clone();
    let j = edgeio::spawn(async move {
        let _p2 = sem_clone.acquire().await;
    });
    sem.add_permits(1);
    j.await.unwrap();
}

#[test]
fn add_permits_open() {
    let _watchdog = tokio_test::watchdog();
    for size in 0..4 {
        for add in 0..4 {
            let sem = Arc::new(Semaphore::new(size));
            sem.add_permits(add);
            assert_eq!(sem.available_permits(), size + add);
            assert!(!sem.is_closed());
        }
    }
}

#[test]
fn add_permits_closed() {
    let _watchdog = tokio_test::watchdog();
    for size in 0..4 {
        for add in 0..4 {
            let sem = Arc::new(Semaphore::new(size));
            sem.close();
            sem.add_permits(add);
            assert_eq!(sem.available_permits(), size + add);
            assert!(sem.is_closed());
        }
    }
}

#[test]
fn forget() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(1));
    {
        let p = sem.try_acquire().unwrap();
        assert_eq!(sem.available_permits(), 0);
        p.forget();
        assert_eq!(sem.available_permits(), 0);
    }
    assert_eq!(sem.available_permits(), 0);
    assert!(sem.try_acquire().is_err());
}

#[test]
fn forget_open() {
    let _watchdog = tokio_test::watchdog();
    for size in 0..4 {
        for sub in 0..4 {
            let sem = Arc::new(Semaphore::new(size));
            let actual_sub = sem.forget_permits(sub);
            let expected = size.saturating_sub(sub);
            assert_eq!(sem.available_permits(), expected, "case: {size}-{sub}");
            assert_eq!(actual_sub, size - expected);
            assert!(!sem.is_closed());
        }
    }
}

#[test]
fn forget_closed() {
    let _watchdog = tokio_test::watchdog();
    for size in 0..4 {
        for sub in 0..4 {
            let sem = Arc::new(Semaphore::new(size));
            sem.close();
            let actual_sub = sem.forget_permits(sub);
            let expected = size.saturating_sub(sub);
            assert_eq!(sem.available_permits(), expected, "case: {size}-{sub}");
            assert_eq!(actual_sub, size - expected);
            assert!(sem.is_closed());
        }
    }
}

#[test]
fn merge() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(3));
    {
        let mut p1 = sem.try_acquire().unwrap();
        assert_eq!(sem.available_permits(), 2);
        let p2 = sem.try_acquire_many(2).unwrap();
        assert_eq!(sem.available_permits(), 0);
        p1.merge(p2);
        assert_eq!(sem.available_permits(), 0);
    }
    assert_eq!(sem.available_permits(), 3);
}

#[test]
#[should_panic]
fn merge_unrelated_permits() {
    let _watchdog = tokio_test::watchdog();
    let sem1 = Arc::new(Semaphore::new(3));
    let sem2 = Arc::new(Semaphore::new(3));
    let mut p1 = sem1.try_acquire().unwrap();
    let p2 = sem2.try_acquire().unwrap();
    p1.merge(p2);
}

#[test]
fn split() {
    let _watchdog = tokio_test::watchdog();
    let sem = Semaphore::new(5);
    let mut p1 = sem.try_acquire_many(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(p1.num_permits(), 3);
    let mut p2 = p1.split(1).unwrap();
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(p1.num_permits(), 2);
    assert_eq!(p2.num_permits(), 1);
    let p3 = p1.split(0).unwrap();
    assert_eq!(p3.num_permits(), 0);
    drop(p1);
    assert_eq!(sem.available_permits(), 4);
    let p4 = p2.split(1).unwrap();
    assert_eq!(p2.num_permits(), 0);
    assert_eq!(p4.num_permits(), 1);
    assert!(p2.split(1).is_none());
    drop(p2);
    assert_eq!(sem.available_permits(), 4);
    drop(p3);
    assert_eq!(sem.available_permits(), 4);
    drop(p4);
    assert_eq!(sem.available_permits(), 5);
}

#[edgeio::test]
async fn stress_test() {
    let sem = Arc::new(Semaphore::new(5));
    let mut join_handles = Vec::new();
    for _ in 0..1000 {
        let sem_clone = sem.clone();
        join_handles.push(edgeio::spawn(async move {
            let _p = sem_clone.acquire().await;
        }));
    }
    for j in join_handles {
        j.await.unwrap();
    }
    // there should be exactly 5 semaphores available now
    let _p1 = sem.try_acquire().unwrap();
    let _p2 = sem.try_acquire().unwrap();
    let _p3 = sem.try_acquire().unwrap();
    let _p4 = sem.try_acquire().unwrap();
    let _p5 = sem.try_acquire().unwrap();
    assert!(sem.try_acquire().is_err());
}

#[test]
fn add_max_amount_permits() {
    let _watchdog = tokio_test::watchdog();
    let s = edgeio::sync::Semaphore::new(0);
    s.add_permits(edgeio::sync::Semaphore::MAX_PERMITS);
    assert_eq!(s.available_permits(), edgeio::sync::Semaphore::MAX_PERMITS);
}

#[test]
#[should_panic]
fn add_more_than_max_amount_permits1() {
    let _watchdog = tokio_test::watchdog();
    let s = edgeio::sync::Semaphore::new(1);
    s.add_permits(edgeio::sync::Semaphore::MAX_PERMITS);
}

#[test]
#[should_panic]
fn add_more_than_max_amount_permits2() {
    let _watchdog = tokio_test::watchdog();
    let s = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    s.add_permits(1);
    s.add_permits(1);
}

#[test]
#[should_panic]
fn panic_when_exceeds_maxpermits() {
    let _watchdog = tokio_test::watchdog();
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
fn no_panic_at_maxpermits() {
    let _watchdog = tokio_test::watchdog();
    let _ = Semaphore::new(Semaphore::MAX_PERMITS);
    let s = Semaphore::new(Semaphore::MAX_PERMITS - 1);
    s.add_permits(1);
}

#[test]
fn blocking_acquire() {
    let _watchdog = tokio_test::watchdog();
    let sem = Semaphore::new(1);
    let permit = sem.blocking_acquire().unwrap();
    assert_eq!(sem.available_permits(), 0);
    drop(permit);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn blocking_acquire_waits_for_permit() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(0));

    let sem2 = sem.clone();
    let handle = std::thread::spawn(move || {
        // Blocks until a permit becomes available.
        let _permit = sem2.blocking_acquire().unwrap();
    });

    sem.add_permits(1);

    handle.join().unwrap();
}

#[test]
fn blocking_acquire_many() {
    let _watchdog = tokio_test::watchdog();
    let sem = Semaphore::new(5);
    let permit = sem.blocking_acquire_many(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    drop(permit);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn blocking_acquire_owned() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(1));
    let permit = sem.clone().blocking_acquire_owned().unwrap();
    assert_eq!(sem.available_permits(), 0);
    drop(permit);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn blocking_acquire_many_owned() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(5));
    let permit = sem.clone().blocking_acquire_many_owned(3).unwrap();
    assert_eq!(sem.available_permits(), 2);
    drop(permit);
    assert_eq!(sem.available_permits(), 5);
}

#[test]
fn blocking_acquire_closed() {
    let _watchdog = tokio_test::watchdog();
    let sem = Arc::new(Semaphore::new(1));
    sem.close();
    assert!(sem.blocking_acquire().is_err());
    assert!(sem.blocking_acquire_many(2).is_err());
    assert!(sem.clone().blocking_acquire_owned().is_err());
    assert!(sem.clone().blocking_acquire_many_owned(2).is_err());
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync). With a permit free, it returns at once.
#[edgeio::test]
async fn blocking_acquire_in_async_context() {
    let sem = Semaphore::new(1);
    let _permit = sem.blocking_acquire().unwrap();
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync). With a permit free, it returns at once.
#[edgeio::test]
async fn blocking_acquire_many_in_async_context() {
    let sem = Semaphore::new(1);
    let _permit = sem.blocking_acquire_many(1).unwrap();
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync). With a permit free, it returns at once.
#[edgeio::test]
async fn blocking_acquire_owned_in_async_context() {
    let sem = Arc::new(Semaphore::new(1));
    let _permit = sem.blocking_acquire_owned().unwrap();
}

// Adapted: edgeio's `sync` is tokio's built without its runtime, which
// cannot tell an edgeio worker from a plain thread: `blocking_*` there
// blocks instead of panicking (docs/TOKIO-PORTING.md, "Differences" under
// sync). With a permit free, it returns at once.
#[edgeio::test]
async fn blocking_acquire_many_owned_in_async_context() {
    let sem = Arc::new(Semaphore::new(1));
    let _permit = sem.blocking_acquire_many_owned(1).unwrap();
}
