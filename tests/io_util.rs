//! `edgeio::io`: `copy_bidirectional` over loopback TCP with half-close,
//! `duplex` and `simplex` backpressure and end of file, `split`/`unsplit`,
//! `join`, `BufStream` over TCP, the standard
//! streams (in a child process), the re-exported `futures-util`
//! helpers, and the budget spent by `empty`, `repeat`, `sink` and
//! `duplex`. Every test runs on a runtime with 1 worker and again with 4,
//! and checks that the process has as many fds afterwards as before.

use std::future::Future;
use std::io::{self, ErrorKind, SeekFrom, Write};
use std::pin::pin;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use edgeio::io::{
    copy, copy_bidirectional, duplex, empty, join, repeat, simplex, sink, split, AsyncBufReadExt,
    AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufStream, BufWriter, Cursor, SimplexStream,
};
use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::timeout;
use futures_util::task::noop_waker_ref;

/// Upper bound for any single wait in these tests.
const STEP: Duration = Duration::from_secs(20);

/// The tests of this binary share one fd table: they take turns, so that
/// each can count it.
static FD_TABLE: Mutex<()> = Mutex::new(());

fn fd_table() -> MutexGuard<'static, ()> {
    FD_TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Runs `body` on a 1-worker and on a 4-worker runtime, with a watchdog,
/// and checks that no fd is left behind.
fn run<F, Fut>(body: F)
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    let _turn = fd_table();
    for workers in [1, 4] {
        let before = open_fds();
        let body = body.clone();
        edgeio::__private::run_test(Some(workers), Duration::from_secs(60), body)
            .unwrap_or_else(|e| panic!("with {workers} workers: {e}"));
        assert_eq!(open_fds(), before, "fds leaked with {workers} workers");
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Polls `future` once without a waker that does anything.
fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(noop_waker_ref());
    pin!(future).poll(&mut cx)
}

/// A connected loopback TCP pair.
async fn tcp_pair() -> io::Result<(AsyncTcpStream, AsyncTcpStream)> {
    let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
    let connect = AsyncTcpStream::connect(listener.local_addr()?);
    let (accepted, connected) = futures_util::join!(listener.accept(), connect);
    Ok((connected?, accepted?.0))
}

#[test]
fn copy_bidirectional_proxies_tcp_with_half_close() {
    run(|| async {
        // client <-> (a | proxy | b) <-> server
        let (mut client, mut a) = tcp_pair().await?;
        let (mut b, mut server) = tcp_pair().await?;
        let proxy = edgeio::spawn(async move { copy_bidirectional(&mut a, &mut b).await });

        let request = pattern(1024 * 1024 + 7);
        let response = pattern(300_001);
        let expected = request.clone();
        let reply = response.clone();
        let server = edgeio::spawn(async move {
            // Ends only if the client's half-close came through the proxy.
            let mut got = Vec::new();
            server.read_to_end(&mut got).await?;
            assert!(got == expected, "request corrupted");
            server.write_all(&reply).await?;
            server.close().await?;
            io::Result::Ok(())
        });

        timeout(STEP, client.write_all(&request)).await??;
        client.close().await?;
        let mut got = Vec::new();
        timeout(STEP, client.read_to_end(&mut got)).await??;
        assert!(got == response, "response corrupted");
        timeout(STEP, server).await?.unwrap()?;
        let (up, down) = timeout(STEP, proxy).await?.unwrap()?;
        assert_eq!((up, down), (request.len() as u64, response.len() as u64));
        Ok(())
    });
}

#[test]
fn copy_bidirectional_reports_an_error() {
    run(|| async {
        let (mut client, mut a) = duplex(64);
        let (mut b, server) = duplex(64);
        // The far end is gone: writing to `b` is a broken pipe.
        drop(server);
        let proxy = edgeio::spawn(async move { copy_bidirectional(&mut a, &mut b).await });
        client.write_all(b"into the void").await?;
        let err = timeout(STEP, proxy).await?.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        Ok(())
    });
}

