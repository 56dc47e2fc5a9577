#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_driver.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::net::TcpListener;
use edgeio::runtime;
use tokio_test::{assert_ok, assert_pending};

use std::future::Future;
use std::net::TcpStream;
use std::pin::Pin;
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Wake, Waker};

struct Task<T> {
    future: Mutex<Pin<Box<T>>>,
}

// Adapted: `futures::task::ArcWake` is `std::task::Wake`.
impl<T: Send> Wake for Task<T> {
    fn wake(self: Arc<Self>) {
        // Do nothing...
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Do nothing...
    }
}

impl<T> Task<T> {
    fn new(future: T) -> Task<T> {
        Task {
            future: Mutex::new(Box::pin(future)),
        }
    }
}

#[test]
fn test_drop_on_notify() {
    let _watchdog = tokio_test::watchdog();
    // When the reactor receives a kernel notification, it notifies the
    // task that holds the associated socket. If this notification results in
    // the task being dropped, the socket will also be dropped.
    //
    // Previously, there was a deadlock scenario where the reactor, while
    // notifying, held a lock and the task being dropped attempted to acquire
    // that same lock in order to clean up state.
    //
    // To simulate this case, we create a fake executor that does nothing when
    // the task is notified. This simulates an executor in the process of
    // shutting down. Then, when the task handle is dropped, the task itself is
    // dropped.

    let rt = runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let (addr_tx, addr_rx) = mpsc::channel();

    // Define a task that just drains the listener
    let task = Arc::new(Task::new(async move {
        // Create a listener
        // Adapted: edgeio's `TcpListener::bind` is synchronous (no `.await`).
        let listener = assert_ok!(TcpListener::bind("127.0.0.1:0"));

        // Send the address
        let addr = listener.local_addr().unwrap();
        addr_tx.send(addr).unwrap();

        loop {
            let _ = listener.accept().await;
        }
    }));

    {
        let _enter = rt.enter();
        // Adapted: `futures::task::waker_ref(&task)` is a waker holding a
        // clone of `task`, dropped at the end of this block (as the
        // borrowed waker; the reactor keeps its own clone either way).
        let waker = Waker::from(task.clone());
        let mut cx = Context::from_waker(&waker);
        assert_pending!(task.future.lock().unwrap().as_mut().poll(&mut cx));
    }

    // Get the address
    let addr = addr_rx.recv().unwrap();

    drop(task);

    // Establish a connection to the acceptor
    let _s = TcpStream::connect(addr).unwrap();

    // Force the reactor to turn
    rt.block_on(async {});
}

// Adapted: edgeio's I/O is always on (`enable_io` does nothing,
// docs/TOKIO-PORTING.md), so the listener is registered where tokio panics.
#[test]
fn panics_when_io_disabled() {
    let _watchdog = tokio_test::watchdog();
    let rt = runtime::Builder::new_current_thread().build().unwrap();

    rt.block_on(async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();

        listener.set_nonblocking(true).unwrap();

        assert!(edgeio::net::TcpListener::from_std(listener).is_ok());
    });
}
