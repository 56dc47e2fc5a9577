//! The `chat` example over loopback: 50 clients each send a few lines,
//! and every other client receives every one of them, exactly once;
//! then the server shuts down gracefully. A client that stops reading
//! falls behind, is told how many lines it missed, and goes on. On the
//! current-thread runtime and on a 2-worker multi-thread runtime, each
//! under a watchdog.

use std::collections::HashSet;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use edgeio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use edgeio::net::{TcpListener, TcpSocket, TcpStream};
use edgeio::sync::{oneshot, Barrier};
use edgeio::task::JoinSet;
use futures_util::StreamExt;

#[path = "../examples/chat.rs"]
#[allow(dead_code)] // its `main` is the example's, unused here
mod chat;

const CLIENTS: usize = 50;
/// Lines each client sends (then a `done` line).
const LINES: usize = 5;
/// How long one run may take before the watchdog fails the test.
const WATCHDOG: Duration = Duration::from_secs(60);
/// Bound on each await of the test itself, well inside the watchdog.
const STEP: Duration = Duration::from_secs(20);

fn current_thread() -> io::Result<edgeio::Runtime> {
    edgeio::Builder::new_current_thread().enable_all().build()
}

fn multi_thread() -> io::Result<edgeio::Runtime> {
    edgeio::Builder::new_multi_thread().worker_threads(2).build()
}

#[test]
fn fifty_clients_current_thread() {
    with_watchdog("current-thread", current_thread, fifty_clients);
}

#[test]
fn fifty_clients_multi_thread() {
    with_watchdog("multi-thread", multi_thread, fifty_clients);
}

#[test]
fn a_client_that_falls_behind_is_told_current_thread() {
    with_watchdog("current-thread", current_thread, falling_behind);
}

#[test]
fn a_client_that_falls_behind_is_told_multi_thread() {
    with_watchdog("multi-thread", multi_thread, falling_behind);
}

/// Runs `scenario` on a runtime from `build`, on its own thread, failing
/// the test if it has not finished within `WATCHDOG` (even if the runtime
/// itself is stuck, which its own timers could not catch).
fn with_watchdog<F>(flavor: &str, build: fn() -> io::Result<edgeio::Runtime>, scenario: fn() -> F)
where
    F: Future<Output = ()> + 'static,
{
    let (done, finished) = mpsc::channel();
    let runner = thread::spawn(move || {
        let runtime = build().expect("runtime");
        runtime.block_on(scenario());
        drop(runtime);
        let _ = done.send(());
    });
    match finished.recv_timeout(WATCHDOG) {
        Ok(()) => runner.join().expect("test thread"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("test thread exited without finishing"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("chat on the {flavor} runtime did not finish within {WATCHDOG:?}")
        }
    }
}

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    edgeio::time::timeout(STEP, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: not done within {STEP:?}"))
}

async fn fifty_clients() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = edgeio::spawn(chat::serve(listener, async {
        let _ = stopped.await;
    }));

    // A client that stays quiet, to see the shutdown from the outside.
    let bystander = TcpStream::connect(addr).await.expect("connect");
    let mut bystander_lines = BufReader::new(&bystander).lines();
    assert_eq!(next_line(&mut bystander_lines).await, chat::PROMPT);
    (&bystander).write_all(b"bystander\n").await.expect("write");
    assert_eq!(
        next_line(&mut bystander_lines).await,
        "*** Welcome to the chat, bystander!"
    );

    let everyone_in = Arc::new(Barrier::new(CLIENTS));
    let mut clients = JoinSet::new();
    for i in 0..CLIENTS {
        clients.spawn(talker(addr, i, everyone_in.clone()));
    }
    within("the clients", async {
        while let Some(ended) = clients.join_next().await {
            ended.expect("client task").expect("client I/O");
        }
    })
    .await;

    stop.send(()).expect("server listening for shutdown");
    // The bystander got everyone's lines; it reads on to the goodbye.
    within("the bystander's goodbye", async {
        loop {
            match bystander_lines.next().await {
                Some(Ok(line)) if line == "*** server shutting down" => break,
                Some(Ok(_)) => {}
                other => panic!("bystander: connection ended before the goodbye: {other:?}"),
            }
        }
        assert!(
            bystander_lines.next().await.is_none(),
            "the server closes the connection after its goodbye"
        );
    })
    .await;
    within("the server's shutdown", server)
        .await
        .expect("server task")
        .expect("serve");
    // The listener is closed: connecting is refused.
    assert!(TcpStream::connect(addr).await.is_err());
}

async fn next_line<R: edgeio::io::AsyncBufRead + Unpin>(lines: &mut futures_util::io::Lines<R>) -> String {
    within("a line", lines.next())
        .await
        .expect("connection open")
        .expect("line")
}