#[test]
fn copy_bidirectional_over_duplex_pipes() {
    run(|| async {
        // Megabytes each way through in-memory pipes.
        let (mut a, mut a_peer) = duplex(1024 * 1024);
        let (mut b, mut b_peer) = duplex(1024 * 1024);
        let data = pattern(4 * 1024 * 1024);
        let sent = data.clone();
        let feeder = edgeio::spawn(async move {
            a_peer.write_all(&sent).await?;
            a_peer.close().await?;
            let mut back = Vec::new();
            a_peer.read_to_end(&mut back).await?;
            io::Result::Ok(back)
        });
        let proxy = edgeio::spawn(async move { copy_bidirectional(&mut a, &mut b).await });
        let mut got = Vec::new();
        timeout(STEP, b_peer.read_to_end(&mut got)).await??;
        assert!(got == data);
        b_peer.write_all(b"done").await?;
        drop(b_peer);
        assert_eq!(timeout(STEP, feeder).await?.unwrap()?, b"done");
        assert_eq!(timeout(STEP, proxy).await?.unwrap()?, (data.len() as u64, 4));
        Ok(())
    });
}

#[test]
fn duplex_backpressure_and_end_of_file() {
    run(|| async {
        let (mut a, mut b) = duplex(16);
        assert_eq!(a.write(&[1; 32]).await?, 16);
        // Full: the next write waits.
        assert!(poll_once(a.write(&[1])).is_pending());

        let writer = edgeio::spawn(async move {
            a.write_all(&[2; 100]).await?;
            // Dropped: `b` reads what is buffered, then end of file.
            io::Result::Ok(())
        });
        let mut got = Vec::new();
        timeout(STEP, b.read_to_end(&mut got)).await??;
        timeout(STEP, writer).await?.unwrap()?;
        assert_eq!(got.len(), 116);
        assert!(got[..16].iter().all(|&x| x == 1) && got[16..].iter().all(|&x| x == 2));
        // Writing to a dropped peer is a broken pipe.
        assert_eq!(b.write(b"x").await.unwrap_err().kind(), ErrorKind::BrokenPipe);

        // `close` ends one direction only.
        let (mut c, mut d) = duplex(8);
        c.write_all(b"last").await?;
        c.close().await?;
        assert_eq!(c.write(b"x").await.unwrap_err().kind(), ErrorKind::BrokenPipe);
        let mut got = Vec::new();
        d.read_to_end(&mut got).await?;
        assert_eq!(got, b"last");
        d.write_all(b"back").await?;
        let mut buf = [0; 4];
        c.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"back");
        assert!(format!("{d:?}").contains("DuplexStream"));

        // A reader waiting on an empty pipe is woken by the peer's drop.
        let (e, mut f) = duplex(8);
        let reader = edgeio::spawn(async move {
            let mut buf = [0; 8];
            f.read(&mut buf).await
        });
        edgeio::time::sleep(Duration::from_millis(20)).await;
        drop(e);
        assert_eq!(timeout(STEP, reader).await?.unwrap()?, 0);
        Ok(())
    });
}

