//! Task-local storage: values a future carries with it, visible to the
//! code it runs wherever (on whichever thread) it is polled.
//!
//! A [`LocalKey`] is backed by a thread-local slot. [`LocalKey::scope`]
//! wraps a future in a [`TaskLocalFuture`] that owns the value and moves it
//! into the slot for the length of each poll (and of the future's drop),
//! then back out, so the value follows the future from worker to worker
//! and never leaks to other tasks polled on the same thread.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread;

/// Declares task-local keys, as tokio's `task_local!` does.
///
/// Each `static NAME: Type;` becomes a [`LocalKey<Type>`](crate::task::LocalKey);
/// the value is set per future with [`LocalKey::scope`] (there is no
/// initializer: outside a scope the key has no value).
///
/// ```
/// edgeio_runtime::task_local! {
///     static REQUEST_ID: u64;
///     pub static USER: String;
/// }
///
/// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
/// REQUEST_ID
///     .scope(7, async {
///         assert_eq!(REQUEST_ID.get(), 7);
///     })
///     .await;
/// assert!(REQUEST_ID.try_with(|_| ()).is_err());
/// # });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};

    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };

    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __KEY: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey { inner: __KEY }
        };
    };
}

/// A key for task-local data, declared with [`task_local!`](crate::task_local).
///
/// Unlike a [`std::thread::LocalKey`], it has no initial value: a value
/// exists only inside [`scope`](LocalKey::scope) (for a future) or
/// [`sync_scope`](LocalKey::sync_scope) (for a closure).
pub struct LocalKey<T: 'static> {
    /// The thread-local slot the value is moved into while its scope runs.
    /// Public only for the `task_local!` expansion.
    #[doc(hidden)]
    pub inner: thread::LocalKey<RefCell<Option<T>>>,
}

impl<T: 'static> LocalKey<T> {
    /// Wraps `future` so that the key has `value` while it runs (in every
    /// poll, and while it is dropped). The value is dropped with the
    /// returned future, or taken back by [`TaskLocalFuture::take_value`].
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            local: self,
            slot: Some(value),
            future: Some(future),
            _pinned: PhantomPinned,
        }
    }

    /// Runs `f` with the key set to `value`.
    ///
    /// # Panics
    ///
    /// If called from inside [`with`](LocalKey::with) on the same key, or
    /// while the thread's locals are being destroyed.
    #[track_caller]
    pub fn sync_scope<F, R>(&'static self, value: T, f: F) -> R
    where
        F: FnOnce() -> R,
    {
        let mut slot = Some(value);
        match self.scope_inner(&mut slot, f) {
            Ok(result) => result,
            Err(err) => err.panic(),
        }
    }

    /// Moves `slot`'s value into the key for the duration of `f`, and back
    /// (even if `f` panics); the key's previous value (an outer scope's)
    /// is back in place afterwards.
    fn scope_inner<F, R>(&'static self, slot: &mut Option<T>, f: F) -> Result<R, ScopeError>
    where
        F: FnOnce() -> R,
    {
        struct Restore<'a, T: 'static> {
            local: &'static LocalKey<T>,
            slot: &'a mut Option<T>,
        }

        impl<T: 'static> Drop for Restore<'_, T> {
            fn drop(&mut self) {
                // Cannot fail: the swap in succeeded, and a borrow taken by
                // `with` inside the scope has ended by now.
                let _ = self.local.inner.try_with(|cell| {
                    if let Ok(mut value) = cell.try_borrow_mut() {
                        std::mem::swap(self.slot, &mut *value);
                    }
                });
            }
        }

        self.inner
            .try_with(|cell| {
                cell.try_borrow_mut()
                    .map(|mut value| std::mem::swap(slot, &mut *value))
            })
            .map_err(|_| ScopeError::Destroyed)?
            .map_err(|_| ScopeError::Borrowed)?;
        let _restore = Restore { local: self, slot };
        Ok(f())
    }

    /// Runs `f` with a reference to the key's value.
    ///
    /// # Panics
    ///
    /// If the key has no value here (not inside a scope of it).
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        match self.try_with(f) {
            Ok(result) => result,
            Err(_) => panic!("cannot access a task-local storage value without setting it first"),
        }
    }

    /// Runs `f` with a reference to the key's value, or fails if the key
    /// has no value here.
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        let result = self.inner.try_with(|cell| {
            // A borrow fails only while a scope of this key is being
            // entered, which cannot be observed from inside `f`.
            let value = cell.try_borrow().ok()?;
            value.as_ref().map(f)
        });
        match result {
            Ok(Some(result)) => Ok(result),
            Ok(None) | Err(_) => Err(AccessError { _private: () }),
        }
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A copy of the key's value.
    ///
    /// # Panics
    ///
    /// If the key has no value here.
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }

    /// A copy of the key's value, or an error if it has none here.
    pub fn try_get(&'static self) -> Result<T, AccessError> {
        self.try_with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("LocalKey { .. }")
    }
}

pin_project_lite::pin_project! {
    /// A future with a task-local value: [`LocalKey::scope`]'s result.
    pub struct TaskLocalFuture<T, F>
    where
        T: 'static,
    {
        local: &'static LocalKey<T>,
        slot: Option<T>,
        #[pin]
        future: Option<F>,
        // The future lends out `slot` by address only in its own methods,
        // but stays `!Unpin` as tokio's does, so code written against
        // tokio's type keeps compiling.
        #[pin]
        _pinned: PhantomPinned,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if std::mem::needs_drop::<F>() && this.future.is_some() {
                // The future's `Drop` sees the value too; if the key cannot
                // be set now, the future is dropped without it.
                let mut future = this.future;
                let _ = this.local.scope_inner(this.slot, || future.set(None));
            }
        }
    }
}

impl<T: 'static, F> TaskLocalFuture<T, F> {
    /// Takes the value out of the future: afterwards the key has no value
    /// inside it. `None` if it was already taken.
    pub fn take_value(self: Pin<&mut Self>) -> Option<T> {
        self.project().slot.take()
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut future = this.future;
        let result = this.local.scope_inner(this.slot, || {
            let poll = future
                .as_mut()
                .as_pin_mut()
                .expect("`TaskLocalFuture` polled after completion")
                .poll(cx);
            if poll.is_ready() {
                // Dropped inside the scope, as it would be on drop.
                future.set(None);
            }
            poll
        });
        match result {
            Ok(poll) => poll,
            Err(err) => err.panic(),
        }
    }
}

impl<T: fmt::Debug + 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}

/// The error [`LocalKey::try_with`] returns when the key has no value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessError").finish()
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl Error for AccessError {}

/// Why a scope could not be entered.
enum ScopeError {
    /// Someone holds a reference from `with` on this thread.
    Borrowed,
    /// The thread's locals are being destroyed.
    Destroyed,
}

impl ScopeError {
    #[track_caller]
    fn panic(self) -> ! {
        match self {
            ScopeError::Borrowed => {
                panic!("cannot enter a task-local scope while the task-local storage is borrowed")
            }
            ScopeError::Destroyed => panic!(
                "cannot enter a task-local scope during or after destruction of the underlying thread-local"
            ),
        }
    }
}
