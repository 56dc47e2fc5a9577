//! Which runtime the current thread belongs to.
//!
//! Worker threads belong to their runtime for life; a thread inside
//! `Runtime::block_on` belongs to it for the duration of the call. Free
//! functions such as [`spawn`](crate::spawn) and I/O constructors find the
//! runtime here.

use std::cell::RefCell;

use crate::runtime::Handle;

thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// Runs `f` with the current thread's runtime, if it has one (none while
/// the thread's locals are being destroyed).
pub(crate) fn with_current<R>(f: impl FnOnce(&Handle) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// Makes `handle` the current runtime until the guard is dropped, then
/// restores whatever was current before (runtimes may nest on one thread).
///
/// While the thread's locals are being destroyed (a runtime dropped from a
/// thread-local's destructor) there is no current runtime to set, and the
/// guard does nothing.
pub(crate) fn enter(handle: Handle) -> EnterGuard {
    match CURRENT.try_with(|current| current.borrow_mut().replace(handle)) {
        Ok(previous) => EnterGuard {
            previous,
            entered: true,
        },
        Err(_) => EnterGuard {
            previous: None,
            entered: false,
        },
    }
}

pub(crate) struct EnterGuard {
    previous: Option<Handle>,
    entered: bool,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        if !self.entered {
            return;
        }
        let previous = self.previous.take();
        // Take the handle out first and drop it after the borrow ends:
        // dropping the last handle tears a runtime down.
        let _replaced = CURRENT.try_with(|current| std::mem::replace(&mut *current.borrow_mut(), previous));
    }
}