#[test]
fn simplex_backpressure_and_end_of_file() {
    run(|| async {
        let (mut rx, mut tx) = simplex(16);
        assert_eq!(tx.write(&[1; 32]).await?, 16);
        // Full: the next write waits until the reader takes some.
        assert!(poll_once(tx.write(&[1])).is_pending());
        let writer = edgeio::spawn(async move {
            tx.write_all(&[2; 100]).await?;
            tx.close().await?;
            // After `close`, writes fail.
            assert_eq!(tx.write(b"x").await.unwrap_err().kind(), ErrorKind::BrokenPipe);
            io::Result::Ok(())
        });
        let mut got = Vec::new();
        timeout(STEP, rx.read_to_end(&mut got)).await??;
        timeout(STEP, writer).await?.unwrap()?;
        assert_eq!(got.len(), 116);
        assert!(got[..16].iter().all(|&x| x == 1) && got[16..].iter().all(|&x| x == 2));

        // Unsplit, one value writes and reads back; `close` ends it.
        let mut pipe = SimplexStream::new_unsplit(8);
        pipe.write_all(b"loop").await?;
        pipe.close().await?;
        let mut got = Vec::new();
        pipe.read_to_end(&mut got).await?;
        assert_eq!(got, b"loop");
        assert!(format!("{pipe:?}").contains("SimplexStream"));

        // A reader waiting on an empty pipe is woken by the writer's close.
        let (mut rx, mut tx) = simplex(8);
        let reader = edgeio::spawn(async move {
            let mut buf = [0; 8];
            rx.read(&mut buf).await
        });
        edgeio::time::sleep(Duration::from_millis(20)).await;
        tx.close().await?;
        assert_eq!(timeout(STEP, reader).await?.unwrap()?, 0);
        Ok(())
    });
}

#[test]
fn join_reads_from_one_and_writes_to_the_other() {
    run(|| async {
        let (from_peer, mut peer_writes) = simplex(64);
        let (mut peer_reads, to_peer) = simplex(64);
        let mut stream = join(BufReader::new(from_peer), to_peer);
        stream.write_all(b"ping\n").await?;
        let mut line = String::new();
        BufReader::new(&mut peer_reads).read_line(&mut line).await?;
        assert_eq!(line, "ping\n");
        peer_writes.write_all(b"pong\nrest").await?;
        peer_writes.close().await?;
        line.clear();
        // `AsyncBufRead` passes through from the reader.
        stream.read_line(&mut line).await?;
        assert_eq!(line, "pong\n");
        let mut rest = String::new();
        stream.read_to_string(&mut rest).await?;
        assert_eq!(rest, "rest");
        assert!(format!("{stream:?}").starts_with("Join"));
        // Closing the joined stream closes the writer.
        stream.close().await?;
        let mut got = Vec::new();
        peer_reads.read_to_end(&mut got).await?;
        assert!(got.is_empty());
        let (reader, _writer) = stream.into_inner();
        assert_eq!(reader.buffer().len(), 0);
        Ok(())
    });
}

#[test]
fn buf_stream_buffers_both_ways_over_tcp() {
    run(|| async {
        let (client, server) = tcp_pair().await?;
        let mut client = BufStream::with_capacity(64, 1024, client);
        let mut server = BufStream::new(server);
        for i in 0..100 {
            client.write_all(format!("line {i}\n").as_bytes()).await?;
        }
        // Nothing leaves before the flush.
        let mut probe = [0; 1];
        assert!(poll_once(server.get_mut().read(&mut probe)).is_pending());
        client.flush().await?;
        let mut line = String::new();
        for i in 0..100 {
            line.clear();
            timeout(STEP, server.read_line(&mut line)).await??;
            assert_eq!(line, format!("line {i}\n"));
        }
        server.write_all(b"bye").await?;
        server.close().await?;
        let mut rest = Vec::new();
        timeout(STEP, client.read_to_end(&mut rest)).await??;
        assert_eq!(rest, b"bye");
        assert!(format!("{client:?}").contains("BufStream"));
        let _stream: AsyncTcpStream = client.into_inner();
        Ok(())
    });
}

