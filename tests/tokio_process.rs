#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/process_smoke.rs`,
// `process_kill_on_drop.rs`, `process_issue_2174.rs`, `process_issue_42.rs`,
// `process_arg0.rs`, `process_change_of_runtime.rs`,
// `process_kill_after_wait.rs` and `process_issue_7144.rs` (tokio is
// MIT-licensed), one module each: `tokio` renamed to `edgeio`, tokio's I/O
// extension traits swapped for futures-util's (`edgeio::io`) and
// `tokio-test` replaced by tests/support/tokio_test.rs. Adaptations beyond
// renaming are marked "edgeio:". (`process_raw_handle.rs` is Windows-only.)

#[path = "support/tokio_test.rs"]
mod tokio_test;

mod process_smoke {
    use crate::tokio_test::assert_ok;
    use edgeio::process::Command;

    #[edgeio::test(timeout_secs = 30)]
    async fn simple() {
        let mut cmd;

        if cfg!(windows) {
            cmd = Command::new("cmd");
            cmd.arg("/c");
        } else {
            cmd = Command::new("sh");
            cmd.arg("-c");
        }

        let mut child = cmd.arg("exit 2").spawn().unwrap();

        let id = child.id().expect("missing id");
        assert!(id > 0);

        let status = assert_ok!(child.wait().await);
        assert_eq!(status.code(), Some(2));

        // test that the `.wait()` method is fused just like the stdlib
        let status = assert_ok!(child.wait().await);
        assert_eq!(status.code(), Some(2));

        // Can't get id after process has exited
        assert_eq!(child.id(), None);
        drop(child.kill());
    }
}

mod process_kill_on_drop {
    use crate::tokio_test::assert_ok;
    use edgeio::io::AsyncReadExt;
    use edgeio::process::Command;
    use edgeio::time::sleep;
    use std::io::ErrorKind;
    use std::process::Stdio;
    use std::time::Duration;

    #[edgeio::test(timeout_secs = 30)]
    async fn kill_on_drop() {
        let mut cmd = Command::new("bash");
        cmd.args([
            "-c",
            "
       # Fork another child that won't get killed
       sh -c 'sleep 1; echo child ran' &
       disown -a

       # Await our death
       sleep 5
       echo hello from beyond the grave
    ",
        ]);

        let e = cmd.kill_on_drop(true).stdout(Stdio::piped()).spawn();
        if e.is_err() && e.as_ref().unwrap_err().kind() == ErrorKind::NotFound {
            println!("bash not available; skipping test");
            return;
        }
        let mut child = e.unwrap();

        sleep(Duration::from_secs(2)).await;

        let mut out = child.stdout.take().unwrap();
        drop(child);

        let mut msg = String::new();
        assert_ok!(out.read_to_string(&mut msg).await);

        assert_eq!("child ran\n", msg);
    }
}

mod process_issue_2174 {
    use crate::tokio_test::assert_err;
    use edgeio::io::AsyncWriteExt;
    use edgeio::process::Command;
    use edgeio::time;
    use std::process::Stdio;
    use std::time::Duration;

    #[edgeio::test(timeout_secs = 30)]
    async fn issue_2174() {
        let mut child = Command::new("sleep")
            .arg("2")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();

        // Writes will buffer up to 65_636. This *should* loop at least 8 times
        // and then register interest.
        let handle = edgeio::spawn(async move {
            let data = [0u8; 8192];
            loop {
                input.write_all(&data).await.unwrap();
            }
        });

        // Sleep enough time so that the child process's stdin's buffer fills.
        time::sleep(Duration::from_secs(1)).await;

        // Kill the child process.
        child.kill().await.unwrap();

        assert_err!(handle.await);
    }
}

mod process_issue_42 {
    use edgeio::process::Command;
    use edgeio::task;
    use futures_util::future::join_all;
    use std::process::Stdio;

    #[edgeio::test(timeout_secs = 60)]
    async fn issue_42() {
        // We spawn a many batches of processes which should exit at roughly the
        // same time (modulo OS scheduling delays), to make sure that consuming
        // a readiness event for one process doesn't inadvertently starve another.
        // We then do this many times (in parallel) in an effort to stress test the
        // implementation to ensure there are no race conditions.
        // See alexcrichton/tokio-process#42 for background
        let join_handles = (0..10usize).map(|_| {
            task::spawn(async {
                let processes = (0..10usize).map(|i| {
                    let mut child = Command::new("echo")
                        .arg(format!("I am spawned process #{i}"))
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .kill_on_drop(true)
                        .spawn()
                        .unwrap();

                    async move { child.wait().await }
                });

                join_all(processes).await;
            })
        });

        join_all(join_handles).await;
    }
}

mod process_arg0 {
    use edgeio::process::Command;

    #[edgeio::test(timeout_secs = 30)]
    async fn arg0() {
        let mut cmd = Command::new("sh");
        cmd.arg0("test_string").arg("-c").arg("echo $0");

        let output = cmd.output().await.unwrap();
        assert_eq!(output.stdout, b"test_string\n");
    }
}

mod process_change_of_runtime {
    // This tests test the behavior of `process::Command::spawn` when it is used
    // outside runtime, and when `process::Child::wait ` is used in a different
    // runtime from which `process::Command::spawn` is used.
    use edgeio::{process::Command, runtime::Runtime};
    use std::process::Stdio;

    #[test]
    fn process_spawned_and_wait_in_different_runtime() {
        let mut child = Runtime::new().unwrap().block_on(async {
            Command::new("true")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        });
        Runtime::new().unwrap().block_on(async {
            let _ = child.wait().await.unwrap();
        });
    }

    // edgeio: outside a runtime `spawn` returns an `io::Error` where tokio
    // panics ("there is no reactor running, ..."); edgeio reports faults
    // as errors, never panics (see `Command::spawn`).
    #[test]
    fn process_spawned_outside_runtime() {
        let err = Command::new("true")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_err();
        assert!(err.to_string().contains("runtime"), "unexpected error: {err}");
    }
}

mod process_kill_after_wait {
    use edgeio::process::Command;

    #[edgeio::test(timeout_secs = 30)]
    async fn kill_after_wait() {
        let mut cmd;

        if cfg!(windows) {
            cmd = Command::new("cmd");
            cmd.arg("/c");
        } else {
            cmd = Command::new("sh");
            cmd.arg("-c");
        }

        let mut child = cmd.arg("exit 2").spawn().unwrap();

        child.start_kill().unwrap();

        child.wait().await.unwrap();

        // Kill after `wait` is fine.
        child.start_kill().unwrap();
        child.kill().await.unwrap();
    }
}

mod process_issue_7144 {
    use edgeio::process::Command;
    use edgeio::time::{sleep, Duration};

    #[edgeio::test(timeout_secs = 60)]
    async fn issue_7144() {
        let mut threads = vec![];
        for _ in 0..20 {
            threads.push(edgeio::spawn(test_one()));
        }
        for thread in threads {
            thread.await.unwrap();
        }
    }

    async fn has_strace() -> bool {
        Command::new("strace").arg("-V").output().await.is_ok()
    }

    async fn test_one() {
        if !has_strace().await {
            return;
        }

        let mut t = Command::new("strace")
            .args("-o /dev/null -D sleep 5".split(' '))
            .spawn()
            .unwrap();
        sleep(Duration::from_millis(100)).await;
        // SAFETY: `kill` has no memory-safety preconditions; the pid is
        // our child's, not yet reaped.
        unsafe { libc::kill(t.id().unwrap() as _, libc::SIGINT) };
        t.wait().await.unwrap();
    }
}
