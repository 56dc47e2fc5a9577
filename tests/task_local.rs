//! `task_local!`: values scoped to a future, wherever it is polled.

#[path = "support/multi_thread.rs"]
mod multi_thread;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use edgeio::task;
use multi_thread::each_runtime;

edgeio::task_local! {
    static NUMBER: u32;
    /// Doc comments and visibility pass through.
    pub static NAME: String;
}

edgeio::task_local! {
    static COUNTER: Cell<u32>
}

#[test]
fn scope_sets_the_value_across_awaits_and_workers() {
    each_runtime(|| async {
        let handles: Vec<_> = (0..32u32)
            .map(|i| {
                task::spawn(NUMBER.scope(i, async move {
                    for _ in 0..20 {
                        assert_eq!(NUMBER.get(), i);
                        // Moves between workers, interleaved with the others.
                        task::yield_now().await;
                    }
                    NUMBER.get()
                }))
            })
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i as u32);
        }
    });
}

#[test]
fn scopes_nest_and_unset_outside() {
    each_runtime(|| async {
        assert!(NUMBER.try_with(|_| ()).is_err());
        NUMBER
            .scope(1, async {
                assert_eq!(NUMBER.get(), 1);
                NUMBER
                    .scope(2, async {
                        assert_eq!(NUMBER.get(), 2);
                        task::yield_now().await;
                        assert_eq!(NUMBER.get(), 2);
                    })
                    .await;
                assert_eq!(NUMBER.get(), 1);
                NAME.scope("x".to_owned(), async {
                    assert_eq!(NAME.with(|name| name.len()), 1);
                    assert_eq!(NUMBER.get(), 1);
                })
                .await;
                assert!(NAME.try_get().is_err());
            })
            .await;
        assert!(NUMBER.try_get().is_err());
        let err = NUMBER.try_with(|_| ()).unwrap_err();
        assert_eq!(err.to_string(), "task-local value not set");
    });
}

#[test]
fn spawned_tasks_do_not_inherit_the_value() {
    each_runtime(|| async {
        NUMBER
            .scope(9, async {
                let inner = task::spawn(async { NUMBER.try_get().ok() }).await.unwrap();
                assert_eq!(inner, None);
            })
            .await;
    });
}

#[test]
fn with_outside_a_scope_panics() {
    let panic = catch_unwind(|| NUMBER.with(|n| *n)).unwrap_err();
    assert_eq!(
        panic.downcast_ref::<&str>(),
        Some(&"cannot access a task-local storage value without setting it first")
    );
}

#[test]
fn sync_scope_and_interior_mutability() {
    let seen = COUNTER.sync_scope(Cell::new(0), || {
        COUNTER.with(|c| c.set(c.get() + 1));
        COUNTER.with(|c| c.set(c.get() + 1));
        COUNTER.with(Cell::get)
    });
    assert_eq!(seen, 2);
    // A panic inside the scope still restores the outer state.
    let _ = catch_unwind(AssertUnwindSafe(|| NUMBER.sync_scope(3, || panic!("inside"))));
    assert!(NUMBER.try_get().is_err());
    assert_eq!(
        NUMBER.sync_scope(4, || NUMBER.sync_scope(5, || NUMBER.get()) + NUMBER.get()),
        9
    );
}

#[test]
fn take_value_and_drop_inside_the_scope() {
    each_runtime(|| async {
        let mut future = Box::pin(NUMBER.scope(11, async { NUMBER.get() }));
        assert_eq!(future.as_mut().await, 11);
        assert_eq!(future.as_mut().take_value(), Some(11));
        assert_eq!(future.as_mut().take_value(), None);

        // The future's `Drop` runs with the value set.
        struct SeesNumber(Arc<Mutex<Option<u32>>>);
        impl Drop for SeesNumber {
            fn drop(&mut self) {
                *self.0.lock().unwrap() = NUMBER.try_get().ok();
            }
        }
        let seen = Arc::new(Mutex::new(None));
        let guard = SeesNumber(seen.clone());
        let pending = NUMBER.scope(12, async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let handle = task::spawn(pending);
        task::yield_now().await;
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert_eq!(*seen.lock().unwrap(), Some(12));
        assert!(format!("{:?}", NUMBER.scope(1, async {})).contains("TaskLocalFuture"));
    });
}
