//! `LocalRuntime`: its `!Send` tasks outlive each `block_on`, run in the
//! next one, and are cancelled (their futures dropped) when it shuts down.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use edgeio_runtime::{spawn_local, task, Builder, LocalOptions, LocalRuntime};

mod common;
use common::within;

/// Every test's bound: each takes milliseconds.
const LIMIT: Duration = Duration::from_secs(20);

/// Counts its drops: tells a cancelled task's future was dropped.
struct DropCount(Rc<Cell<u32>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn local_tasks_run_across_block_on_calls() {
    within(LIMIT, "local_tasks_run_across_block_on_calls", || {
        let runtime = LocalRuntime::new().unwrap();
        let steps = Rc::new(Cell::new(0));
        // Spawned outside any `block_on`, through the free function.
        let task = {
            let _guard = runtime.enter();
            let steps = steps.clone();
            spawn_local(async move {
                for _ in 0..3 {
                    steps.set(steps.get() + 1);
                    task::yield_now().await;
                }
                steps.get()
            })
        };
        // The first call ends before the task does; the next runs it on.
        runtime.block_on(task::yield_now());
        let before = steps.get();
        assert!(before < 3, "the task ran to its end in one yield: {before}");
        assert_eq!(runtime.block_on(task).unwrap(), 3);
    });
}

#[test]
fn shutdown_cancels_local_tasks() {
    within(LIMIT, "shutdown_cancels_local_tasks", || {
        let drops = Rc::new(Cell::new(0));
        let runtime = LocalRuntime::new().unwrap();
        let guard = DropCount(drops.clone());
        let task = runtime.spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        runtime.block_on(task::yield_now());
        assert_eq!(drops.get(), 0);
        assert!(runtime.shutdown_timeout(Duration::from_secs(10)));
        assert_eq!(drops.get(), 1, "the local task's future was not dropped");
        drop(task);
    });
}

#[test]
fn send_tasks_and_blocking_jobs_run_too() {
    within(LIMIT, "send_tasks_and_blocking_jobs_run_too", || {
        let runtime = Builder::new_current_thread()
            .build_local(LocalOptions::default())
            .unwrap();
        let handle = runtime.handle().clone();
        let from_thread = std::thread::spawn(move || handle.spawn(async { 7 }))
            .join()
            .unwrap();
        let job = runtime.spawn_blocking(|| 8);
        assert_eq!(runtime.block_on(from_thread).unwrap(), 7);
        assert_eq!(runtime.block_on(job).unwrap(), 8);
    });
}

#[test]
#[should_panic = "multi_thread is not supported for LocalRuntime"]
fn a_multi_thread_builder_cannot_build_one() {
    let _ = Builder::new_multi_thread().build_local(LocalOptions::default());
}
