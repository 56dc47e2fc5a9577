//! Shutdown is a closed state (issue #19, item 3): once a runtime is shut
//! down, whoever drops it and from wherever, no task of it stays alive, no
//! fd of a task stays open, every `JoinHandle` resolves, and spawning onto
//! a kept `Handle` costs nothing.

mod common;

use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{block_on_for, within};
use edgeio_runtime::time::sleep;
use edgeio_runtime::{spawn, Builder, Handle, Registration, Runtime};

const LIMIT: Duration = Duration::from_secs(20);
/// How long shutdown may take to close what its tasks held: far more
/// than dropping a few futures needs, even on a loaded host.
const SETTLE: Duration = Duration::from_secs(2);

/// A runtime that a task can take out and drop.
type Shared = Arc<Mutex<Option<Runtime>>>;

fn shared(runtime: Runtime) -> Shared {
    Arc::new(Mutex::new(Some(runtime)))
}

/// Drops the runtime kept in `shared`, from wherever this is called.
fn drop_runtime(shared: &Shared) {
    let runtime = shared.lock().unwrap().take();
    drop(runtime);
}

/// A listening socket served by an accept loop written the way users
/// write them: errors are retried after a short sleep. Returns the task's
/// future and the address it listens on.
fn accept_loop() -> (impl std::future::Future<Output = ()> + Send + 'static, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let task = async move {
        let listener = listener;
        // SAFETY: `listener` is declared first, so it outlives the
        // registration, also when the task is cancelled.
        let registration = match unsafe { Registration::new(listener.as_fd()) } {
            Ok(registration) => registration,
            Err(_) => return,
        };
        let started = Instant::now();
        while started.elapsed() < LIMIT {
            match registration.read_io(|| listener.accept()).await {
                Ok((conn, _)) => drop(conn),
                Err(_) => sleep(Duration::from_millis(10)).await,
            }
        }
    };
    (task, addr)
}

/// Waits (boundedly) until connecting to `addr` is refused, i.e. the
/// listening socket was closed; returns how long that took, or `None`.
fn refused_within(addr: SocketAddr, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => return Some(start.elapsed()),
            _ => thread::sleep(Duration::from_millis(20)),
        }
    }
    None
}

