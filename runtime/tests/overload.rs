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
fn longest_wait(builder: Builder, tasks: usize, load: Duration) -> Duration {
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

/// Under overload a worker keeps only so many reactor-woken tasks in its
/// local queue; the rest wait in the injector, and every poll of the
/// reactor moves the share of them that is due, so none waits much longer
/// than the injector's bound (250 ms by default) however many fresher tasks
/// keep becoming ready. Here 2000 tasks overload one worker for 3 s.
/// Taking one task from the injector per 61 polls instead, as a plain hot
/// queue would (or a bound of 100 s), leaves some of them waiting the
/// whole 3 s.
#[test]
fn overload_does_not_starve_the_tasks_beyond_the_hot_queue() {
    let longest = longest_wait(Builder::new(), 2000, Duration::from_secs(3));
    // About 245 ms on an idle machine, 260 ms with both CPUs busy elsewhere.
    assert!(
        longest < Duration::from_secs(1),
        "a task waited {longest:?} to run again"
    );
}

/// A zero bound moves every waiting task ahead of fresh events at each
/// poll of the reactor: tasks run close to the order they became ready.
#[test]
fn a_zero_max_injector_wait_serves_the_injector_first() {
    let builder = Builder::new().max_injector_wait(Duration::ZERO);
    let longest = longest_wait(builder, 2000, Duration::from_secs(1));
    assert!(
        longest < Duration::from_secs(1),
        "a task waited {longest:?} to run again"
    );
}

/// The bound is the builder's: a long one lets the local queue's tasks run
/// ahead of the injector's, which then only the regular checks drain (one
/// task per 200 µs of polls: here about 5000 a second, so 5000 tasks wait
/// about a second).
#[test]
fn a_long_max_injector_wait_lets_the_hot_queue_run_ahead() {
    let builder = Builder::new().max_injector_wait(Duration::from_secs(10));
    let longest = longest_wait(builder, 5000, Duration::from_secs(3));
    assert!(
        longest > Duration::from_millis(500),
        "the longest wait was only {longest:?}"
    );
}
