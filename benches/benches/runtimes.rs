//! Criterion micro-benchmarks of hot paths, edgeio and tokio side by side
//! in each group: `cargo bench -p edgeio-benches`.

use std::net::UdpSocket;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use edgeio_benches::micro::{edgeio_micro, tokio_micro};
use edgeio_benches::rt;
use edgeio_benches::serve_echo;

/// Message size of the echo round trip.
const MESSAGE: usize = 64;

fn runtimes(workers: usize) -> (edgeio::Runtime, tokio::runtime::Runtime) {
    (
        rt::edgeio(rt::Flavor::MultiThread(workers)).expect("edgeio runtime"),
        rt::tokio(rt::Flavor::MultiThread(workers)).expect("tokio runtime"),
    )
}

fn executor(c: &mut Criterion) {
    type Bench<R> = fn(&R, u64) -> Duration;
    let cases: [(
        &str,
        usize,
        Bench<edgeio::Runtime>,
        Bench<tokio::runtime::Runtime>,
    ); 3] = [
        ("spawn_join", 2, edgeio_micro::spawn_join, tokio_micro::spawn_join),
        (
            "yield_now",
            1,
            |runtime, n| edgeio_micro::yield_now(runtime, 1, n),
            |runtime, n| tokio_micro::yield_now(runtime, 1, n),
        ),
        ("wake", 1, edgeio_micro::wake_chain, tokio_micro::wake_chain),
    ];
    for (name, workers, edgeio_bench, tokio_bench) in cases {
        let (edgeio_rt, tokio_rt) = runtimes(workers);
        let mut group = c.benchmark_group(name);
        group.bench_function("edgeio", |b| b.iter_custom(|n| edgeio_bench(&edgeio_rt, n)));
        group.bench_function("tokio", |b| b.iter_custom(|n| tokio_bench(&tokio_rt, n)));
        group.finish();
    }
}

/// `iters` round trips of a 64-byte message over one loopback connection
/// to an echo task on the same runtime.
fn edgeio_echo_rtt(runtime: &edgeio::Runtime, iters: u64) -> Duration {
    use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let timed = async move {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        let server = edgeio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            serve_echo::serve_edgeio(stream).await
        });
        let mut client = AsyncTcpStream::connect(addr).await.expect("connect");
        client.set_nodelay(true).expect("nodelay");
        let mut buf = [7u8; MESSAGE];
        let start = Instant::now();
        for _ in 0..iters {
            client.write_all(&buf).await.expect("write");
            client.read_exact(&mut buf).await.expect("read");
        }
        let elapsed = start.elapsed();
        drop(client);
        server.await.expect("server task").expect("server io");
        elapsed
    };
    runtime.block_on(runtime.spawn(timed)).expect("client task")
}

/// Twin of [`edgeio_echo_rtt`].
fn tokio_echo_rtt(runtime: &tokio::runtime::Runtime, iters: u64) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    let timed = async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("nodelay");
            serve_echo::serve_tokio(stream).await
        });
        let mut client = TcpStream::connect(addr).await.expect("connect");
        client.set_nodelay(true).expect("nodelay");
        let mut buf = [7u8; MESSAGE];
        let start = Instant::now();
        for _ in 0..iters {
            client.write_all(&buf).await.expect("write");
            client.read_exact(&mut buf).await.expect("read");
        }
        let elapsed = start.elapsed();
        drop(client);
        server.await.expect("server task").expect("server io");
        elapsed
    };
    runtime.block_on(runtime.spawn(timed)).expect("client task")
}

fn tcp_echo(c: &mut Criterion) {
    let (edgeio_rt, tokio_rt) = runtimes(1);
    let mut group = c.benchmark_group("tcp_echo_rtt_64B");
    group.bench_function("edgeio", |b| b.iter_custom(|n| edgeio_echo_rtt(&edgeio_rt, n)));
    group.bench_function("tokio", |b| b.iter_custom(|n| tokio_echo_rtt(&tokio_rt, n)));
    group.finish();
}

/// `iters` registrations of one socket with the reactor, each dropped at
/// once: a slot taken from and given back to the registry, and an
/// `epoll_ctl` `ADD` and `DEL`, the cost every accepted connection pays.
fn edgeio_register(runtime: &edgeio::Runtime, socket: &Arc<UdpSocket>, iters: u64) -> Duration {
    let socket = socket.clone();
    let timed = async move {
        let start = Instant::now();
        for _ in 0..iters {
            // SAFETY: `socket` stays open until after the registration is
            // dropped, at once.
            drop(unsafe { edgeio::Registration::new(socket.as_fd()) }.expect("register"));
        }
        start.elapsed()
    };
    runtime.block_on(runtime.spawn(timed)).expect("register task")
}

/// Twin of [`edgeio_register`]: tokio's `AsyncFd` registers the fd with
/// its reactor on creation and deregisters it on drop.
fn tokio_register(runtime: &tokio::runtime::Runtime, socket: &Arc<UdpSocket>, iters: u64) -> Duration {
    let socket = socket.clone();
    let timed = async move {
        let fd = socket.as_raw_fd();
        let start = Instant::now();
        for _ in 0..iters {
            // SAFETY: as in `edgeio_register`: `socket`, whose fd this is,
            // outlives the `AsyncFd`, dropped at once.
            drop(unsafe { tokio::io::unix::AsyncFd::register(fd) }.expect("register"));
        }
        start.elapsed()
    };
    runtime.block_on(runtime.spawn(timed)).expect("register task")
}

fn register(c: &mut Criterion) {
    let (edgeio_rt, tokio_rt) = runtimes(1);
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_nonblocking(true).expect("nonblocking");
    let socket = Arc::new(socket);
    let mut group = c.benchmark_group("register_deregister");
    group.bench_function("edgeio", |b| {
        b.iter_custom(|n| edgeio_register(&edgeio_rt, &socket, n))
    });
    group.bench_function("tokio", |b| {
        b.iter_custom(|n| tokio_register(&tokio_rt, &socket, n))
    });
    group.finish();
}

criterion_group!(benches, executor, register, tcp_echo);
criterion_main!(benches);
