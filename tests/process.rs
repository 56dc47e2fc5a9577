//! `process`: real children, waited for through their pidfds. Checks that
//! no zombie, fd or thread is left behind.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

#[path = "common/under_test.rs"]
mod under_test;

use edgeio::process::Command;
use edgeio::time::{sleep, timeout};
use edgeio::{spawn, Builder};
use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use futures_util::StreamExt;
use under_test::{open_fds, threads};

/// Serialises the tests: they count fds, threads and zombie children of
/// the whole process.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `body` on a two-worker runtime in a thread (one test at a time),
/// failing after 120 s.
fn with_runtime(body: impl std::future::Future<Output = ()> + Send + 'static) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    under_test::with_runtime(Duration::from_secs(120), body);
}

const LIMIT: Duration = Duration::from_secs(20);

/// Our child processes and their states (`'Z'` for a zombie).
fn children() -> Vec<(u32, char)> {
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parens.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
        let ppid: u32 = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if ppid == me {
            found.push((pid, state));
        }
    }
    found
}

fn zombies() -> Vec<u32> {
    children()
        .into_iter()
        .filter(|&(_, s)| s == 'Z')
        .map(|(p, _)| p)
        .collect()
}

/// Whether `pid` is still a child of ours (running or zombie).
fn is_our_child(pid: u32) -> bool {
    children().iter().any(|&(p, _)| p == pid)
}

/// Waits (bounded) until `done` holds.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < LIMIT, "timed out waiting for {what}");
        sleep(Duration::from_millis(10)).await;
    }
}

#[test]
fn output_captures_stdout_stderr_and_exit_code() {
    with_runtime(async {
        let output = Command::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        assert_eq!(output.status.code(), Some(3));

        // stdin is /dev/null for `output`: `cat` ends at once.
        let output = Command::new("cat").output().await.unwrap();
        assert!(output.status.success());
        assert!(output.stdout.is_empty());

        assert!(Command::new("true").status().await.unwrap().success());
        assert_eq!(Command::new("false").status().await.unwrap().code(), Some(1));

        // Both pipes far beyond a pipe's capacity: they must be read
        // together, and with the wait, or the child blocks for ever.
        let output = Command::new("sh")
            .args(["-c", "head -c 1000000 /dev/zero; head -c 700000 /dev/zero >&2"])
            .output()
            .await
            .unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout.len(), 1_000_000);
        assert_eq!(output.stderr.len(), 700_000);

        // Environment, working directory, arg0.
        let output = Command::new("sh")
            .args(["-c", "echo \"$EDGEIO_TEST_VAR $(pwd) $0\""])
            .env_clear()
            .env("EDGEIO_TEST_VAR", "hello")
            .env("PATH", std::env::var_os("PATH").unwrap())
            .current_dir("/")
            .arg0("renamed")
            .output()
            .await
            .unwrap();
        assert_eq!(String::from_utf8(output.stdout).unwrap(), "hello / renamed\n");
    });
}

#[test]
fn errors_are_errors() {
    // Outside a runtime.
    assert!(Command::new("true").spawn().is_err());
    with_runtime(async {
        let error = Command::new("/nonexistent/edgeio-test").spawn().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(Command::new("/nonexistent/edgeio-test").output().await.is_err());
    });
}

#[test]
fn piped_stdin_round_trips_through_cat() {
    with_runtime(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        // Much more than a pipe holds, written while being read.
        let data: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
        let expected = data.clone();
        let writer = spawn(async move {
            stdin.write_all(&data).await.unwrap();
            // Dropping stdin is cat's end of input.
        });
        let mut echoed = Vec::new();
        timeout(LIMIT, stdout.read_to_end(&mut echoed))
            .await
            .unwrap()
            .unwrap();
        writer.await.unwrap();
        assert!(
            echoed == expected,
            "cat echoed {} bytes, not the same",
            echoed.len()
        );
        assert!(timeout(LIMIT, child.wait()).await.unwrap().unwrap().success());
    });
}

#[test]
fn wait_closes_stdin_and_wait_with_output_collects() {
    with_runtime(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.as_mut().unwrap().write_all(b"line\n").await.unwrap();
        let output = timeout(LIMIT, child.wait_with_output()).await.unwrap().unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout, b"line\n");

        // `wait` closes stdin, so `cat` without output piped ends.
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        assert!(timeout(LIMIT, child.wait()).await.unwrap().unwrap().success());
        // Waiting again returns the remembered status.
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn kill_try_wait_and_id() {
    with_runtime(async {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id().unwrap();
        assert!(child.try_wait().unwrap().is_none());
        timeout(LIMIT, child.kill()).await.unwrap().unwrap();
        let status = child.try_wait().unwrap().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert_eq!(child.id(), None);
        assert!(!is_our_child(pid), "killed child not reaped");
        // Killing a reaped child does nothing (its pid may be reused), and
        // is not an error since tokio 1.44.
        child.start_kill().unwrap();

        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        child.start_kill().unwrap();
        let status = timeout(LIMIT, child.wait()).await.unwrap().unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));

        // try_wait reaps a child that has exited.
        let mut child = Command::new("true").spawn().unwrap();
        eventually("try_wait to see the exit", || child.try_wait().unwrap().is_some()).await;
        assert!(child.wait().await.unwrap().success());

        // A cancelled wait loses nothing.
        let mut child = Command::new("sleep").arg("0.2").spawn().unwrap();
        assert!(timeout(Duration::from_millis(10), child.wait()).await.is_err());
        assert!(timeout(LIMIT, child.wait()).await.unwrap().unwrap().success());
    });
}

