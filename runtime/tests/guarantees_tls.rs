//! Thread-local teardown (issue #19, item 4): a runtime dropped, or a
//! task's waker fired, from a thread-local destructor must not abort the
//! process, whichever of the runtime's own thread locals are already gone.
//!
//! A panic inside a thread-local destructor aborts the process, so each
//! body runs in a child process (this binary, re-executed for one test)
//! and the parent checks that the child exited successfully.
//!
//! Thread-local destructors run in the reverse order of registration, and
//! a thread local registers its destructor on first use. Each test uses
//! its own thread local first, then the runtime (which registers the
//! runtime's), so at thread exit the runtime's are destroyed first and
//! ours runs after them: the order in which `LocalKey::with` panics.

mod common;

use std::cell::RefCell;
use std::future::poll_fn;
use std::sync::Mutex;
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use common::{block_on_for, is_child, run_in_child};
use edgeio_runtime::{spawn, Builder, Runtime};

const CHILD_LIMIT: Duration = Duration::from_secs(20);

/// Drops the runtime it holds when the thread's locals are destroyed.
struct DropsRuntime(RefCell<Option<Runtime>>);

impl Drop for DropsRuntime {
    fn drop(&mut self) {
        drop(self.0.borrow_mut().take());
    }
}

thread_local! {
    static RUNTIME_IN_TLS: DropsRuntime = const { DropsRuntime(RefCell::new(None)) };
}

#[test]
fn dropping_a_runtime_in_a_thread_local_destructor_does_not_abort() {
    const NAME: &str = "dropping_a_runtime_in_a_thread_local_destructor_does_not_abort";
    if !is_child(NAME) {
        return run_in_child(NAME, CHILD_LIMIT);
    }
    thread::spawn(|| {
        // Ours first, so that it is destroyed after the runtime's.
        RUNTIME_IN_TLS.with(|_| {});
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let answer = runtime.block_on(async { spawn(async { 42 }).await.unwrap() });
        assert_eq!(answer, 42);
        RUNTIME_IN_TLS.with(|slot| *slot.0.borrow_mut() = Some(runtime));
    })
    .join()
    .unwrap();
}

/// Wakes the waker it holds when the thread's locals are destroyed.
struct WakesOnDrop(RefCell<Option<Waker>>);

impl Drop for WakesOnDrop {
    fn drop(&mut self) {
        if let Some(waker) = self.0.borrow_mut().take() {
            waker.wake();
        }
    }
}

thread_local! {
    static WAKER_IN_TLS: WakesOnDrop = const { WakesOnDrop(RefCell::new(None)) };
}

/// Where the waiting task leaves its waker for the other thread.
static WAITING: Mutex<Option<Waker>> = Mutex::new(None);

/// A task's waker fired from a thread-local destructor of a plain thread
/// that has also used a (second) runtime, whose thread locals are gone by
/// then: the wake must reach the task (it completes) and not panic.
#[test]
fn a_waker_fired_from_a_thread_local_destructor_does_not_abort() {
    const NAME: &str = "a_waker_fired_from_a_thread_local_destructor_does_not_abort";
    if !is_child(NAME) {
        return run_in_child(NAME, CHILD_LIMIT);
    }
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let mut woken = false;
    let task = runtime.spawn(poll_fn(move |cx| {
        if woken {
            return Poll::Ready(7);
        }
        woken = true;
        *WAITING.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }));
    let waker = (0..2_000)
        .find_map(|_| {
            thread::sleep(Duration::from_millis(1));
            WAITING.lock().unwrap().take()
        })
        .expect("the task never ran");
    thread::spawn(move || {
        // Ours first, so that it is destroyed after the runtime's.
        WAKER_IN_TLS.with(|_| {});
        let other = Builder::new().worker_threads(1).build().unwrap();
        other.block_on(async { spawn(async {}).await.unwrap() });
        drop(other);
        WAKER_IN_TLS.with(|slot| *slot.0.borrow_mut() = Some(waker));
    })
    .join()
    .unwrap();
    let output = block_on_for(Duration::from_secs(5), task);
    assert!(
        matches!(output, Some(Ok(7))),
        "the task woken from a thread-local destructor gave {output:?}"
    );
}

/// The same waker fired from a thread-local destructor of one of the
/// runtime's own workers, while the runtime shuts down: the worker
/// thread's locals are destroyed with the runtime's state half gone.
#[test]
fn a_waker_fired_from_a_worker_thread_local_destructor_at_shutdown_does_not_abort() {
    const NAME: &str = "a_waker_fired_from_a_worker_thread_local_destructor_at_shutdown_does_not_abort";
    if !is_child(NAME) {
        return run_in_child(NAME, CHILD_LIMIT);
    }
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let mut first = true;
    let waiting = runtime.spawn(poll_fn(move |cx| {
        if first {
            first = false;
            *WAITING.lock().unwrap() = Some(cx.waker().clone());
        }
        Poll::<()>::Pending
    }));
    let waker = (0..2_000)
        .find_map(|_| {
            thread::sleep(Duration::from_millis(1));
            WAITING.lock().unwrap().take()
        })
        .expect("the task never ran");
    // A task leaves the waker in its worker thread's locals.
    let stored = runtime.spawn(async move {
        WAKER_IN_TLS.with(|slot| *slot.0.borrow_mut() = Some(waker));
    });
    assert!(matches!(
        block_on_for(Duration::from_secs(5), stored),
        Some(Ok(()))
    ));
    drop(runtime);
    let output = block_on_for(Duration::from_secs(5), waiting);
    assert!(
        matches!(output, Some(Err(ref e)) if e.is_cancelled()),
        "the waiting task of a dropped runtime gave {output:?}"
    );
}
