//! The current-thread runtime's run queue (`executor/worker.rs`, "Local
//! queue"): owned by the thread holding the core, with the injector for
//! every other thread. These check what that split must not lose: tasks
//! sent from other threads, tasks queued when the core changes hands, and
//! the futures of queued tasks at shutdown.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use common::within;
use edgeio_runtime::{Builder, Handle, Runtime};

const TASKS: usize = 1000;

fn current_thread() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}

/// Counts its drops; never completes unless `ready`.
struct Guarded {
    dropped: Arc<AtomicUsize>,
}

impl Future for Guarded {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn tasks_spawned_from_another_thread_run() {
    let ran = within(Duration::from_secs(20), "remote spawns", || {
        let runtime = current_thread();
        let ran = Arc::new(AtomicUsize::new(0));
        runtime.block_on(async {
            // Spawned from a plain thread while this one holds the core:
            // each task goes through the injector and unparks the core,
            // which sleeps in the reactor while the blocking pool waits
            // for the spawner.
            let handle = Handle::current();
            let spawner = {
                let ran = ran.clone();
                thread::spawn(move || {
                    (0..TASKS)
                        .map(|_| {
                            let ran = ran.clone();
                            handle.spawn(async move {
                                ran.fetch_add(1, Ordering::SeqCst);
                            })
                        })
                        .collect::<Vec<_>>()
                })
            };
            let handles = edgeio_runtime::spawn_blocking(move || spawner.join().unwrap())
                .await
                .unwrap();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(ran, TASKS, "tasks spawned from another thread were not all run");
}

#[test]
fn tasks_spawned_while_no_block_on_runs_wait_for_the_next() {
    let ran = within(Duration::from_secs(20), "spawns outside block_on", || {
        let runtime = current_thread();
        let ran = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let ran = ran.clone();
                runtime.spawn(async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        assert_eq!(ran.load(Ordering::SeqCst), 0, "nothing runs the tasks yet");
        runtime.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(ran, TASKS);
}

#[test]
fn a_core_handed_to_another_thread_keeps_its_queued_tasks() {
    let ran = within(Duration::from_secs(20), "core hand-over", || {
        let runtime = Arc::new(current_thread());
        let ran = Arc::new(AtomicUsize::new(0));
        // Spawned from inside `block_on`, the tasks go to the core's own
        // queue (the last one to its LIFO slot); the future completes at
        // its first poll, so none of them runs on this thread.
        let handles = runtime.block_on(async {
            (0..TASKS)
                .map(|_| {
                    let ran = ran.clone();
                    edgeio_runtime::spawn(async move {
                        ran.fetch_add(1, Ordering::SeqCst);
                    })
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(
            ran.load(Ordering::SeqCst),
            0,
            "block_on returned before the tasks ran"
        );
        // Another thread takes the core and finds them queued.
        let other = {
            let runtime = runtime.clone();
            thread::spawn(move || {
                runtime.block_on(async {
                    for handle in handles {
                        handle.await.unwrap();
                    }
                })
            })
        };
        other.join().unwrap();
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(
        ran, TASKS,
        "tasks queued on the core were lost when it changed hands"
    );
}

#[test]
fn a_waiting_block_on_takes_over_the_queue_when_the_holder_returns() {
    let ran = within(Duration::from_secs(20), "concurrent block_on", || {
        let runtime = Arc::new(current_thread());
        let ran = Arc::new(AtomicUsize::new(0));
        let (spawned_tx, spawned_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        // The holder queues tasks on its core, then blocks its thread (no
        // task runs meanwhile) until the waiter is in `block_on`.
        let holder = {
            let (runtime, ran) = (runtime.clone(), ran.clone());
            thread::spawn(move || {
                runtime.block_on(async move {
                    let handles: Vec<_> = (0..TASKS)
                        .map(|_| {
                            let ran = ran.clone();
                            edgeio_runtime::spawn(async move {
                                ran.fetch_add(1, Ordering::SeqCst);
                            })
                        })
                        .collect();
                    spawned_tx.send(handles).unwrap();
                    let _ = release_rx.recv_timeout(Duration::from_secs(5));
                })
            })
        };
        let handles = spawned_rx.recv().unwrap();
        let waiter = {
            let runtime = runtime.clone();
            thread::spawn(move || {
                runtime.block_on(async {
                    for handle in handles {
                        handle.await.unwrap();
                    }
                })
            })
        };
        // Let the waiter reach `block_on` (it waits for the core either
        // way; the sleep only makes the hand-over the likely order).
        thread::sleep(Duration::from_millis(50));
        release_tx.send(()).unwrap();
        holder.join().unwrap();
        waiter.join().unwrap();
        ran.load(Ordering::SeqCst)
    });
    assert_eq!(ran, TASKS);
}

#[test]
fn shutdown_drops_the_futures_of_queued_tasks() {
    let dropped = within(Duration::from_secs(20), "shutdown with a full queue", || {
        let runtime = current_thread();
        let dropped = Arc::new(AtomicUsize::new(0));
        // Queued on the core (and its LIFO slot), never polled: the
        // future completes at its first poll.
        runtime.block_on(async {
            for _ in 0..TASKS {
                drop(edgeio_runtime::spawn(Guarded {
                    dropped: dropped.clone(),
                }));
            }
        });
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        // Kept until the count is read: the queue must not wait for the
        // runtime's last reference to go.
        let handle = runtime.handle().clone();
        drop(runtime);
        let dropped = dropped.load(Ordering::SeqCst);
        drop(handle);
        dropped
    });
    assert_eq!(dropped, TASKS, "queued tasks' futures outlived the runtime");
}

/// A `Handle::block_on` on another thread holds the core with `TASKS`
/// tasks queued, blocked (running none of them) until the runtime's drop
/// has begun; then it returns at once (`yield_first == false`: the queue's
/// tasks are dropped when it hands the queue back) or after a yield (they
/// are dropped by the worker loop, which sees the closed state first).
/// The drop waits for either, as it waits for a worker thread's poll: when
/// it returns, the tasks are gone.
fn shutdown_while_another_thread_holds_the_core(yield_first: bool) -> usize {
    let runtime = current_thread();
    // Kept until the count is read: the queue must not wait for the
    // runtime's last reference to go.
    let handle = runtime.handle().clone();
    let dropped = Arc::new(AtomicUsize::new(0));
    let (queued_tx, queued_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let (handle, dropped) = (handle.clone(), dropped.clone());
        thread::spawn(move || {
            handle.block_on(async move {
                for _ in 0..TASKS {
                    drop(edgeio_runtime::spawn(Guarded {
                        dropped: dropped.clone(),
                    }));
                }
                queued_tx.send(()).unwrap();
                let _ = release_rx.recv_timeout(Duration::from_secs(5));
                if yield_first {
                    edgeio_runtime::yield_now().await;
                }
            })
        })
    };
    queued_rx.recv().unwrap();
    let dropper = {
        let dropped = dropped.clone();
        thread::spawn(move || {
            drop(runtime);
            dropped.load(Ordering::SeqCst)
        })
    };
    // Let the drop start (and wait for the holder), then release it.
    thread::sleep(Duration::from_millis(50));
    release_tx.send(()).unwrap();
    let dropped_when_the_drop_returned = dropper.join().unwrap();
    holder.join().unwrap();
    drop(handle);
    dropped_when_the_drop_returned
}

#[test]
fn shutdown_from_another_thread_drops_the_queue_handed_back() {
    let dropped = within(Duration::from_secs(20), "shutdown, then hand-back", || {
        shutdown_while_another_thread_holds_the_core(false)
    });
    assert_eq!(
        dropped, TASKS,
        "a queue handed back after shutdown kept its tasks"
    );
}

#[test]
fn shutdown_from_another_thread_drops_the_holders_queue() {
    let dropped = within(Duration::from_secs(20), "shutdown, then a tick", || {
        shutdown_while_another_thread_holds_the_core(true)
    });
    assert_eq!(
        dropped, TASKS,
        "the holder's queued tasks were not dropped at shutdown"
    );
}

#[test]
fn tasks_run_in_the_order_they_were_woken() {
    let order = within(Duration::from_secs(20), "spawn order", || {
        let runtime = current_thread();
        // Spawned from a task: spawns from `block_on`'s own future are
        // queued in order anyway.
        let spawner = runtime.spawn(async {
            let order = Arc::new(std::sync::Mutex::new(Vec::new()));
            let handles: Vec<_> = (0..5)
                .map(|i| {
                    let order = order.clone();
                    edgeio_runtime::spawn(async move { order.lock().unwrap().push(i) })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            let order = order.lock().unwrap().clone();
            order
        });
        runtime.block_on(spawner).unwrap()
    });
    // A LIFO slot taking every spawn would run the last one first.
    assert_eq!(order, [0, 1, 2, 3, 4]);
}

#[test]
fn a_task_joining_many_is_not_polled_once_per_task() {
    let polls = within(Duration::from_secs(20), "joining a thousand tasks", || {
        let runtime = current_thread();
        // In a task: `block_on`'s own future is polled whenever it is
        // woken, between any two tasks.
        let joiner = runtime.spawn(async {
            let handles: Vec<_> = (0..TASKS).map(|_| edgeio_runtime::spawn(async {})).collect();
            let mut handles = handles.into_iter().peekable();
            let mut polls = 0;
            std::future::poll_fn(|cx| {
                polls += 1;
                while let Some(handle) = handles.peek_mut() {
                    match Pin::new(handle).poll(cx) {
                        Poll::Ready(result) => {
                            result.unwrap();
                            handles.next();
                        }
                        Poll::Pending => return Poll::Pending,
                    }
                }
                Poll::Ready(())
            })
            .await;
            polls
        });
        runtime.block_on(joiner).unwrap()
    });
    // Woken by the first task to finish, the joiner waits behind the
    // others, then joins them all, yielding once per cooperative budget
    // (128 in tokio, edgeio's). Woken into a LIFO slot, it would run after
    // every task: a thousand polls.
    assert!(
        polls < TASKS / 10,
        "the joining task was polled {polls} times for {TASKS} tasks"
    );
}
