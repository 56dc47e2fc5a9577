//! [`LocalRuntime`]: tokio's runtime for `!Send` tasks, as a current-thread
//! runtime with a [`LocalSet`] that lives as long as it does.
//!
//! edgeio's current-thread runtime already runs `spawn_local` tasks inside
//! its `block_on`, but those end with the call (see
//! `Handle::block_on`). tokio's `LocalRuntime` keeps them: a task spawned
//! before a `block_on`, or left unfinished by one, runs in the next. That
//! is exactly a set owned by the runtime and run by each `block_on`, which
//! is all this type adds.

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use crate::executor::join_handle::JoinHandle;
use crate::executor::local_set::{LocalEnterGuard, LocalSet};
use crate::runtime::builder::Builder;
use crate::runtime::handle::{EnterGuard, Handle};
use crate::runtime::metrics::Metrics;
use crate::runtime::runtime::Runtime;

/// A current-thread runtime whose `!Send` tasks outlive each `block_on`
/// (tokio's `runtime::LocalRuntime`).
///
/// [`spawn_local`](crate::spawn_local) works anywhere on its thread while
/// it is entered, in or out of `block_on`, and its tasks run whenever a
/// `block_on` runs. `Send` tasks ([`Handle::spawn`], from any thread) run
/// there too. It is neither `Send` nor `Sync`: its tasks belong to the
/// thread that made it.
///
/// ```
/// use std::rc::Rc;
///
/// let runtime = edgeio_runtime::LocalRuntime::new()?;
/// let shared = Rc::new(5);
/// let task = runtime.spawn_local({
///     let shared = shared.clone();
///     async move { *shared + 1 }
/// });
/// assert_eq!(runtime.block_on(task).unwrap(), 6);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct LocalRuntime {
    // Dropped first: the set cancels its tasks while their runtime is
    // still there.
    local: LocalSet,
    runtime: Runtime,
}

/// Options of a [`LocalRuntime`] (tokio's `runtime::LocalOptions`); none
/// yet, as in tokio's stable API. Neither `Send` nor `Sync`, as tokio's,
/// so that options tied to the building thread can be added later.
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
pub struct LocalOptions {
    _not_send: PhantomData<*mut ()>,
}

impl Builder {
    /// Builds a [`LocalRuntime`] from this current-thread builder (tokio's
    /// `Builder::build_local`).
    ///
    /// # Panics
    ///
    /// On a multi-thread builder, at the caller, as tokio's: a
    /// `LocalRuntime` runs on one thread.
    ///
    /// ```
    /// use edgeio_runtime::{Builder, LocalOptions};
    ///
    /// let runtime = Builder::new_current_thread().enable_all().build_local(LocalOptions::default())?;
    /// runtime.block_on(async {});
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn build_local(&mut self, options: LocalOptions) -> io::Result<LocalRuntime> {
        let LocalOptions { _not_send } = options;
        assert!(
            self.is_current_thread(),
            "multi_thread is not supported for LocalRuntime"
        );
        Ok(LocalRuntime {
            local: LocalSet::new(),
            runtime: self.build()?,
        })
    }
}

impl LocalRuntime {
    /// A `LocalRuntime` with the default settings.
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    pub fn new() -> io::Result<LocalRuntime> {
        Builder::new_current_thread().build_local(LocalOptions::default())
    }

    /// The runtime's handle: spawns `Send` tasks onto it from any thread.
    #[must_use]
    pub fn handle(&self) -> &Handle {
        self.runtime.handle()
    }

    /// Spawns a `!Send` task. It runs when a `block_on` of this runtime
    /// runs; one left unfinished waits for the next.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn_local(future)
    }

    /// Spawns a blocking job onto the runtime's blocking pool.
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.runtime.spawn_blocking(f)
    }

    /// Runs `future` to completion on this thread, with the runtime's
    /// tasks, its local ones included.
    ///
    /// # Panics
    ///
    /// As [`Runtime::block_on`]: on a worker thread of any runtime.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(&self.runtime, future)
    }

    /// Makes this runtime current on this thread until the guard is
    /// dropped, for its `spawn_local` tasks too.
    pub fn enter(&self) -> LocalRuntimeEnterGuard<'_> {
        let runtime = self.runtime.enter();
        LocalRuntimeEnterGuard {
            _local: self.local.enter(),
            _runtime: runtime,
        }
    }

    /// A snapshot of the runtime's counters.
    #[must_use]
    pub fn metrics(&self) -> Metrics {
        self.runtime.metrics()
    }

    /// Cancels the local tasks, then shuts down as
    /// [`Runtime::shutdown_timeout`]; `true` if everything stopped in time.
    pub fn shutdown_timeout(self, timeout: Duration) -> bool {
        let LocalRuntime { local, runtime } = self;
        drop(local);
        runtime.shutdown_timeout(timeout)
    }

    /// Cancels the local tasks, then shuts down without waiting, as
    /// [`Runtime::shutdown_background`].
    pub fn shutdown_background(self) {
        let LocalRuntime { local, runtime } = self;
        drop(local);
        runtime.shutdown_background();
    }
}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("handle", self.handle())
            .finish()
    }
}

/// What [`LocalRuntime::enter`] returns: the runtime and its local set
/// stay current until it is dropped.
#[must_use = "the runtime is current only while the guard lives"]
pub struct LocalRuntimeEnterGuard<'a> {
    // Left in the reverse order of entering.
    _local: LocalEnterGuard,
    _runtime: EnterGuard<'a>,
}

impl fmt::Debug for LocalRuntimeEnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntimeEnterGuard").finish_non_exhaustive()
    }
}
