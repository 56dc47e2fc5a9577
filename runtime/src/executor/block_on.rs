//! Running a future to completion on the calling thread.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, Thread};

use futures_task::{waker_ref, ArcWake};

use crate::executor::coop;

/// Wakes a thread blocked in [`block_on`].
struct ThreadWaker {
    thread: Thread,
    notified: AtomicBool,
}

impl ArcWake for ThreadWaker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        // Only the first wake after a poll needs the unpark syscall.
        if !arc_self.notified.swap(true, Ordering::AcqRel) {
            arc_self.thread.unpark();
        }
    }
}

thread_local! {
    // One waker per thread, reused by every block_on, so a poll costs no
    // allocation. A nested block_on finds it taken and makes its own: one
    // shared waker would let the inner loop consume a wake-up meant for the
    // outer one, which would then sleep through it.
    static WAKER: RefCell<Option<Arc<ThreadWaker>>> = const { RefCell::new(None) };
}

/// The thread's waker, lent to one block_on and given back on drop.
struct LentWaker(Arc<ThreadWaker>);

impl LentWaker {
    fn take() -> LentWaker {
        let cached = WAKER.try_with(|w| w.borrow_mut().take()).ok().flatten();
        let waker = cached.unwrap_or_else(|| {
            Arc::new(ThreadWaker {
                thread: thread::current(),
                notified: AtomicBool::new(false),
            })
        });
        // A wake-up that came after the last call's final poll was for
        // that call's future, not this one's.
        waker.notified.store(false, Ordering::Release);
        LentWaker(waker)
    }
}

impl Drop for LentWaker {
    fn drop(&mut self) {
        let waker = self.0.clone();
        let _ = WAKER.try_with(|w| {
            w.borrow_mut().get_or_insert(waker);
        });
    }
}

/// Polls `future` on this thread, parking it between wake-ups.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = LentWaker::take();
    let mut future = pin!(future);
    let task_waker = waker_ref(&waker.0);
    let mut cx = Context::from_waker(&task_waker);
    loop {
        let budget = coop::budget();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        drop(budget);
        while !waker.0.notified.swap(false, Ordering::AcqRel) {
            thread::park();
        }
    }
}
