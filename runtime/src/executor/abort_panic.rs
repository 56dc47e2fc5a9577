//! What an aborted task leaves for its `JoinHandle`: a panic raised while
//! its future was dropped, which the handle reports as a panic (as tokio
//! does) rather than as a plain cancellation; or the output of a last
//! poll the abort raced with, which the handle reports as the task's
//! outcome (as tokio does: a task that completes is not cancelled).
//!
//! The future is dropped, or its last poll ends, on whichever worker runs
//! the closed task, far from the handle, and `async-task` hands nothing
//! back from either: it drops the output of a task closed while running.
//! So an abort through a handle first *watches* the task's id here; the
//! task's drop records its panic, and its last poll its output, only if
//! its id is watched; and the handle takes the entry back when it learns
//! the outcome, or when it is dropped. Nothing is kept for a task nobody
//! watches, and a watch lives no longer than the handle that made it.
//!
//! Aborts are rare next to spawns, and drops that panic rarer still, so
//! one lock for the whole process is enough; the count lets every other
//! path (a task completing or a drop panicking with nobody watching, a
//! handle dropped with no abort behind it) skip the lock.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::executor::task_id::Id;

type Payload = Box<dyn Any + Send>;

/// What a watched task left.
pub(crate) enum Left {
    /// Its future panicked while being dropped.
    DropPanic(Payload),
    /// Its last poll's result (the task future's `TaskOutput`).
    Output(Box<dyn Any + Send>),
}

/// Watched ids, each with what the task left, if anything yet.
static WATCHED: Mutex<BTreeMap<Id, Option<Left>>> = Mutex::new(BTreeMap::new());
/// How many ids are watched.
static COUNT: AtomicUsize = AtomicUsize::new(0);

fn watched() -> MutexGuard<'static, BTreeMap<Id, Option<Left>>> {
    WATCHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// A handle aborts task `id`: keep a panic from its future's drop.
pub(crate) fn watch(id: Id) {
    let mut watched = watched();
    if watched.insert(id, None).is_none() {
        COUNT.fetch_add(1, Ordering::SeqCst);
    }
}

/// Task `id`'s future panicked while being dropped: keep the payload if a
/// handle watches the task, else let it go.
pub(crate) fn record(id: Id, payload: Payload) {
    if COUNT.load(Ordering::SeqCst) == 0 {
        return;
    }
    let unwanted = match watched().get_mut(&id) {
        Some(slot) => slot.replace(Left::DropPanic(payload)),
        None => Some(Left::DropPanic(payload)),
    };
    // A payload's own drop may run any code: not under the lock.
    drop(unwanted);
}

/// Whether any task is watched: one load, for the path every task's
/// completion takes.
#[inline]
pub(crate) fn any_watched() -> bool {
    COUNT.load(Ordering::SeqCst) != 0
}

/// Task `id`'s last poll returned `result`: keeps it if a handle watches
/// the task (an abort may have closed it meanwhile, and `async-task` would
/// drop it), else gives it back to be the task's output as usual.
///
/// An abort that starts watching after the caller's [`any_watched`] said
/// no, and closes the task before `async-task` marks it completed, still
/// loses the output: the window is the few instructions between the two,
/// not the whole poll.
pub(crate) fn keep_output<R: Send + 'static>(id: Id, result: R) -> Option<R> {
    let mut watched = watched();
    let Some(slot) = watched.get_mut(&id) else {
        return Some(result);
    };
    let unwanted = slot.replace(Left::Output(Box::new(result)));
    drop(watched);
    drop(unwanted);
    None
}

/// Ends the watch of task `id`, if any, and returns what the task left,
/// if anything.
pub(crate) fn take(id: Id) -> Option<Left> {
    if COUNT.load(Ordering::SeqCst) == 0 {
        return None;
    }
    let slot = watched().remove(&id)?;
    COUNT.fetch_sub(1, Ordering::SeqCst);
    slot
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::watched;
    use crate::{spawn, Runtime};

    struct PanicOnDrop;

    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("dropped");
        }
    }

    /// Panics when dropped, whether or not it was ever polled.
    fn sleeps_holding_a_panicking_drop() -> impl std::future::Future<Output = ()> + Send {
        let panics = PanicOnDrop;
        async move {
            let _panics = panics;
            crate::time::sleep(Duration::from_secs(100)).await;
        }
    }

    /// Whatever order a handle, an abort handle and the task's drop come
    /// in, no watch outlives them.
    #[test]
    fn no_watch_outlives_its_handles() {
        let runtime = Runtime::new().unwrap();
        let ids = runtime.block_on(async {
            // Aborted, the handle dropped unawaited.
            let first = spawn(sleeps_holding_a_panicking_drop());
            crate::time::sleep(Duration::from_millis(5)).await;
            first.abort();
            let first_id = first.id();
            drop(first);

            // Aborted through an abort handle after the handle was dropped.
            let second = spawn(sleeps_holding_a_panicking_drop());
            let second_id = second.id();
            let abort = second.abort_handle();
            drop(second);
            crate::time::sleep(Duration::from_millis(5)).await;
            abort.abort();

            // Aborted through an abort handle, its outcome reported.
            let third = spawn(sleeps_holding_a_panicking_drop());
            crate::time::sleep(Duration::from_millis(5)).await;
            third.abort_handle().abort();
            let third_id = third.id();
            let err = third.await.unwrap_err();
            assert!(err.is_panic(), "{err:?}");

            // Give the first two drops time to happen.
            crate::time::sleep(Duration::from_millis(20)).await;
            [first_id, second_id, third_id]
        });
        let watched = watched();
        for id in ids {
            assert!(!watched.contains_key(&id), "{id:?} still watched");
        }
    }
}