/// Waits (boundedly) until `handle` reports no live task; returns the last
/// count seen.
fn alive_after(handle: &Handle, limit: Duration) -> usize {
    let start = Instant::now();
    loop {
        let alive = handle.metrics().tasks_alive;
        if alive == 0 || start.elapsed() > limit {
            return alive;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// A task drops its own runtime right after spawning an accept loop (which
/// sits in its worker's LIFO slot then), while another accept loop already
/// waits on its socket. Afterwards no task is alive and both listening
/// sockets are closed.
#[test]
fn dropping_the_runtime_inside_a_task_closes_everything() {
    let (alive, waiting, fresh) = within(LIMIT, "drop from inside a task", || {
        let runtime = Builder::new().worker_threads(2).build().unwrap();
        let handle = runtime.handle().clone();
        let (waiting_task, waiting) = accept_loop();
        runtime.spawn(waiting_task).detach();
        let (fresh_task, fresh) = accept_loop();
        // The waiting loop is parked on its socket before the drop.
        thread::sleep(Duration::from_millis(50));
        let shared = shared(runtime);
        let dropper = shared.clone();
        let (done_tx, done_rx) = mpsc::channel();
        handle
            .spawn(async move {
                spawn(fresh_task).detach();
                drop_runtime(&dropper);
                let _ = done_tx.send(());
            })
            .detach();
        done_rx
            .recv_timeout(SETTLE)
            .expect("dropping the runtime from a task did not return");
        (alive_after(&handle, SETTLE), waiting, fresh)
    });
    let waiting = refused_within(waiting, SETTLE);
    let fresh = refused_within(fresh, SETTLE);
    eprintln!("alive {alive}, waiting listener refused after {waiting:?}, fresh one after {fresh:?}");
    assert_eq!(
        alive, 0,
        "tasks still alive {SETTLE:?} after the runtime was dropped from a task"
    );
    assert!(
        waiting.is_some(),
        "the waiting accept loop's listener still accepts"
    );
    assert!(
        fresh.is_some(),
        "the freshly spawned accept loop's listener still accepts"
    );
}

/// A task that drops its own runtime and then awaits something (a sleep, a
/// socket) must finish or be cancelled: its `JoinHandle`, awaited from a
/// plain thread, resolves. Either outcome is fine; hanging is not.
#[test]
fn a_task_that_drops_its_runtime_and_awaits_resolves() {
    let outcomes: Vec<_> = ["sleep", "socket"]
        .into_iter()
        .map(|awaits| {
            let resolved = within(LIMIT, "await after dropping the runtime", move || {
                let runtime = Builder::new().worker_threads(2).build().unwrap();
                let handle = runtime.handle().clone();
                let shared = shared(runtime);
                let dropper = shared.clone();
                let task = handle.spawn(async move {
                    let (near, far) = std::os::unix::net::UnixStream::pair().unwrap();
                    near.set_nonblocking(true).unwrap();
                    // SAFETY: `near` is declared first and outlives the
                    // registration.
                    let registration = unsafe { Registration::new(near.as_fd()) }.unwrap();
                    drop_runtime(&dropper);
                    match awaits {
                        "sleep" => sleep(Duration::from_millis(10)).await,
                        _ => {
                            let _ = registration.readable().await;
                        }
                    }
                    drop(far);
                    1
                });
                let outcome = block_on_for(SETTLE, task);
                (
                    outcome.map(|r| r.map_err(|e| e.is_cancelled())),
                    alive_after(&handle, SETTLE),
                )
            });
            (awaits, resolved)
        })
        .collect();
    eprintln!("(awaited, (JoinHandle output, tasks alive)): {outcomes:?}");
    for (awaits, (outcome, alive)) in outcomes {
        assert!(
            matches!(outcome, Some(Ok(1) | Err(true))),
            "awaiting a {awaits} after dropping the runtime: the JoinHandle gave {outcome:?} within {SETTLE:?}"
        );
        assert_eq!(alive, 0, "awaiting a {awaits}: tasks still alive after shutdown");
    }
}

/// Held by the test that measures the process's RSS, and by the one whose
/// expected panic prints a backtrace (symbolising it maps megabytes of
/// debug information), so that the one does not count the other's.
static RSS_QUIET: Mutex<()> = Mutex::new(());

/// Resident set size of this process, in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Spawning through a `Handle` kept past shutdown: every `JoinHandle`
/// resolves as cancelled at once, and nothing accumulates (the issue
/// measured one task-set entry leaked per spawn: +28 MB for 200,000).
#[test]
fn spawning_after_shutdown_leaks_nothing() {
    const SPAWNS: usize = 200_000;
    let _quiet = RSS_QUIET.lock().unwrap_or_else(|e| e.into_inner());
    let (alive, grown, not_cancelled) = within(LIMIT, "spawn after shutdown", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        drop(runtime);
        let before = rss();
        let mut not_cancelled = 0;
        let payload = Arc::new(());
        for _ in 0..SPAWNS {
            let payload = payload.clone();
            let task = handle.spawn(async move { drop(payload) });
            match block_on_for(Duration::from_secs(1), task) {
                Some(Err(e)) if e.is_cancelled() => {}
                _ => not_cancelled += 1,
            }
        }
        let grown = rss().saturating_sub(before);
        (handle.metrics().tasks_alive, grown, not_cancelled)
    });
    eprintln!(
        "alive {alive}, RSS grew {} KiB, not cancelled {not_cancelled}",
        grown / 1024
    );
    assert_eq!(
        not_cancelled, 0,
        "JoinHandles of tasks spawned after shutdown that did not resolve as cancelled"
    );
    assert_eq!(alive, 0, "tasks spawned after shutdown are counted alive");
    assert!(
        grown < 12 << 20,
        "{SPAWNS} spawns after shutdown grew the RSS by {} KiB",
        grown / 1024
    );
}

/// Dropping the runtime inside one of its own `spawn_blocking` jobs: the
/// blocking pool's shutdown must not wait for the very thread it runs on.
#[test]
fn dropping_the_runtime_on_its_blocking_pool_returns() {
    let returned = within(LIMIT, "drop on the blocking pool", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        let (tx, rx) = mpsc::channel();
        let job = handle.spawn_blocking(move || {
            let start = Instant::now();
            drop(runtime);
            let _ = tx.send(start.elapsed());
        });
        let returned = rx.recv_timeout(Duration::from_secs(5)).ok();
        // The job itself finished or was cancelled; either way it resolves.
        let job = block_on_for(SETTLE, job);
        (returned, job.is_some())
    });
    eprintln!("drop on a blocking thread returned after {:?}", returned.0);
    assert!(
        returned.0.is_some(),
        "dropping the runtime from its blocking pool did not return within 5 s"
    );
    assert!(returned.1, "the blocking job's JoinHandle did not resolve");
}

/// A thread blocked in `Handle::block_on` on a timer when another thread
/// drops the runtime: nothing is left to fire the timer, so the `Sleep`
/// panics at once with tokio's words, rather than leave the thread blocked
/// for ever (it did: the `Sleep` stayed pending). Both flavours.
#[test]
fn a_timer_awaited_outside_the_runtime_panics_when_it_shuts_down() {
    let _quiet = RSS_QUIET.lock().unwrap_or_else(|e| e.into_inner());
    for builder in [Builder::new_multi_thread(), Builder::new_current_thread()] {
        let outcome = within(LIMIT, "block_on(sleep) across shutdown", move || {
            let mut builder = builder;
            let runtime = builder.build().unwrap();
            let handle = runtime.handle().clone();
            let (started_tx, started) = mpsc::channel();
            let blocked = thread::spawn(move || {
                let start = Instant::now();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handle.block_on(async {
                        let mut nap = sleep(Duration::from_secs(3600));
                        // Armed before the runtime goes.
                        let armed = std::future::poll_fn(|cx| {
                            std::task::Poll::Ready(std::pin::Pin::new(&mut nap).poll(cx).is_pending())
                        })
                        .await;
                        assert!(armed);
                        started_tx.send(()).unwrap();
                        nap.await;
                    })
                }));
                (
                    start.elapsed(),
                    result
                        .err()
                        .and_then(|p| p.downcast_ref::<&str>().map(|m| m.to_string())),
                )
            });
            started.recv().unwrap();
            drop(runtime);
            blocked.join().unwrap()
        });
        let (took, message) = outcome;
        let message = message.expect("the Sleep did not panic");
        assert!(message.contains("but it is being shutdown"), "{message}");
        assert!(took < SETTLE + Duration::from_secs(1), "took {took:?}");
    }
}