/// Client `i`: joins as `c{i}`, waits until all clients have joined,
/// sends `LINES` lines and `done`, then reads until it has every other
/// client's `done`. Each sender's lines go through one broadcast channel
/// in order, so by then it has all their lines: it counts them exactly.
async fn talker(addr: SocketAddr, i: usize, everyone_in: Arc<Barrier>) -> io::Result<()> {
    let me = format!("c{i}");
    let stream = TcpStream::connect(addr).await?;
    let mut lines = BufReader::new(&stream).lines();
    let mut out = &stream;
    assert_eq!(next_line(&mut lines).await, chat::PROMPT);
    out.write_all(format!("{me}\n").as_bytes()).await?;
    assert_eq!(
        next_line(&mut lines).await,
        format!("*** Welcome to the chat, {me}!")
    );
    // Once everyone is subscribed, no line can be missed.
    within("the barrier", everyone_in.wait()).await;
    let mut sent = String::new();
    for k in 0..LINES {
        sent.push_str(&format!("line {k} from {me}\n"));
    }
    sent.push_str("done\n");
    out.write_all(sent.as_bytes()).await?;

    let mut seen = HashSet::new();
    let mut done = HashSet::new();
    while done.len() < CLIENTS - 1 {
        let line = next_line(&mut lines).await;
        if line.starts_with("*** ") {
            // Others' joins and departures; nobody falls behind by 1024
            // lines here.
            assert!(!line.contains("fell behind"), "{me}: {line}");
            assert_ne!(
                line,
                format!("*** {me} has joined the chat"),
                "{me}: its own join"
            );
            continue;
        }
        let (from, text) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{me}: unexpected line {line:?}"));
        assert_ne!(from, me, "{me} got its own line back: {line:?}");
        if text == "done" {
            assert!(done.insert(from.to_owned()), "{me}: two `done` from {from}");
        } else {
            assert_eq!(text, format!("line {} from {from}", text_index(text)));
            assert!(!done.contains(from), "{me}: {line:?} after {from}'s `done`");
            assert!(seen.insert(line.clone()), "{me}: {line:?} twice");
        }
    }
    assert_eq!(seen.len(), (CLIENTS - 1) * LINES, "{me}: lines received");
    Ok(())
}

/// `k` of `line k from c{i}`.
fn text_index(text: &str) -> usize {
    text.split(' ')
        .nth(1)
        .and_then(|k| k.parse().ok())
        .filter(|&k| k < LINES)
        .unwrap_or_else(|| panic!("unexpected text {text:?}"))
}

/// Bytes of each line the talker sends in `falling_behind`.
const LONG_LINE: usize = 64 * 1024;

/// A client whose receive buffer is tiny stops reading while another
/// sends megabytes: its server task blocks writing to it, the broadcast
/// channel (2 lines here) moves on without it, and when it reads again it
/// gets a notice of how many lines it missed, then the lines after. What
/// it received plus what it was told it missed is exactly what was sent.
async fn falling_behind() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = edgeio::spawn(chat::serve_with_capacity(listener, 2, async {
        let _ = stopped.await;
    }));

    // A fixed receive buffer turns off the kernel's autotuning of it, so
    // what the server can push ahead is bounded by its send buffer.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let laggard = socket.connect(addr).await.expect("connect");
    let mut laggard_lines = BufReader::new(&laggard).lines();
    join(&laggard, &mut laggard_lines, "laggard").await;
    let talker = TcpStream::connect(addr).await.expect("connect");
    let mut talker_lines = BufReader::new(&talker).lines();
    join(&talker, &mut talker_lines, "talker").await;

    // Twice what the server's send buffer can hold, so the laggard's task
    // is blocked in a write for at least half of the lines.
    let count = 2 * max_send_buffer() / LONG_LINE + 16;
    let filler = "x".repeat(LONG_LINE - 16);
    within("the talker's lines", async {
        for k in 0..count {
            (&talker)
                .write_all(format!("{k} {filler}\n").as_bytes())
                .await
                .expect("write");
        }
        (&talker).write_all(b"last\n").await.expect("write");
    })
    .await;

    let (mut received, mut missed, mut notices, mut next) = (0, 0, 0, 0);
    within("the laggard's reading", async {
        loop {
            let line = next_line(&mut laggard_lines).await;
            if let Some(notice) = line.strip_prefix("*** you fell behind: ") {
                let n: usize = notice
                    .strip_suffix(" line(s) missed")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("bad notice {line:?}"));
                missed += n;
                notices += 1;
                continue;
            }
            received += 1;
            if line == "talker: last" {
                break;
            }
            if line.starts_with("*** ") {
                continue;
            }
            let (k, text) = line
                .strip_prefix("talker: ")
                .and_then(|rest| rest.split_once(' '))
                .unwrap_or_else(|| panic!("unexpected line of {} bytes", line.len()));
            let k: usize = k.parse().expect("line number");
            assert!(k >= next, "line {k} after line {next}: out of order");
            assert_eq!(text, filler, "line {k} garbled");
            next = k + 1;
        }
    })
    .await;
    assert!(notices > 0, "the laggard was never told it fell behind");
    // Everything sent after the laggard joined: the talker's join, its
    // lines and `last`.
    assert_eq!(received + missed, 1 + count + 1, "lines received + missed");

    stop.send(()).expect("server listening for shutdown");
    within("the server's shutdown", server)
        .await
        .expect("server task")
        .expect("serve");
}

/// Answers the prompt as `name` and reads the welcome.
async fn join<R>(stream: &TcpStream, lines: &mut futures_util::io::Lines<R>, name: &str)
where
    R: edgeio::io::AsyncBufRead + Unpin,
{
    assert_eq!(next_line(lines).await, chat::PROMPT);
    let mut out = stream;
    out.write_all(format!("{name}\n").as_bytes())
        .await
        .expect("write");
    assert_eq!(
        next_line(lines).await,
        format!("*** Welcome to the chat, {name}!")
    );
}

/// The most a TCP socket's send buffer grows to (`tcp_wmem`'s maximum),
/// or Linux's default of 4 MiB where it cannot be read.
fn max_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(4 << 20)
}