#[test]
fn split_halves_work_from_two_tasks_and_unsplit() {
    run(|| async {
        let (client, mut server) = tcp_pair().await?;
        let (mut rd, mut wr) = split(client);
        let data = pattern(256 * 1024);
        let sent = data.clone();
        let writer = edgeio::spawn(async move {
            wr.write_all(&sent).await?;
            wr.flush().await?;
            io::Result::Ok(wr)
        });
        let reader = edgeio::spawn(async move {
            let mut got = vec![0; 256 * 1024];
            rd.read_exact(&mut got).await?;
            io::Result::Ok((rd, got))
        });
        // Echo everything back.
        let mut buf = vec![0; 256 * 1024];
        timeout(STEP, server.read_exact(&mut buf)).await??;
        timeout(STEP, server.write_all(&buf)).await??;
        let wr = timeout(STEP, writer).await?.unwrap()?;
        let (rd, got) = timeout(STEP, reader).await?.unwrap()?;
        assert!(got == data);

        // Halves of different splits do not reunite, and stay usable.
        let (other, other_peer) = tcp_pair().await?;
        let (other_rd, other_wr) = split(other);
        assert!(!rd.is_pair_of(&other_wr) && wr.is_pair_of(&rd));
        let edgeio::io::ReuniteError(rd, other_wr) = rd.reunite(other_wr).unwrap_err();
        drop((other_rd, other_wr, other_peer));
        let mut client = rd.unsplit(wr);
        client.write_all(b"whole again").await?;
        client.close().await?;
        let mut tail = Vec::new();
        timeout(STEP, server.read_to_end(&mut tail)).await??;
        assert_eq!(tail, b"whole again");
        Ok(())
    });
}

#[test]
fn re_exported_helpers() {
    run(|| async {
        let mut out = Vec::new();
        let n = copy((&mut repeat(7)).take(1000), &mut out).await?;
        assert_eq!((n, out.len()), (1000, 1000));
        assert_eq!(copy(empty(), &mut sink()).await?, 0);

        let mut cursor = Cursor::new(b"line one\nline two\n".to_vec());
        cursor.seek(SeekFrom::Start(5)).await?;
        let mut reader = BufReader::new(cursor);
        let mut line = String::new();
        reader.read_line(&mut line).await?;
        assert_eq!(line, "one\n");

        let (a, mut b) = duplex(1024);
        let mut writer = BufWriter::new(a);
        writer.write_all(b"buffered").await?;
        writer.flush().await?;
        let mut buf = [0; 8];
        b.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"buffered");
        Ok(())
    });
}

/// Runs this binary's ignored `stdio_child` test in a child process with
/// `input` on its stdin; returns its stdout and stderr.
fn run_stdio_child(workers: usize, input: &[u8]) -> (String, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stdio_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("EDGEIO_STDIO_CHILD", workers.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run the child test");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    // End of input for the child.
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "child did not run the test:\n{stdout}"
    );
    (stdout, stderr)
}

#[test]
fn stdin_stdout_stderr_in_a_child() {
    let _turn = fd_table();
    for workers in [1, 4] {
        let before = open_fds();
        let input = format!("hello from the parent, {workers} workers\nsecond line\n");
        let (stdout, stderr) = run_stdio_child(workers, input.as_bytes());
        assert!(stdout.contains(&format!("echo:{input}:end")), "stdout:\n{stdout}");
        assert!(stderr.contains("to stderr, unbuffered"), "stderr:\n{stderr}");
        assert_eq!(open_fds(), before, "fds leaked");
    }
}

/// The child side of `stdin_stdout_stderr_in_a_child`.
#[test]
#[ignore = "run by stdin_stdout_stderr_in_a_child in a child process"]
fn stdio_child() {
    let Ok(workers) = std::env::var("EDGEIO_STDIO_CHILD") else {
        return;
    };
    let workers = workers.parse().unwrap();
    edgeio::__private::run_test(Some(workers), Duration::from_secs(30), || async {
        let mut input = Vec::new();
        edgeio::io::stdin().read_to_end(&mut input).await?;
        // At end of input, reads keep returning 0.
        let mut buf = [0; 8];
        assert_eq!(edgeio::io::stdin().read(&mut buf).await?, 0);

        let mut out = edgeio::io::stdout();
        out.write_all(b"echo:").await?;
        out.write_all(&input).await?;
        // No newline: only `flush` pushes it out of std's line buffer.
        out.write_all(b":end").await?;
        out.flush().await?;
        out.write_all(b"\n").await?;
        out.close().await?;

        let mut err = edgeio::io::stderr();
        err.write_all(b"to stderr, unbuffered\n").await?;
        err.flush().await?;
        io::Result::Ok(())
    })
    .unwrap();
}