#[test]
fn dropped_children_are_reaped() {
    with_runtime(async {
        // kill_on_drop: killed and reaped.
        let child = Command::new("sleep")
            .arg("30")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let killed = child.id().unwrap();
        drop(child);
        eventually("the killed child to be reaped", || !is_our_child(killed)).await;

        // Without it: left running, reaped when it exits.
        let child = Command::new("sleep").arg("0.1").spawn().unwrap();
        let orphan = child.id().unwrap();
        drop(child);
        assert!(is_our_child(orphan), "dropped child was killed");
        eventually("the orphan to be reaped", || !is_our_child(orphan)).await;

        // A pending `output` dropped with kill_on_drop kills its child too.
        let before = children().len();
        let pending = Command::new("sleep").arg("30").kill_on_drop(true).output();
        assert!(timeout(Duration::from_millis(50), pending).await.is_err());
        eventually("the output child to be reaped", || children().len() <= before).await;
    });
}

/// An orphan whose runtime shut down before it exited is reaped by the
/// next spawn in any runtime.
#[test]
fn orphans_of_a_closed_runtime_are_swept() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let child = runtime.block_on(async { Command::new("sleep").arg("0.2").spawn().unwrap() });
    let pid = child.id().unwrap();
    drop(runtime);
    drop(child);
    assert!(is_our_child(pid), "dropped child was killed");
    thread::sleep(Duration::from_millis(500));
    assert!(zombies().contains(&pid), "the orphan should wait for a sweep");
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    runtime.block_on(async {
        assert!(Command::new("true").status().await.unwrap().success());
    });
    assert!(!is_our_child(pid), "orphan of a closed runtime not reaped");
}

/// 1000 short-lived children, waited for or dropped: none left as a
/// zombie, no fd and no thread more than before.
#[test]
fn a_thousand_children_leave_nothing_behind() {
    with_runtime(async {
        // Warm up, so lazily created process-wide state is not counted.
        assert!(Command::new("true").status().await.unwrap().success());
        let (fds, threads_before) = (open_fds(), threads());
        let mut waited = 0;
        for batch in 0..20 {
            let tasks: Vec<_> = (0..50)
                .map(|i| {
                    spawn(async move {
                        let mut child = Command::new("true").stdout(Stdio::piped()).spawn().unwrap();
                        if (batch + i) % 2 == 0 {
                            assert!(child.wait().await.unwrap().success());
                            true
                        } else {
                            drop(child);
                            false
                        }
                    })
                })
                .collect();
            for task in tasks {
                if timeout(LIMIT, task).await.unwrap().unwrap() {
                    waited += 1;
                }
            }
        }
        assert_eq!(waited, 500);
        eventually("no zombie children", || {
            zombies().is_empty() && children().is_empty()
        })
        .await;
        eventually("the orphans' fds to close", || open_fds() == fds).await;
        assert_eq!(threads(), threads_before, "a thread was started");
    });
}

#[test]
fn stdout_streams_line_by_line() {
    with_runtime(async {
        let mut child = Command::new("sh")
            .args(["-c", "for i in 1 2 3; do echo line $i; sleep 0.01; done"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        while let Some(line) = timeout(LIMIT, lines.next()).await.unwrap() {
            seen.push(line.unwrap());
        }
        assert_eq!(seen, ["line 1", "line 2", "line 3"]);
        assert!(child.wait().await.unwrap().success());
    });
}

/// One child's stdout piped into another's stdin, through `Stdio`.
#[test]
fn a_pipe_end_becomes_another_childs_stdio() {
    with_runtime(async {
        let mut first = Command::new("echo")
            .arg("piped")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout: Stdio = first.stdout.take().unwrap().try_into().unwrap();
        let output = Command::new("cat").stdin(stdout).output().await.unwrap();
        assert_eq!(output.stdout, b"piped\n");
        assert!(first.wait().await.unwrap().success());
    });
}

const NO_PIDFD_ENV: &str = "EDGEIO_PROCESS_NO_PIDFD";

/// Makes `pidfd_open` fail with `ENOSYS` for this thread and every thread
/// and process it starts afterwards, as on a kernel before 5.3.
fn forbid_pidfd_open() {
    let nr = libc::SYS_pidfd_open as u32;
    let filter = [
        // Load the syscall number (offset 0 of `struct seccomp_data`).
        libc::sock_filter {
            code: (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16,
            jt: 0,
            jf: 0,
            k: 0,
        },
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 0,
            jf: 1,
            k: nr,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32,
        },
        libc::sock_filter {
            code: (libc::BPF_RET | libc::BPF_K) as u16,
            jt: 0,
            jf: 0,
            k: libc::SECCOMP_RET_ALLOW,
        },
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: prctl with integer arguments only; no_new_privs is required
    // for an unprivileged seccomp filter.
    assert_eq!(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }, 0);
    // SAFETY: `program` points at `filter`, both alive for the call; the
    // kernel copies the filter.
    let set = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &program as *const libc::sock_fprog,
        )
    };
    assert_eq!(set, 0, "seccomp: {}", io::Error::last_os_error());
    // SAFETY: pidfd_open with our own pid; any fd returned is closed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    assert_eq!(fd, -1);
    assert_eq!(io::Error::last_os_error().raw_os_error(), Some(libc::ENOSYS));
}

