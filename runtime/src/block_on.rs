//! Running a future to completion on the calling thread.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::{self, Thread};

use futures_task::{waker_ref, ArcWake};

use crate::coop;

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
    // One waker per thread, reused by every (possibly nested) block_on, so
    // a poll costs no allocation.
    static WAKER: RefCell<Option<Arc<ThreadWaker>>> = const { RefCell::new(None) };
}

/// Polls `future` on this thread, parking it between wake-ups.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = WAKER.with(|w| {
        w.borrow_mut()
            .get_or_insert_with(|| {
                Arc::new(ThreadWaker {
                    thread: thread::current(),
                    notified: AtomicBool::new(false),
                })
            })
            .clone()
    });
    let mut future = pin!(future);
    let task_waker = waker_ref(&waker);
    let mut cx = Context::from_waker(&task_waker);
    loop {
        coop::reset();
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        while !waker.notified.swap(false, Ordering::AcqRel) {
            thread::park();
        }
    }
}
