//! `edgeio::sync` (tokio's primitives) used by edgeio tasks on several
//! workers, and between tasks and plain threads.

#[path = "support/multi_thread.rs"]
mod multi_thread;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use edgeio::sync::{broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, OnceCell, RwLock, Semaphore};
use edgeio::task::JoinSet;
use edgeio::time::{sleep, timeout};
use multi_thread::each_runtime;

#[test]
fn mpsc_from_many_tasks() {
    each_runtime(|| async {
        let (tx, mut rx) = mpsc::channel::<(usize, usize)>(8);
        let mut set = JoinSet::new();
        for sender in 0..8 {
            let tx = tx.clone();
            set.spawn(async move {
                for i in 0..100 {
                    tx.send((sender, i)).await.unwrap();
                }
            });
        }
        drop(tx);
        let mut next = [0; 8];
        let mut received = 0;
        while let Some((sender, i)) = rx.recv().await {
            assert_eq!(next[sender], i, "per-sender order is kept");
            next[sender] += 1;
            received += 1;
        }
        assert_eq!(received, 800);
        while let Some(result) = set.join_next().await {
            result.unwrap();
        }

        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(1).unwrap();
        drop(tx);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn mpsc_with_a_plain_thread() {
    each_runtime(|| async {
        let (tx, mut rx) = mpsc::channel(1);
        let (back_tx, mut back_rx) = mpsc::channel(1);
        let thread = std::thread::spawn(move || {
            for i in 0..50 {
                tx.blocking_send(i).unwrap();
                assert_eq!(back_rx.blocking_recv(), Some(i * 2));
            }
        });
        while let Some(i) = rx.recv().await {
            back_tx.send(i * 2).await.unwrap();
        }
        edgeio::spawn_blocking(move || thread.join().unwrap())
            .await
            .unwrap();
    });
}

#[test]
fn broadcast_receivers_that_lag_skip_ahead() {
    each_runtime(|| async {
        let (tx, mut slow) = broadcast::channel(2);
        let mut fast = tx.subscribe();
        for i in 0..5 {
            // Never waits for the slow receiver.
            tx.send(i).unwrap();
            assert_eq!(fast.recv().await.unwrap(), i);
        }
        assert_eq!(slow.recv().await, Err(broadcast::error::RecvError::Lagged(3)));
        assert_eq!(slow.recv().await.unwrap(), 3);
        assert_eq!(slow.recv().await.unwrap(), 4);
        drop(tx);
        assert_eq!(slow.recv().await, Err(broadcast::error::RecvError::Closed));
    });
}

#[test]
fn broadcast_to_tasks_on_every_worker() {
    each_runtime(|| async {
        let (tx, _) = broadcast::channel::<u32>(16);
        let mut set = JoinSet::new();
        let ready = Arc::new(Barrier::new(11));
        for _ in 0..10 {
            let mut rx = tx.subscribe();
            let ready = ready.clone();
            set.spawn(async move {
                ready.wait().await;
                let mut sum = 0;
                while let Ok(n) = rx.recv().await {
                    sum += n;
                }
                sum
            });
        }
        ready.wait().await;
        for n in 1..=10 {
            tx.send(n).unwrap();
        }
        drop(tx);
        for sum in set.join_all().await {
            assert_eq!(sum, 55);
        }
    });
}

#[test]
fn watch_and_oneshot() {
    each_runtime(|| async {
        let (tx, mut rx) = watch::channel(0);
        let waiter = edgeio::spawn(async move {
            rx.wait_for(|v| *v == 3).await.unwrap();
            *rx.borrow()
        });
        for v in 1..=3 {
            tx.send(v).unwrap();
            sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(waiter.await.unwrap(), 3);

        let (tx, rx) = oneshot::channel::<u8>();
        drop(tx);
        assert!(rx.await.is_err());
        let (tx, rx) = oneshot::channel();
        edgeio::spawn(async move { tx.send("done").unwrap() }).detach();
        assert_eq!(rx.await.unwrap(), "done");
    });
}

#[test]
fn mutex_and_rwlock_under_contention() {
    each_runtime(|| async {
        let counter = Arc::new(Mutex::new(0u64));
        let table = Arc::new(RwLock::new(Vec::new()));
        let mut set = JoinSet::new();
        for t in 0..8u64 {
            let counter = counter.clone();
            let table = table.clone();
            set.spawn(async move {
                for _ in 0..200 {
                    let mut guard = counter.lock().await;
                    let seen = *guard;
                    // Held across an await: other tasks must wait.
                    edgeio::yield_now().await;
                    *guard = seen + 1;
                }
                table.write().await.push(t);
                table.read().await.len()
            });
        }
        while let Some(result) = set.join_next().await {
            assert!(result.unwrap() >= 1);
        }
        assert_eq!(*counter.lock().await, 1600);
        let owned = counter.clone().lock_owned().await;
        assert!(counter.try_lock().is_err());
        drop(owned);
        assert_eq!(table.read().await.len(), 8);
    });
}

#[test]
fn semaphore_bounds_concurrency() {
    each_runtime(|| async {
        let permits = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..20 {
            let (permits, inside, most) = (permits.clone(), inside.clone(), most.clone());
            set.spawn(async move {
                let _permit = permits.acquire_owned().await.unwrap();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                sleep(Duration::from_millis(1)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            });
        }
        while let Some(result) = set.join_next().await {
            result.unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= 3);
        assert_eq!(permits.available_permits(), 3);
        permits.close();
        assert!(permits.acquire().await.is_err());
    });
}

#[test]
fn notify_keeps_one_permit() {
    each_runtime(|| async {
        let notify = Arc::new(Notify::new());
        // Nobody waits yet: the permit is stored for the next waiter.
        notify.notify_one();
        timeout(Duration::from_secs(10), notify.notified()).await.unwrap();

        let waiter = {
            let notify = notify.clone();
            edgeio::spawn(async move { notify.notified().await })
        };
        // notify_waiters wakes only those already waiting, so repeat
        // until the waiter was there to see it.
        for _ in 0..2000 {
            if waiter.is_finished() {
                break;
            }
            notify.notify_waiters();
            sleep(Duration::from_millis(5)).await;
        }
        waiter.await.unwrap();
    });
}

#[test]
fn once_cell_initializes_once() {
    each_runtime(|| async {
        let cell = Arc::new(OnceCell::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..16 {
            let (cell, runs) = (cell.clone(), runs.clone());
            set.spawn(async move {
                *cell
                    .get_or_init(|| async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        sleep(Duration::from_millis(5)).await;
                        42
                    })
                    .await
            });
        }
        for value in set.join_all().await {
            assert_eq!(value, 42);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn barrier_elects_one_leader() {
    each_runtime(|| async {
        let barrier = Arc::new(Barrier::new(5));
        let mut set = JoinSet::new();
        for _ in 0..5 {
            let barrier = barrier.clone();
            set.spawn(async move { barrier.wait().await.is_leader() });
        }
        let leaders = set.join_all().await.into_iter().filter(|&leader| leader).count();
        assert_eq!(leaders, 1);
    });
}