/// Run by `sigchld_fallback_where_pidfd_open_is_missing`.
#[test]
#[ignore = "run in a child process by sigchld_fallback_where_pidfd_open_is_missing"]
fn child_without_pidfd() {
    if std::env::var_os(NO_PIDFD_ENV).is_none() {
        return;
    }
    forbid_pidfd_open();
    with_runtime(async {
        let output = Command::new("sh")
            .args(["-c", "echo fallback"])
            .output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"fallback\n");
        // The fallback listens for SIGCHLD: a handler is installed.
        // SAFETY: a zeroed sigaction is valid; a null new action only queries.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::sigaction(libc::SIGCHLD, std::ptr::null(), &mut action) },
            0
        );
        assert_ne!(action.sa_sigaction, libc::SIG_DFL, "no SIGCHLD fallback");

        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        assert!(child.try_wait().unwrap().is_none());
        timeout(LIMIT, child.kill()).await.unwrap().unwrap();

        let child = Command::new("sleep").arg("0.05").spawn().unwrap();
        let orphan = child.id().unwrap();
        drop(child);
        eventually("the orphan to be reaped", || !is_our_child(orphan)).await;

        // Many children exiting together: one SIGCHLD may stand for many.
        let tasks: Vec<_> = (0..100)
            .map(|_| spawn(async { Command::new("true").status().await.unwrap().success() }))
            .collect();
        for task in tasks {
            assert!(timeout(LIMIT, task).await.unwrap().unwrap());
        }
        eventually("no zombie children", || children().is_empty()).await;
    });
}

#[test]
fn sigchld_fallback_where_pidfd_open_is_missing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_without_pidfd",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(NO_PIDFD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "child did not run the test:\n{stdout}"
    );
}

/// A child spawned in one runtime can be waited for in another, after the
/// first shut down (tokio's `process_change_of_runtime`).
#[test]
fn wait_in_another_runtime() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let mut child = runtime.block_on(async {
        Command::new("sleep")
            .arg("0.1")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    });
    drop(runtime);
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    let status = runtime.block_on(async { timeout(LIMIT, child.wait()).await.unwrap().unwrap() });
    assert!(status.success());
    // ECHILD keeps its OS error code through the wait.
    let runtime = Builder::new().worker_threads(1).build().unwrap();
    runtime.block_on(async {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id().unwrap() as libc::pid_t;
        eventually("the child to exit", || zombies().contains(&(pid as u32))).await;
        // Someone else reaps it behind our back.
        let mut status = 0;
        // SAFETY: waitpid on our own child, with a live status slot.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        let error = child.wait().await.unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::ECHILD));
    });
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Command>();
    send_sync::<edgeio::process::Child>();
    send_sync::<edgeio::process::ChildStdin>();
    send_sync::<edgeio::process::ChildStdout>();
    send_sync::<edgeio::process::ChildStderr>();
    send_sync::<edgeio::signal::unix::Signal>();
}

/// Writing to the stdin of a child that died fails with `BrokenPipe`
/// instead of waiting for ever (tokio's `process_issue_2174`).
#[test]
fn writes_to_a_dead_childs_stdin_fail() {
    with_runtime(async {
        let mut child = Command::new("sleep")
            .arg("30")
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = spawn(async move {
            let data = [0u8; 8192];
            // Bounded: a pipe holds 64 KiB at most, far less than this.
            for _ in 0..100_000 {
                stdin.write_all(&data).await?;
            }
            Ok::<_, io::Error>(())
        });
        // Let the pipe fill and the writer wait for room.
        sleep(Duration::from_millis(100)).await;
        timeout(LIMIT, child.kill()).await.unwrap().unwrap();
        let error = timeout(LIMIT, writer).await.unwrap().unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    });
}
