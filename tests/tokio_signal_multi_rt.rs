#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_multi_rt.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio` and `tokio-test` replaced by
// tests/support/tokio_test.rs. A test binary of its own, as in tokio, since
// the signal goes to the whole process. Adaptations beyond renaming are
// marked "edgeio:".

mod support {
    pub mod signal;
}

use edgeio::runtime::Runtime;
use edgeio::signal::unix::{signal, SignalKind};
use support::signal::send_signal;

use std::sync::mpsc::channel;
use std::thread;

// edgeio: a plain `#[test]` has no watchdog; `watchdog` ends the process if
// a thread never gets its signal.
#[test]
fn multi_loop() {
    let _watchdog = watchdog(60);
    // An "ordinary" (non-future) channel
    let (sender, receiver) = channel();
    // Run multiple times, to make sure there are no race conditions
    for _ in 0..10 {
        // Run multiple event loops, each one in its own thread
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let sender = sender.clone();
                thread::spawn(move || {
                    let rt = rt();
                    let _ = rt.block_on(async {
                        let mut signal = signal(SignalKind::hangup()).unwrap();
                        sender.send(()).unwrap();
                        signal.recv().await
                    });
                })
            })
            .collect();
        // Wait for them to declare they're ready
        for &_ in threads.iter() {
            receiver.recv().unwrap();
        }
        // Send a signal
        send_signal(libc::SIGHUP);
        // Make sure the threads terminated correctly
        for t in threads {
            t.join().unwrap();
        }
    }
}

fn rt() -> Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Aborts the process if not dropped within `secs` seconds.
fn watchdog(secs: u64) -> std::sync::mpsc::Sender<()> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            wait.recv_timeout(std::time::Duration::from_secs(secs))
        {
            eprintln!("test timed out after {secs} s");
            std::process::abort();
        }
    });
    done
}
