//! `task::JoinSet`: completion order, aborts (explicit, on drop, on
//! shutdown), panics as `JoinError`s, ids, and a large set drained fast.

#[path = "support/multi_thread.rs"]
mod multi_thread;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use edgeio::sync::oneshot;
use edgeio::task::{self, JoinSet};
use multi_thread::{each_runtime, wait_until};

/// Counts its drops, to see that an aborted task's future is gone.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn join_next_yields_in_completion_order() {
    each_runtime(|| async {
        let mut set = JoinSet::new();
        let mut releases = Vec::new();
        for i in 0..3 {
            let (release, released) = oneshot::channel::<()>();
            releases.push(Some(release));
            set.spawn(async move {
                released.await.unwrap();
                i
            });
        }
        assert_eq!(set.len(), 3);
        for i in [2, 0, 1] {
            releases[i].take().unwrap().send(()).unwrap();
            assert_eq!(set.join_next().await.unwrap().unwrap(), i);
        }
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
    });
}

#[test]
fn a_hundred_thousand_tasks_join_quickly() {
    each_runtime(|| async {
        const TASKS: usize = 100_000;
        let mut set = JoinSet::new();
        for i in 0..TASKS {
            set.spawn(async move { i });
        }
        assert_eq!(set.len(), TASKS);
        let mut sum = 0;
        let mut joined = 0;
        while let Some(result) = set.join_next().await {
            sum += result.unwrap();
            joined += 1;
        }
        assert_eq!(joined, TASKS);
        assert_eq!(sum, TASKS * (TASKS - 1) / 2);
    });
}

#[test]
fn dropping_the_set_aborts_its_tasks() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..50 {
            let guard = DropCounter(dropped.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
        drop(set);
        wait_until(|| dropped.load(Ordering::SeqCst) == 50).await;
    });
}

#[test]
fn abort_all_yields_cancelled_errors() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let guard = DropCounter(dropped.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<u32>().await
            });
        }
        set.abort_all();
        assert_eq!(set.len(), 10, "aborted tasks stay until joined");
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            let err = result.unwrap_err();
            assert!(err.is_cancelled() && !err.is_panic());
            assert_eq!(err.to_string(), format!("task {} was cancelled", err.id()));
            cancelled += 1;
        }
        assert_eq!(cancelled, 10);
        assert_eq!(dropped.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn shutdown_empties_the_set() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for i in 0..10 {
            let guard = DropCounter(dropped.clone());
            set.spawn(async move {
                let _guard = guard;
                if i % 2 == 0 {
                    std::future::pending::<()>().await;
                }
            });
        }
        set.shutdown().await;
        assert!(set.is_empty());
        assert_eq!(dropped.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn detach_all_lets_tasks_run_on() {
    each_runtime(|| async {
        let finished = Arc::new(AtomicUsize::new(0));
        let (release, released) = edgeio::sync::watch::channel(false);
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let finished = finished.clone();
            let mut released = released.clone();
            set.spawn(async move {
                released.wait_for(|go| *go).await.unwrap();
                finished.fetch_add(1, Ordering::SeqCst);
            });
        }
        set.detach_all();
        assert!(set.is_empty());
        drop(set);
        release.send(true).unwrap();
        wait_until(|| finished.load(Ordering::SeqCst) == 5).await;
    });
}

#[test]
fn panics_surface_as_join_errors() {
    each_runtime(|| async {
        let mut set = JoinSet::new();
        let abort = set.spawn(async { panic!("boom") });
        set.spawn(async { 1u8 });
        let mut panicked = 0;
        let mut ok = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(value) => {
                    assert_eq!(value, 1);
                    ok += 1;
                }
                Err(err) => {
                    assert!(err.is_panic() && !err.is_cancelled());
                    assert_eq!(err.id(), abort.id());
                    assert_eq!(
                        err.to_string(),
                        format!("task {} panicked with message \"boom\"", abort.id())
                    );
                    assert_eq!(
                        format!("{err:?}"),
                        format!("JoinError::Panic({:?}, \"boom\", ...)", abort.id())
                    );
                    let payload = err.into_panic();
                    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
                    panicked += 1;
                }
            }
        }
        assert_eq!((ok, panicked), (1, 1));
    });
}

#[test]
fn ids_match_abort_handles() {
    each_runtime(|| async {
        let mut set = JoinSet::new();
        let mut expected = HashSet::new();
        for _ in 0..20 {
            let handle = set.spawn(async { task::id() });
            assert!(expected.insert(handle.id()), "ids are unique");
        }
        while let Some(result) = set.join_next_with_id().await {
            let (id, inner_id) = result.unwrap();
            assert_eq!(id, inner_id, "task::id() inside the task is its id");
            assert!(expected.remove(&id));
        }
        assert!(expected.is_empty());
    });
}