/// A blocking job waiting on a task that is queued but was never polled:
/// shutdown cancels queued tasks before it waits for the blocking pool,
/// so the job's wait ends (the drop hung for ever: the queues were
/// drained only after the wait). Both flavours.
#[test]
fn a_blocking_job_waiting_on_a_queued_task_does_not_hang_the_drop() {
    for builder in [Builder::new_current_thread(), Builder::new_multi_thread()] {
        let took = within(LIMIT, "drop with a job waiting on a queued task", move || {
            let mut builder = builder;
            let runtime = builder.worker_threads(1).build().unwrap();
            let (busy_tx, busy) = mpsc::channel();
            // On the multi-thread runtime, keep the worker in one long
            // poll so that the next task stays queued.
            runtime.spawn(async move {
                busy_tx.send(()).unwrap();
                thread::sleep(Duration::from_millis(300));
            });
            if runtime.handle().runtime_flavor() == edgeio_runtime::RuntimeFlavor::MultiThread {
                busy.recv().unwrap();
            }
            let queued = runtime.spawn(async { 1 });
            let _job = runtime.spawn_blocking(move || block_on_for(LIMIT, queued));
            let start = Instant::now();
            drop(runtime);
            start.elapsed()
        });
        assert!(took < SETTLE, "the drop took {took:?}");
    }
}

/// A task woken into a worker's LIFO slot (or taken from a queue) just as
/// the runtime closes is cancelled, never polled: it ran during the drop,
/// or after `shutdown_background` had returned, and then, waiting on
/// something nobody would wake, was never cancelled at all.
#[test]
fn a_task_queued_at_shutdown_is_never_polled() {
    for background in [false, true] {
        let ran = within(LIMIT, "a task in the LIFO slot at shutdown", move || {
            let runtime = Builder::new().worker_threads(1).build().unwrap();
            let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (started_tx, started) = mpsc::channel();
            let flag = ran.clone();
            runtime.spawn(async move {
                // Woken by the running task: the LIFO slot, polled next.
                drop(spawn(async move {
                    flag.store(true, std::sync::atomic::Ordering::SeqCst)
                }));
                started_tx.send(()).unwrap();
                thread::sleep(Duration::from_millis(300));
            });
            started.recv().unwrap();
            if background {
                runtime.shutdown_background();
                thread::sleep(Duration::from_millis(600));
            } else {
                drop(runtime);
            }
            ran.load(std::sync::atomic::Ordering::SeqCst)
        });
        assert!(!ran, "polled after shutdown (background: {background})");
    }
}

