#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/signal_drop_rt.rs` (tokio is MIT-licensed):
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

// edgeio: a plain `#[test]` has no watchdog; `watchdog` ends the process if
// a `recv` never returns.
#[test]
fn dropping_loops_does_not_cause_starvation() {
    let _watchdog = watchdog(30);
    let kind = SignalKind::user_defined1();

    let first_rt = rt();
    let mut first_signal =
        first_rt.block_on(async { signal(kind).expect("failed to register first signal") });

    let second_rt = rt();
    let mut second_signal =
        second_rt.block_on(async { signal(kind).expect("failed to register second signal") });

    send_signal(libc::SIGUSR1);

    first_rt
        .block_on(first_signal.recv())
        .expect("failed to await first signal");

    drop(first_rt);
    drop(first_signal);

    send_signal(libc::SIGUSR1);

    second_rt.block_on(second_signal.recv());
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
