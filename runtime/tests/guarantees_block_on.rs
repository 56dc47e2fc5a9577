//! `Runtime::block_on` starts every call clean (issue #19, item 6): a wake
//! left over from one call must not make the next call on the same thread
//! poll its future again for nothing.

mod common;

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::thread;
use std::time::Duration;

use common::within;
use edgeio_runtime::Builder;

#[test]
fn block_on_carries_no_stale_wake_into_the_next_call() {
    let polls = within(Duration::from_secs(20), "two block_on calls", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        // First call: the future wakes itself, then completes, leaving a
        // wake that nothing will consume.
        runtime.block_on(poll_fn(|cx| {
            cx.waker().wake_by_ref();
            Poll::Ready(())
        }));
        // Second call, same thread: pending once, woken from another
        // thread 50 ms later, then ready. Exactly two polls.
        let polls = Arc::new(AtomicU32::new(0));
        let counted = polls.clone();
        let woken = Arc::new(AtomicBool::new(false));
        let mut waker_sent = false;
        runtime.block_on(poll_fn(move |cx| {
            counted.fetch_add(1, Ordering::SeqCst);
            if woken.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            if !waker_sent {
                waker_sent = true;
                let waker = cx.waker().clone();
                let woken = woken.clone();
                thread::spawn(move || {
                    thread::sleep(Duration::from_millis(50));
                    woken.store(true, Ordering::SeqCst);
                    waker.wake();
                });
            }
            Poll::Pending
        }));
        polls.load(Ordering::SeqCst)
    });
    assert_eq!(
        polls, 2,
        "the second block_on polled its future {polls} times: a stale wake from the first call"
    );
}