#[test]
fn try_join_next_does_not_wait() {
    each_runtime(|| async {
        let mut set = JoinSet::new();
        assert!(set.try_join_next().is_none());
        let (release, released) = oneshot::channel::<()>();
        set.spawn(async move {
            released.await.unwrap();
            5
        });
        assert!(set.try_join_next().is_none());
        release.send(()).unwrap();
        let mut got = None;
        for _ in 0..2000 {
            if let Some(result) = set.try_join_next() {
                got = Some(result.unwrap());
                break;
            }
            edgeio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(got, Some(5));
        assert!(set.is_empty());
    });
}

#[test]
fn spawn_on_blocking_and_collect() {
    each_runtime(|| async {
        let handle = edgeio::Handle::current();
        let mut set: JoinSet<u32> = (0..4u32).map(|i| async move { i }).collect();
        set.spawn_on(async { 10 }, &handle);
        set.spawn_blocking(|| {
            assert!(task::try_id().is_some(), "a blocking job has an id too");
            20
        });
        set.spawn_blocking_on(|| 30, &handle);
        set.extend([async { 100 }]);
        let mut outputs = set.join_all().await;
        outputs.sort_unstable();
        assert_eq!(outputs, [0, 1, 2, 3, 10, 20, 30, 100]);
    });
}

#[test]
fn join_all_propagates_a_panic() {
    each_runtime(|| async {
        let joiner = edgeio::spawn(async {
            let mut set = JoinSet::new();
            set.spawn(async { panic!("inner") });
            set.spawn(std::future::pending::<()>());
            set.join_all().await
        });
        let err = joiner.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"inner"));
    });
}

#[test]
fn join_next_is_cancel_safe() {
    each_runtime(|| async {
        let mut set = JoinSet::new();
        let (release, released) = oneshot::channel::<()>();
        set.spawn(async move {
            released.await.unwrap();
            7
        });
        // Give up on join_next a few times before the task finishes.
        for _ in 0..3 {
            let timed_out = edgeio::time::timeout(Duration::from_millis(5), set.join_next()).await;
            assert!(timed_out.is_err());
        }
        release.send(()).unwrap();
        assert_eq!(set.join_next().await.unwrap().unwrap(), 7);
    });
}

#[test]
fn join_next_spends_the_coop_budget() {
    each_runtime(|| async {
        const TASKS: u32 = 1000;
        let started = Arc::new(edgeio::sync::Semaphore::new(0));
        let mut set = JoinSet::new();
        for _ in 0..TASKS {
            let started = started.clone();
            set.spawn(async move { started.add_permits(1) });
        }
        drop(started.acquire_many(TASKS).await.unwrap());
        let (mut joined, mut yields) = (0, 0);
        for _ in 0..1_000_000 {
            match futures_util::FutureExt::now_or_never(set.join_next()) {
                Some(Some(result)) => {
                    result.unwrap();
                    joined += 1;
                }
                Some(None) => break,
                None => {
                    yields += 1;
                    task::yield_now().await;
                }
            }
        }
        assert_eq!(joined, TASKS);
        assert!(
            yields >= 1,
            "1000 finished tasks joined without spending the budget"
        );
    });
}

#[test]
fn a_replaced_waker_is_dropped_outside_the_lock() {
    use std::task::{Context, Wake, Waker};

    /// Aborts a task of the set when dropped: the abort wakes the set's
    /// slot waker on this thread, which takes the set's lock.
    struct AbortOnDrop(edgeio::task::AbortHandle);

    impl Wake for AbortOnDrop {
        fn wake(self: Arc<Self>) {}
    }

    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }

    each_runtime(|| async {
        let mut set = JoinSet::new();
        let abort = set.spawn(std::future::pending::<()>());
        let waker = Waker::from(Arc::new(AbortOnDrop(abort)));
        assert!(set.poll_join_next(&mut Context::from_waker(&waker)).is_pending());
        drop(waker);
        let noop = futures_util::task::noop_waker();
        // Replaces (drops) the AbortOnDrop waker: must not deadlock.
        let _ = set.poll_join_next(&mut Context::from_waker(&noop));
        let result = set.join_next().await.unwrap();
        assert!(result.unwrap_err().is_cancelled());
    });
}

#[test]
fn tasks_of_a_dropped_runtime_are_cancelled() {
    let mut set = JoinSet::new();
    {
        let runtime = edgeio::Builder::new().worker_threads(1).build().unwrap();
        set.spawn_on(std::future::pending::<u8>(), runtime.handle());
    }
    let runtime = edgeio::Builder::new().worker_threads(1).build().unwrap();
    let result = runtime.block_on(edgeio::time::timeout(Duration::from_secs(30), set.join_next()));
    assert!(result.unwrap().unwrap().unwrap_err().is_cancelled());
}
