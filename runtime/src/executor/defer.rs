//! Deferred wake-ups: tasks that yield wait for the next reactor poll.
//!
//! A task that calls `yield_now`, or whose cooperative budget ran out,
//! wants to let others run. Queued again at once, it would run again
//! before the worker next looks at I/O and timers, which a busy task could
//! postpone indefinitely (a timer next to a socket that is always ready
//! got a fraction of its ticks). So on a worker its waker is kept here, and
//! the worker wakes the list only after its next poll of the reactor, as
//! tokio does. Off a worker there is no such poll to wait for: the waker
//! is woken at once.
//!
//! The common case has a shorter path. When the waker deferred is the one
//! of the task the worker is polling (`yield_now` awaited by the task
//! itself, not inside a nested executor), keeping a clone would cost a
//! reference count now and a wake later. Instead the task is woken at
//! once, which, as it is running, only marks it, and it is noted here as
//! having deferred itself. When its poll ends the task is handed back to
//! its worker as woken while running, and the worker, seeing the note
//! ([`take_polled_task_deferred`]), keeps the task itself until its next
//! reactor poll, as it would have kept the waker.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::task::Waker;

thread_local! {
    /// `Some` on a worker thread, for as long as it runs as one.
    static DEFERRED: RefCell<Option<Vec<Waker>>> = const { RefCell::new(None) };
    /// The task the worker is polling, as the data pointer of its waker
    /// (null when none), and whether it deferred itself in this poll.
    static POLLED_TASK: Cell<(*const (), bool)> = const { Cell::new((ptr::null(), false)) };
}

/// Defers `waker` until the current worker's next reactor poll, or wakes
/// it now off a worker.
pub(crate) fn defer(waker: &Waker) {
    let kept = DEFERRED
        .try_with(|deferred| match deferred.borrow_mut().as_mut() {
            Some(_) if is_polled_task(waker) => Kept::AsPolledTask,
            Some(list) => {
                // A task deferred twice in one poll needs one wake-up.
                if !list.last().is_some_and(|last| last.will_wake(waker)) {
                    list.push(waker.clone());
                }
                Kept::InList
            }
            None => Kept::No,
        })
        .unwrap_or(Kept::No);
    if kept == Kept::AsPolledTask {
        let _ = POLLED_TASK.try_with(|polled| polled.set((polled.get().0, true)));
    }
    if kept != Kept::InList {
        waker.wake_by_ref();
    }
}

/// Where [`defer`] keeps a waker.
#[derive(PartialEq)]
enum Kept {
    /// Nowhere: it is woken now.
    No,
    /// In the thread's list.
    InList,
    /// It is the polled task's, which is woken now and noted as deferred.
    AsPolledTask,
}

/// Whether `waker` is the waker of the task the worker is polling. Only
/// the data pointers are compared: a different waker with the same one
/// would just be woken at once, not deferred, which is never wrong.
fn is_polled_task(waker: &Waker) -> bool {
    let polled = POLLED_TASK
        .try_with(|polled| polled.get().0)
        .unwrap_or(ptr::null());
    !polled.is_null() && ptr::eq(waker.data(), polled)
}

/// Notes `task`, the data pointer of its waker, as the task the worker is
/// about to poll. Not undone when the poll ends, which saves a write per
/// poll: a stale note is harmless. Outside a poll, a waker that matches it
/// is woken at once, as off a worker, and the flag that sets is cleared by
/// the next note before any poll could read it.
pub(crate) fn polling(task: *const ()) {
    let _ = POLLED_TASK.try_with(|polled| polled.set((task, false)));
}

/// Whether the polled task deferred itself since this was last asked: the
/// worker asks when the task, woken while it ran, is handed back to it.
pub(crate) fn take_polled_task_deferred() -> bool {
    POLLED_TASK
        .try_with(|polled| {
            let (task, deferred) = polled.get();
            polled.set((task, false));
            deferred
        })
        .unwrap_or(false)
}

/// Makes the current thread keep deferred wakers until the guard is
/// dropped, which wakes those still kept.
pub(crate) fn enable() -> Enabled {
    let previous = DEFERRED.with(|deferred| deferred.borrow_mut().replace(Vec::new()));
    Enabled(previous)
}

/// Stops keeping deferred wakers on the current thread (it stops being a
/// worker for a while) and wakes those it kept, until the guard is
/// dropped, which starts a new, empty list.
pub(crate) fn disable() -> Enabled {
    let kept = DEFERRED
        .try_with(|deferred| deferred.borrow_mut().take())
        .ok()
        .flatten();
    for waker in kept.into_iter().flatten() {
        waker.wake();
    }
    Enabled(Some(Vec::new()))
}

/// Restores what [`enable`] or [`disable`] replaced.
pub(crate) struct Enabled(Option<Vec<Waker>>);

impl Drop for Enabled {
    fn drop(&mut self) {
        wake_all();
        let previous = self.0.take();
        let _ = DEFERRED.try_with(|deferred| *deferred.borrow_mut() = previous);
    }
}

/// Whether wakers wait on this thread.
pub(crate) fn is_empty() -> bool {
    DEFERRED
        .try_with(|deferred| deferred.borrow().as_ref().is_none_or(Vec::is_empty))
        .unwrap_or(true)
}

/// Wakes every deferred waker of this thread.
pub(crate) fn wake_all() {
    let taken = DEFERRED
        .try_with(|deferred| deferred.borrow_mut().as_mut().map(std::mem::take))
        .ok()
        .flatten();
    // Woken after the borrow ends: a wake may defer again.
    for waker in taken.into_iter().flatten() {
        waker.wake();
    }
}
