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

use std::cell::RefCell;
use std::task::Waker;

thread_local! {
    /// `Some` on a worker thread, for as long as it runs as one.
    static DEFERRED: RefCell<Option<Vec<Waker>>> = const { RefCell::new(None) };
}

/// Defers `waker` until the current worker's next reactor poll, or wakes
/// it now off a worker.
pub(crate) fn defer(waker: &Waker) {
    let deferred = DEFERRED
        .try_with(|deferred| match deferred.borrow_mut().as_mut() {
            Some(list) => {
                // A task deferred twice in one poll needs one wake-up.
                if !list.last().is_some_and(|last| last.will_wake(waker)) {
                    list.push(waker.clone());
                }
                true
            }
            None => false,
        })
        .unwrap_or(false);
    if !deferred {
        waker.wake_by_ref();
    }
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
