//! Scheduling under overload: more ready tasks than a worker keeps in its
//! local queue. The tests here measure waits, so they run one at a time.

use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use edgeio_runtime::time::sleep;
use edgeio_runtime::{spawn, Builder};

/// One overload at a time: two in parallel would share the CPUs and
/// stretch each other's waits.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `tasks` tasks on one worker for `load`, each doing 40 µs of work
/// and then waiting for a timer (so the reactor wakes it), and returns the
/// longest any of them waited to run again. Fails after 30 s even if the
/// runtime is wedged.
fn longest_wait(mut builder: Builder, tasks: usize, load: Duration) -> Duration {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let runtime = builder.worker_threads(1).build().unwrap();
        let longest = runtime.block_on(async move {
            let until = Instant::now() + load;
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    spawn(async move {
                        let mut last = Instant::now();
                        let mut longest_wait = Duration::ZERO;
                        while last < until {
                            let work = Instant::now();
                            while work.elapsed() < Duration::from_micros(40) {
                                std::hint::spin_loop();
                            }
                            sleep(Duration::from_micros(1)).await;
                            let now = Instant::now();
                            longest_wait = longest_wait.max(now - last);
                            last = now;
                        }
                        longest_wait
                    })
                })
                .collect();
            let mut longest = Duration::ZERO;
            for handle in handles {
                longest = longest.max(handle.await.unwrap());
            }
            longest
        });
        let _ = tx.send(longest);
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the overloaded runtime did not finish within 30 s")
}

/// Under overload a worker serves its local queue and the injector in
/// proportion to their lengths, so no task waits much longer than one pass
/// over every waiting task, however many fresher tasks the reactor keeps
/// waking into the local queue. Here 2000 tasks overload one worker for
/// 3 s: one pass takes about 2000 × 40 µs = 80 ms. Taking one task from the
/// injector per 61 polls instead, as a plain hot queue would, leaves some
/// of them waiting for seconds.
#[test]
fn overload_does_not_starve_the_tasks_beyond_the_local_queue() {
    let longest = longest_wait(Builder::new(), 2000, Duration::from_secs(3));
    assert!(
        longest < Duration::from_secs(1),
        "a task waited {longest:?} to run again"
    );
}