/// A stream that is always ready: reads fill the buffer, writes take
/// everything.
struct Endless;

impl edgeio::io::AsyncRead for Endless {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        buf.fill(b'x');
        Poll::Ready(Ok(buf.len()))
    }
}

impl edgeio::io::AsyncWrite for Endless {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn copy_bidirectional_yields_between_always_ready_streams() {
    run(|| async {
        let proxy = edgeio::spawn(async { copy_bidirectional(&mut Endless, &mut Endless).await });
        // On one worker, this runs only if the copy yields.
        for _ in 0..10 {
            assert_eq!(timeout(STEP, edgeio::spawn(async { 42 })).await?.unwrap(), 42);
        }
        proxy.abort();
        assert!(timeout(STEP, proxy).await?.unwrap_err().is_cancelled());
        Ok(())
    });
}

/// Runs a future to completion; its output, and how many polls it took.
async fn count_polls<F: Future>(future: F) -> (F::Output, usize) {
    let mut future = pin!(future);
    let mut polls = 0;
    let output = std::future::poll_fn(|cx| {
        polls += 1;
        future.as_mut().poll(cx)
    })
    .await;
    (output, polls)
}

#[test]
fn always_ready_streams_and_duplex_spend_the_budget() {
    run(|| async {
        // Each loop would finish in one poll if its stream never spent the
        // task's budget (`futures-util`'s `empty`, `repeat`, `sink` don't;
        // tokio's and edgeio's do).
        let loops: [std::pin::Pin<Box<dyn Future<Output = io::Result<()>> + Send>>; 6] = [
            Box::pin(async {
                for _ in 0..1000 {
                    assert_eq!(empty().read(&mut [0; 8]).await?, 0);
                }
                Ok(())
            }),
            Box::pin(async {
                for _ in 0..1000 {
                    assert_eq!(repeat(7).read(&mut [0; 8]).await?, 8);
                }
                Ok(())
            }),
            Box::pin(async {
                for _ in 0..1000 {
                    assert_eq!(sink().write(b"x").await?, 1);
                }
                Ok(())
            }),
            Box::pin(async {
                let (mut a, mut b) = duplex(16);
                for _ in 0..1000 {
                    a.write_all(b"x").await?;
                    b.read_exact(&mut [0; 1]).await?;
                }
                Ok(())
            }),
            // `copy` and `copy_bidirectional` spend it too, even between
            // streams that do not (a slice, a `Vec`), as tokio's do.
            Box::pin(async {
                let mut out = Vec::new();
                for _ in 0..1000 {
                    assert_eq!(copy(&mut &b"x"[..], &mut out).await?, 1);
                }
                Ok(())
            }),
            Box::pin(async {
                for _ in 0..1000 {
                    let mut a = Cursor::new(Vec::new());
                    let mut b = Cursor::new(Vec::new());
                    assert_eq!(copy_bidirectional(&mut a, &mut b).await?, (0, 0));
                }
                Ok(())
            }),
        ];
        for (i, body) in loops.into_iter().enumerate() {
            let (output, polls) = timeout(STEP, edgeio::spawn(count_polls(body))).await?.unwrap();
            output?;
            assert!(polls > 1, "loop {i} never yielded");
        }
        // A timeout around an endless read of `empty` fires (tokio's
        // `timeout_is_not_exhausted_by_future`).
        let endless = async {
            loop {
                assert_eq!(empty().read(&mut [0; 8]).await?, 0);
            }
            #[allow(unreachable_code)]
            io::Result::Ok(())
        };
        assert!(timeout(Duration::from_millis(1), endless).await.is_err());
        Ok(())
    });
}