/// A `spawn_local` task of a current-thread `block_on` on another thread,
/// sleeping when the runtime is dropped: it belongs to that `block_on`,
/// not to the runtime, so nobody would cancel it. Its `Sleep` panics, as
/// tokio's does, so the `block_on` returns (it blocked for ever).
#[test]
fn a_local_task_sleeping_across_shutdown_ends_its_block_on() {
    let outcome = within(LIMIT, "a local task's sleep across shutdown", || {
        let runtime = Builder::new_current_thread().build().unwrap();
        let handle = runtime.handle().clone();
        let (started_tx, started) = mpsc::channel();
        let blocked = thread::spawn(move || {
            handle.block_on(async move {
                let task = edgeio_runtime::spawn_local(sleep(Duration::from_secs(3600)));
                edgeio_runtime::spawn_local(async move { started_tx.send(()).unwrap() });
                task.await
            })
        });
        started.recv().unwrap();
        drop(runtime);
        blocked.join().map(|joined| joined.map_err(|e| e.is_panic()))
    });
    assert!(matches!(outcome, Ok(Err(true))), "{outcome:?}");
}

/// The runtime dropped from a task that runs on a `block_in_place`
/// stand-in: the drop cannot wait for the worker whose place the stand-in
/// holds (that worker waits for the stand-in to hand the place back), and
/// no longer does; it deadlocked.
#[test]
fn dropping_the_runtime_on_a_block_in_place_stand_in_returns() {
    let dropped = within(LIMIT, "drop on a stand-in", || {
        let runtime = shared(Builder::new().worker_threads(1).build().unwrap());
        let handle = runtime.lock().unwrap().as_ref().unwrap().handle().clone();
        let (blocking_tx, blocking) = mpsc::channel();
        handle.spawn(async move {
            edgeio_runtime::block_in_place(|| {
                blocking_tx.send(()).unwrap();
                thread::sleep(Duration::from_millis(300));
            });
        });
        blocking.recv().unwrap();
        // The only worker is in `block_in_place`: this task runs on its
        // stand-in.
        let (dropped_tx, dropped) = mpsc::channel();
        let dropper = runtime.clone();
        handle.spawn(async move {
            drop_runtime(&dropper);
            dropped_tx.send(()).unwrap();
        });
        dropped.recv_timeout(SETTLE * 2).is_ok()
    });
    assert!(dropped, "the drop on the stand-in did not return");
}

/// A current-thread runtime whose worker another thread's
/// `Handle::block_on` holds: the drop waits, as for a worker thread, until
/// that thread has dropped the runtime's tasks (after the one it is
/// polling), and `shutdown_timeout` reports the wait that ran out. Both
/// returned at once, with the tasks still alive on the other thread.
#[test]
fn a_current_thread_worker_held_elsewhere_is_waited_for() {
    struct SetOnDrop(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    for timeout in [None, Some(Duration::from_millis(100))] {
        let (dropped, in_time) = within(LIMIT, "a current-thread worker held elsewhere", move || {
            let runtime = Builder::new_current_thread().build().unwrap();
            let handle = runtime.handle().clone();
            let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = SetOnDrop(dropped.clone());
            let (busy_tx, busy) = mpsc::channel();
            let holder = thread::spawn(move || {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handle.block_on(async move {
                        // A task in a long poll when the runtime goes, and
                        // one it queued on this thread, not yet polled.
                        drop(spawn(async move {
                            drop(spawn(async move {
                                let _flag = flag;
                                std::future::pending::<()>().await;
                            }));
                            busy_tx.send(()).unwrap();
                            thread::sleep(Duration::from_millis(400));
                        }));
                        // Panics once the runtime is gone, ending the call.
                        sleep(Duration::from_secs(3600)).await;
                    })
                }));
            });
            busy.recv().unwrap();
            let in_time = match timeout {
                None => {
                    drop(runtime);
                    true
                }
                Some(timeout) => runtime.shutdown_timeout(timeout),
            };
            let dropped_then = dropped.load(std::sync::atomic::Ordering::SeqCst);
            holder.join().unwrap();
            (dropped_then, in_time)
        });
        match timeout {
            None => assert!(dropped, "a task still alive after the drop returned"),
            Some(_) => assert!(!in_time, "shutdown_timeout said done with a task still polled"),
        }
    }
}
