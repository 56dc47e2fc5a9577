//! `signal::unix`: delivery through the reactor, several listeners, chained
//! handlers, refused signals. Each test uses its own signal numbers (the
//! handlers are process-wide); SIGTERM and SIGHUP, whose default action
//! would end the test binary, are only sent to a child process.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::Duration;

#[path = "common/under_test.rs"]
mod under_test;

use edgeio::signal::unix::{signal, SignalKind};
use edgeio::time::timeout;
use edgeio::{spawn, Builder};
use under_test::{open_fds, threads};

/// Serialises the tests: one counts the fds and threads of the process.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sends `signal` to this process.
fn raise(signal: libc::c_int) {
    // SAFETY: kill(2) takes no pointers; every signal raised here has a
    // handler installed by the test first.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signal) }, 0);
}

/// Runs `body` on a two-worker runtime in a thread, failing after 60 s.
fn with_runtime(body: impl std::future::Future<Output = ()> + Send + 'static) {
    under_test::with_runtime(Duration::from_secs(60), body);
}

const CHILD_ENV: &str = "EDGEIO_SIGNAL_CHILD";

/// Run by `terminate_and_hangup_reach_a_child` in a child process: listens
/// for SIGHUP and SIGTERM and reports each on stdout.
#[test]
#[ignore = "run in a child process by terminate_and_hangup_reach_a_child"]
fn child_listens_for_terminate_and_hangup() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let runtime = Builder::new().worker_threads(2).build().unwrap();
    runtime.block_on(async {
        let mut hangup = signal(SignalKind::hangup()).unwrap();
        let mut terminate = signal(SignalKind::terminate()).unwrap();
        println!("ready");
        let limit = Duration::from_secs(20);
        timeout(limit, hangup.recv()).await.unwrap().unwrap();
        println!("got hangup");
        timeout(limit, terminate.recv()).await.unwrap().unwrap();
        println!("got terminate");
    });
}

#[test]
fn terminate_and_hangup_reach_a_child() {
    let _serial = serial();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_listens_for_terminate_and_hangup",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut expect = |wanted: &str| loop {
        match lines.recv_timeout(Duration::from_secs(30)) {
            // libtest prints the test's name on the same line as its
            // first output.
            Ok(line) if line.ends_with(wanted) => break,
            Ok(_) => {}
            Err(e) => {
                // SAFETY: kill(2) on our own child, which we have not reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                let _ = child.wait();
                panic!("no {wanted:?} from the child: {e}");
            }
        }
    };
    expect("ready");
    // SAFETY: kill(2) on our own child, which we have not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    expect("got hangup");
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    expect("got terminate");
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "child exited with {status:?} (signal {:?})",
        status.signal()
    );
}

