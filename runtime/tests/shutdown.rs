//! Dropping or shutting down a runtime leaks no thread and no fd.
//!
//! One test in its own binary: it counts `/proc/self/fd` and
//! `/proc/self/task`, which other tests running in parallel would disturb.

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::{mpsc, Mutex};
use std::task::Waker;
use std::thread;
use std::time::{Duration, Instant};

use edgeio_runtime::time::sleep;
use edgeio_runtime::{spawn, spawn_blocking, Builder, Registration};

/// Where a task leaves its waker, outside the runtime: the waker outlives it.
static OUTSIDE_WAKER: Mutex<Option<Waker>> = Mutex::new(None);

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// The count once it stopped changing: a joined thread can stay listed in
/// `/proc/self/task` for a moment after `join` returns.
fn stable(dir: &str) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = count(dir);
    loop {
        thread::sleep(Duration::from_millis(20));
        let now = count(dir);
        if now == last || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

/// Waits (boundedly) for the count to come down to `expected`, and
/// returns it.
fn settle(dir: &str, expected: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = count(dir);
        if now <= expected || Instant::now() > deadline {
            return now;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn exercise_and_drop(shutdown: impl FnOnce(edgeio_runtime::Runtime)) {
    let runtime = Builder::new().worker_threads(3).build().unwrap();
    runtime.block_on(async {
        // A task parked on a registered socket, one on a timer, one in the
        // blocking pool, and some finished ones.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).unwrap();
        client.set_nonblocking(true).unwrap();
        let (server, _) = listener.accept().unwrap();
        spawn(async move {
            let client = client;
            // SAFETY: `client` is declared first, so it is dropped after
            // `registration`, also when the task is cancelled at shutdown.
            let registration = unsafe { Registration::new(client.as_fd()).unwrap() };
            let mut buf = [0u8; 16];
            let _ = registration.read_io(|| client.peek(&mut buf)).await;
            drop(registration);
            drop(client);
        })
        .detach();
        spawn(sleep(Duration::from_secs(3600))).detach();
        // A detached task that nothing will ever wake, and one whose waker
        // is kept outside the runtime: neither queues nor reactor know of
        // them, and each holds an fd that shutdown must close.
        let forgotten = TcpListener::bind("127.0.0.1:0").unwrap();
        spawn(async move {
            let _forgotten = forgotten;
            std::future::pending::<()>().await;
        })
        .detach();
        let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
        spawn(async move {
            let _elsewhere = elsewhere;
            std::future::poll_fn(|cx| {
                *OUTSIDE_WAKER.lock().unwrap() = Some(cx.waker().clone());
                std::task::Poll::<()>::Pending
            })
            .await;
        })
        .detach();
        spawn_blocking(|| 1).await.unwrap();
        for i in 0..100 {
            assert_eq!(spawn(async move { i }).await.unwrap(), i);
        }
        sleep(Duration::from_millis(20)).await;
        drop(server);
    });
    shutdown(runtime);
}

#[test]
fn runtime_shutdown_leaks_no_threads_or_fds() {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let result = std::panic::catch_unwind(|| {
            // Warm up once: std and the test harness open fds lazily.
            exercise_and_drop(drop);
            let fds = stable("/proc/self/fd");
            let threads = stable("/proc/self/task");

            exercise_and_drop(drop);
            assert_eq!(settle("/proc/self/fd", fds), fds, "fds leaked by Drop");
            assert_eq!(
                settle("/proc/self/task", threads),
                threads,
                "threads leaked by Drop"
            );

            exercise_and_drop(|rt| assert!(rt.shutdown_timeout(Duration::from_secs(5))));
            assert_eq!(
                settle("/proc/self/fd", fds),
                fds,
                "fds leaked by shutdown_timeout"
            );
            assert_eq!(
                settle("/proc/self/task", threads),
                threads,
                "threads leaked by shutdown_timeout"
            );
        });
        let _ = tx.send(result);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(())) => {}
        Ok(Err(p)) => std::panic::resume_unwind(p),
        Err(_) => panic!("test timed out"),
    }
}
