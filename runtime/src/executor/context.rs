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

use std::cell::RefCell;
use std::sync::Arc;

use crate::executor::scheduler::Shared;
use crate::time::clock;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
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
        Ok(previous) => EnterGuard {
            previous,
            entered: true,
            _clock: clock,
        },
        Err(_) => EnterGuard {
            previous: None,
            entered: false,
            _clock: clock,
        },
    }
}

/// Returned by [`enter`]: restores the previous runtime when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Arc<Shared>>,
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