#[test]
fn every_listener_gets_each_delivery() {
    let _serial = serial();
    with_runtime(async {
        let mut first = signal(SignalKind::user_defined1()).unwrap();
        let mut second = signal(SignalKind::user_defined1()).unwrap();
        // A listener in another runtime hears it too.
        let (ready_tx, ready_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let other = thread::spawn(move || {
            let runtime = Builder::new().worker_threads(1).build().unwrap();
            runtime.block_on(async {
                let mut third = signal(SignalKind::user_defined1()).unwrap();
                ready_tx.send(()).unwrap();
                for _ in 0..3 {
                    let got = timeout(Duration::from_secs(10), third.recv()).await;
                    done_tx.send(got.is_ok()).unwrap();
                }
            });
        });
        ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        for round in 0..3 {
            raise(libc::SIGUSR1);
            let limit = Duration::from_secs(10);
            // One listener in a task of its own, on another worker maybe.
            let waiter = spawn(async move {
                timeout(limit, first.recv())
                    .await
                    .expect("first listener not woken");
                first
            });
            timeout(limit, second.recv())
                .await
                .expect("second listener not woken");
            first = waiter.await.unwrap();
            assert!(
                done_rx.recv_timeout(limit).unwrap(),
                "round {round}: other runtime's listener not woken"
            );
        }
        other.join().unwrap();
    });
}

/// A handler installed before edgeio's keeps running, for both kinds of
/// handler (`sa_handler` and `SA_SIGINFO`).
#[test]
fn a_previous_handler_is_chained() {
    let _serial = serial();
    static PLAIN: AtomicUsize = AtomicUsize::new(0);
    static SIGINFO: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn plain(_: libc::c_int) {
        PLAIN.fetch_add(1, Ordering::SeqCst);
    }
    extern "C" fn with_info(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo to SA_SIGINFO handlers,
        // and our handler forwards it untouched.
        if !info.is_null() && unsafe { (*info).si_signo } == signal {
            SIGINFO.fetch_add(1, Ordering::SeqCst);
        }
    }
    let realtime = libc::SIGRTMIN() + 1;
    for (signum, handler, flags) in [
        (libc::SIGUSR2, plain as extern "C" fn(libc::c_int) as usize, 0),
        (
            realtime,
            with_info as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize,
            libc::SA_SIGINFO,
        ),
    ] {
        // SAFETY: a zeroed sigaction is valid; the handlers only touch atomics.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        // SAFETY: `action` is initialised.
        assert_eq!(
            unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) },
            0
        );
    }
    with_runtime(async move {
        let mut user2 = signal(SignalKind::user_defined2()).unwrap();
        let mut rt = signal(SignalKind::from_raw(realtime)).unwrap();
        raise(libc::SIGUSR2);
        raise(realtime);
        let limit = Duration::from_secs(10);
        timeout(limit, user2.recv()).await.unwrap().unwrap();
        timeout(limit, rt.recv()).await.unwrap().unwrap();
        assert_eq!(PLAIN.load(Ordering::SeqCst), 1);
        assert_eq!(SIGINFO.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn refused_signals_are_errors_not_panics() {
    let _serial = serial();
    // Outside a runtime: an error too.
    assert!(signal(SignalKind::alarm()).is_err());
    with_runtime(async {
        for signum in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            0,
            -1,
            65,
            i32::MAX,
        ] {
            let error = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "signal {signum}");
        }
        assert_eq!(SignalKind::from_raw(libc::SIGTERM), SignalKind::terminate());
        assert_eq!(SignalKind::quit().as_raw_value(), libc::SIGQUIT);
        assert_eq!(libc::c_int::from(SignalKind::window_change()), libc::SIGWINCH);
    });
}

/// A burst between two `recv`s is at least one notification, and at most
/// as many as were sent; a later delivery is always seen.
#[test]
fn bursts_coalesce() {
    let _serial = serial();
    with_runtime(async {
        let mut winch = signal(SignalKind::window_change()).unwrap();
        for _ in 0..10 {
            raise(libc::SIGWINCH);
        }
        timeout(Duration::from_secs(10), winch.recv())
            .await
            .unwrap()
            .unwrap();
        let mut extra = 0;
        while timeout(Duration::from_millis(100), winch.recv()).await.is_ok() {
            extra += 1;
            assert!(extra < 10, "more notifications than signals");
        }
        raise(libc::SIGWINCH);
        timeout(Duration::from_secs(10), winch.recv())
            .await
            .unwrap()
            .unwrap();
    });
}

/// A `recv` cancelled by a timeout loses nothing: the delivery it missed
/// is reported by the next one.
#[test]
fn cancelled_recv_keeps_the_delivery() {
    let _serial = serial();
    with_runtime(async {
        let mut alarm = signal(SignalKind::alarm()).unwrap();
        assert!(timeout(Duration::from_millis(20), alarm.recv()).await.is_err());
        raise(libc::SIGALRM);
        edgeio::time::sleep(Duration::from_millis(50)).await;
        timeout(Duration::from_secs(10), alarm.recv())
            .await
            .unwrap()
            .unwrap();
    });
}

#[test]
fn listeners_leak_no_fd_or_thread() {
    let _serial = serial();
    with_runtime(async {
        // Warm up: the handler and its pipe exist for the process's life.
        drop(signal(SignalKind::user_defined1()).unwrap());
        let (fds, threads_before) = (open_fds(), threads());
        for _ in 0..3 {
            let mut listeners: Vec<_> = (0..500)
                .map(|_| signal(SignalKind::user_defined1()).unwrap())
                .collect();
            // One registration of the pipe per runtime, not per listener.
            assert!(
                open_fds() <= fds + 1,
                "{} fds for 500 listeners",
                open_fds() - fds
            );
            raise(libc::SIGUSR1);
            for listener in &mut listeners {
                timeout(Duration::from_secs(10), listener.recv())
                    .await
                    .unwrap()
                    .unwrap();
            }
        }
        assert_eq!(open_fds(), fds);
        assert_eq!(threads(), threads_before);
    });
}

/// After its runtime shut down, a listener goes on in the runtime that
/// polls it (the handler is process-wide), and ends (`None`) when polled
/// outside any runtime.
#[test]
fn a_listener_outlives_its_runtime() {
    let _serial = serial();
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let mut quit = runtime.block_on(async { signal(SignalKind::quit()).unwrap() });
    drop(runtime);
    let mut quit = {
        let (tx, rx) = mpsc::channel();
        let second = thread::spawn(move || {
            let runtime = Builder::new().worker_threads(1).build().unwrap();
            runtime.block_on(async {
                raise(libc::SIGQUIT);
                let got = timeout(Duration::from_secs(10), quit.recv()).await;
                tx.send((got, quit)).unwrap();
            });
        });
        let (got, quit) = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(got, Ok(Some(())));
        // The thread drops its runtime as it ends.
        second.join().unwrap();
        quit
    };
    // Its second runtime is gone too, and no runtime polls it now.
    assert_eq!(futures_util::FutureExt::now_or_never(quit.recv()), Some(None));
}
