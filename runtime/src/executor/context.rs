//! Which runtime the current thread belongs to.
//!
//! Worker threads belong to their runtime for life; a thread inside
//! `Runtime::block_on` belongs to it for the duration of the call. Free
//! functions such as [`spawn`](crate::spawn) and I/O constructors find the
//! runtime here.
//!
//! What is kept is the scheduler's [`Shared`] state, not a `Handle`: the
//! public `Handle` wraps it and is built on demand (`Handle::current`), so
//! this module sits below the `runtime` module rather than beside it. The
//! runtime's clock is made current alongside, in the clock's own
//! thread-local, because `Instant::now` must find it from below the
//! scheduler (the timer driver reads instants).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::executor::scheduler::Shared;
use crate::time::clock;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
    /// How many guards are live on this thread, to catch guards dropped out
    /// of order (which would restore the wrong runtime), as tokio does.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with the current thread's runtime, if it has one (none while
/// the thread's locals are being destroyed).
pub(crate) fn with_current<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// Makes `shared` the current runtime until the guard is dropped, then
/// restores whatever was current before (runtimes may nest on one thread).
///
/// While the thread's locals are being destroyed (a runtime dropped from a
/// thread-local's destructor) there is no current runtime to set, and the
/// guard does nothing.
pub(crate) fn enter(shared: Arc<Shared>) -> EnterGuard {
    let clock = clock::enter(shared.reactor.clock().clone());
    match CURRENT.try_with(|current| current.borrow_mut().replace(shared)) {
        Ok(previous) => {
            let depth = DEPTH.try_with(|d| d.get() + 1).unwrap_or(0);
            let _ = DEPTH.try_with(|d| d.set(depth));
            EnterGuard {
                previous,
                depth,
                entered: true,
                _clock: clock,
            }
        }
        Err(_) => EnterGuard {
            previous: None,
            depth: 0,
            entered: false,
            _clock: clock,
        },
    }
}

/// Returned by [`enter`]: restores the previous runtime when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Arc<Shared>>,
    /// This guard's place in the thread's stack of guards (from 1).
    depth: usize,
    entered: bool,
    /// Dropped after the runtime is restored (fields drop in order), so
    /// the clock and the runtime change back together.
    _clock: clock::EnterGuard,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        if !self.entered {
            return;
        }
        let depth = DEPTH.try_with(Cell::get).unwrap_or(self.depth);
        if depth != self.depth {
            // Restoring `previous` now would make the wrong runtime current.
            // While unwinding (from this very panic) the guards are left
            // as they are: the later ones restore the state.
            assert!(
                std::thread::panicking(),
                "`EnterGuard` values dropped out of order: guards returned by `Handle::enter` or `Runtime::enter` must be dropped in the reverse order of their creation"
            );
            return;
        }
        let _ = DEPTH.try_with(|d| d.set(depth - 1));
        let previous = self.previous.take();
        // Take the runtime out first and drop it after the borrow ends:
        // dropping the last reference tears a runtime down.
        let _replaced = CURRENT.try_with(|current| std::mem::replace(&mut *current.borrow_mut(), previous));
    }
}

/// Runs `body` as one of `shared`'s threads (a worker, a blocking-pool
/// thread, a stand-in for a worker in `block_in_place`): inside its
/// context, between the builder's start and stop hooks. The stop hook runs
/// even if `body` unwinds.
pub(crate) fn run_thread(shared: Arc<Shared>, body: impl FnOnce()) {
    let hooks = shared.hooks.clone();
    let _enter = enter(shared);
    if let Some(start) = &hooks.on_start {
        start();
    }
    /// Runs the stop hook even if `body` unwinds.
    struct Stop<'a>(Option<&'a (dyn Fn() + Send + Sync)>);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            if let Some(stop) = self.0 {
                stop();
            }
        }
    }
    let _stop = Stop(hooks.on_stop.as_deref());
    body();
}
