//! `spawn_blocking`: jobs run off the workers, in parallel, with results,
//! panics and cancellation reported through the JoinHandle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use edgeio_runtime::time::sleep;
use edgeio_runtime::{spawn, spawn_blocking, Builder};

fn with_watchdog(limit: Duration, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(())) => {}
        Ok(Err(p)) => std::panic::resume_unwind(p),
        Err(_) => panic!("test timed out after {limit:?}"),
    }
}

#[test]
fn blocking_jobs_do_not_stall_workers() {
    with_watchdog(Duration::from_secs(30), || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            // Four jobs that each block for 200 ms run in parallel.
            let start = Instant::now();
            let jobs: Vec<_> = (0..4)
                .map(|i| {
                    spawn_blocking(move || {
                        thread::sleep(Duration::from_millis(200));
                        i * 2
                    })
                })
                .collect();
            // Meanwhile the single worker keeps running async tasks.
            let ticks = spawn(async {
                let mut n = 0;
                for _ in 0..10 {
                    sleep(Duration::from_millis(5)).await;
                    n += 1;
                }
                n
            });
            assert_eq!(ticks.await.unwrap(), 10);
            assert!(start.elapsed() < Duration::from_millis(190), "worker was blocked");
            let mut results = Vec::new();
            for job in jobs {
                results.push(job.await.unwrap());
            }
            assert_eq!(results, vec![0, 2, 4, 6]);
            assert!(
                start.elapsed() < Duration::from_millis(700),
                "jobs did not run in parallel"
            );
        });
    });
}

#[test]
fn blocking_panic_is_reported() {
    with_watchdog(Duration::from_secs(30), || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            let err = spawn_blocking(|| panic!("blocking boom")).await.unwrap_err();
            assert!(err.is_panic());
            assert_eq!(spawn_blocking(|| 1).await.unwrap(), 1);
        });
    });
}

#[test]
fn pool_is_bounded_and_threads_expire() {
    with_watchdog(Duration::from_secs(30), || {
        let runtime = Builder::new()
            .worker_threads(1)
            .max_blocking_threads(2)
            .blocking_keep_alive(Duration::from_millis(100))
            .build()
            .unwrap();
        runtime.block_on(async {
            let running = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            let jobs: Vec<_> = (0..8)
                .map(|_| {
                    let (running, peak) = (running.clone(), peak.clone());
                    spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                })
                .collect();
            for job in jobs {
                job.await.unwrap();
            }
            assert_eq!(peak.load(Ordering::SeqCst), 2);
            let handle = edgeio_runtime::Handle::current();
            let deadline = Instant::now() + Duration::from_secs(5);
            while handle.metrics().blocking_threads > 0 {
                assert!(Instant::now() < deadline, "idle blocking threads did not exit");
                sleep(Duration::from_millis(20)).await;
            }
        });
    });
}

#[test]
fn blocking_job_can_spawn_onto_the_runtime() {
    with_watchdog(Duration::from_secs(30), || {
        let runtime = Builder::new().worker_threads(2).build().unwrap();
        runtime.block_on(async {
            let inner = spawn_blocking(|| spawn(async { 9 })).await.unwrap();
            assert_eq!(inner.await.unwrap(), 9);
        });
    });
}

#[test]
fn shutdown_timeout_returns_while_a_job_is_still_blocked() {
    with_watchdog(Duration::from_secs(30), || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let started = Arc::new(Barrier::new(2));
        let release = Arc::new(Barrier::new(2));
        let (s, r) = (started.clone(), release.clone());
        runtime
            .spawn_blocking(move || {
                s.wait();
                r.wait();
            })
            .detach();
        started.wait();
        let begin = Instant::now();
        assert!(!runtime.shutdown_timeout(Duration::from_millis(100)));
        let took = begin.elapsed();
        assert!(
            took >= Duration::from_millis(100) && took < Duration::from_secs(5),
            "{took:?}"
        );
        release.wait();
    });
}
