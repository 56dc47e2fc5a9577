//! `Builder` as tokio's: setters that take `&mut self`, so a builder
//! configured step by step ports unchanged; thread names from a function;
//! park and unpark hooks.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edgeio_runtime::{spawn_blocking, Builder};

#[test]
fn a_builder_configured_step_by_step() {
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(2);
    builder.enable_all();
    if cfg!(unix) {
        builder.thread_keep_alive(Duration::from_secs(1));
    }
    let runtime = builder.build().unwrap();
    assert_eq!(runtime.block_on(async { 1 + 1 }), 2);
    // The builder can build again, as tokio's.
    let again = builder.build().unwrap();
    assert_eq!(again.block_on(async { 3 }), 3);
}

/// The names of the threads a two-worker runtime from `builder` starts:
/// its workers' (as `on_thread_start` sees them), and the blocking thread
/// of one `spawn_blocking` job.
fn thread_names(builder: &mut Builder) -> (HashSet<Option<String>>, Option<String>) {
    let names = Arc::new(Mutex::new(HashSet::new()));
    let runtime = {
        let names = names.clone();
        builder
            .worker_threads(2)
            .on_thread_start(move || {
                let name = std::thread::current().name().map(str::to_owned);
                names.lock().unwrap().insert(name);
            })
            .build()
            .unwrap()
    };
    let blocking_name = runtime
        .block_on(async { spawn_blocking(|| std::thread::current().name().map(str::to_owned)).await })
        .unwrap();
    drop(runtime);
    let names = names.lock().unwrap().clone();
    (names, blocking_name)
}

#[test]
fn thread_name_fn_names_every_thread() {
    let next = Arc::new(AtomicUsize::new(0));
    let counter = next.clone();
    let (names, blocking_name) = thread_names(
        Builder::new_multi_thread()
            .thread_name_fn(move || format!("pool-{}\0", counter.fetch_add(1, Ordering::SeqCst))),
    );
    // Two workers and one blocking thread, each named by the function
    // (with the NUL the OS cannot take left out).
    assert!(names.contains(&Some("pool-0".to_owned())), "{names:?}");
    assert!(names.contains(&Some("pool-1".to_owned())), "{names:?}");
    assert_eq!(blocking_name, Some("pool-2".to_owned()));
    assert_eq!(next.load(Ordering::SeqCst), 3);
}

#[test]
fn thread_name_names_every_thread_exactly() {
    let (names, blocking_name) = thread_names(Builder::new_multi_thread().thread_name("my-pool"));
    // As tokio's: the name itself, on workers and blocking threads alike.
    assert_eq!(names, HashSet::from([Some("my-pool".to_owned())]));
    assert_eq!(blocking_name.as_deref(), Some("my-pool"));
}

#[test]
fn park_and_unpark_hooks_run_around_each_sleep() {
    let parks = Arc::new(AtomicUsize::new(0));
    let unparks = Arc::new(AtomicUsize::new(0));
    let runtime = {
        let (parks, unparks) = (parks.clone(), unparks.clone());
        Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_park(move || {
                parks.fetch_add(1, Ordering::SeqCst);
            })
            .on_thread_unpark(move || {
                unparks.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap()
    };
    // Each sleep leaves the worker with nothing to do: it parks, and the
    // timer wakes it.
    runtime.block_on(async {
        edgeio_runtime::spawn(async {
            for _ in 0..3 {
                edgeio_runtime::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap();
    });
    drop(runtime);
    let (parks, unparks) = (parks.load(Ordering::SeqCst), unparks.load(Ordering::SeqCst));
    assert!(parks >= 3, "parks: {parks}");
    // Each unpark follows a park; the last park may end in shutdown.
    assert!(
        unparks + 1 >= parks && unparks <= parks,
        "parks {parks}, unparks {unparks}"
    );
}
