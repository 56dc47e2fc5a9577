//! `JoinSet` leaves each slot's waker with its task when the task is added
//! (`executor/join_set.rs`, `insert`). A task that has already finished by
//! then has no one left to wake the slot: its result must still reach
//! `join_next`.

mod common;

use std::time::Duration;

use common::within;
use edgeio_runtime::task::JoinSet;
use edgeio_runtime::Builder;

#[test]
fn a_task_finished_before_it_is_added_is_joined() {
    within(Duration::from_secs(20), "finished before added", || {
        let dead = Builder::new_current_thread().build().unwrap();
        let handle = dead.handle().clone();
        drop(dead);
        let mut set = JoinSet::new();
        // Spawned on a runtime that has shut down: cancelled, and so
        // finished, before the set sees it.
        let abort = set.spawn_on(async { 1u8 }, &handle);
        assert!(abort.is_finished());
        assert_eq!(set.len(), 1);
        // Aborting a finished task changes nothing.
        set.abort_all();
        let (id, result) = match set.try_join_next_with_id() {
            Some(Err(err)) => (err.id(), err),
            other => panic!("expected the cancelled task at once, got {other:?}"),
        };
        assert!(result.is_cancelled());
        assert_eq!(id, abort.id());
        assert!(set.is_empty());
        assert!(set.try_join_next().is_none());
    });
}

#[test]
fn finished_and_running_tasks_mix() {
    let outputs = within(Duration::from_secs(20), "a mixed set", || {
        let runtime = Builder::new_current_thread().build().unwrap();
        let dead = Builder::new_current_thread().build().unwrap();
        let dead_handle = dead.handle().clone();
        drop(dead);
        runtime.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..10u32 {
                set.spawn(async move { i });
                set.spawn_on(async move { 100 + i }, &dead_handle);
            }
            let (mut ok, mut cancelled) = (0, 0);
            while let Some(result) = set.join_next().await {
                match result {
                    Ok(i) => {
                        assert!(i < 10);
                        ok += 1;
                    }
                    Err(err) => {
                        assert!(err.is_cancelled());
                        cancelled += 1;
                    }
                }
            }
            (ok, cancelled)
        })
    });
    assert_eq!(outputs, (10, 10));
}
