//! `select!`, `join!` and `try_join!` (tokio's macros) inside an edgeio
//! runtime, with edgeio sockets, timers and tasks.

#[path = "support/multi_thread.rs"]
mod multi_thread;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::sync::{mpsc, oneshot};
use edgeio::time::sleep;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use multi_thread::each_runtime;

#[derive(Debug, PartialEq)]
enum Event {
    Socket(Vec<u8>),
    Channel(&'static str),
    Closed,
}

/// What a connection handler does: wait on its socket and on a channel
/// at once, as a chat server's client loop does.
async fn next_event(stream: &mut AsyncTcpStream, rx: &mut mpsc::Receiver<&'static str>) -> Event {
    let mut buf = [0u8; 64];
    edgeio::select! {
        read = stream.read(&mut buf) => match read.unwrap() {
            0 => Event::Closed,
            n => Event::Socket(buf[..n].to_vec()),
        },
        Some(message) = rx.recv() => Event::Channel(message),
    }
}

#[test]
fn select_between_a_socket_and_a_channel() {
    each_runtime(|| async {
        let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = edgeio::join!(AsyncTcpStream::connect(addr), listener.accept());
        let mut client = client.unwrap();
        let (mut server, _) = accepted.unwrap();
        let (tx, mut rx) = mpsc::channel(4);

        tx.send("from the channel").await.unwrap();
        assert_eq!(
            next_event(&mut server, &mut rx).await,
            Event::Channel("from the channel")
        );

        client.write_all(b"from the socket").await.unwrap();
        assert_eq!(
            next_event(&mut server, &mut rx).await,
            Event::Socket(b"from the socket".to_vec())
        );

        // Neither ready yet: the select waits for whichever comes first.
        let sender = edgeio::spawn(async move {
            sleep(Duration::from_millis(20)).await;
            tx.send("later").await.unwrap();
            tx
        });
        assert_eq!(next_event(&mut server, &mut rx).await, Event::Channel("later"));
        let tx = sender.await.unwrap();

        // The channel's `None` disables its branch; the socket still counts.
        drop(tx);
        drop(client);
        assert_eq!(next_event(&mut server, &mut rx).await, Event::Closed);
    });
}

#[test]
fn biased_polls_branches_in_order() {
    each_runtime(|| async {
        for _ in 0..100 {
            let picked = edgeio::select! {
                biased;
                _ = async {} => 1,
                _ = async {} => 2,
                _ = async {} => 3,
            };
            assert_eq!(picked, 1);
        }
        // Unbiased, every ready branch gets picked sometimes (random start).
        let mut counts = [0; 3];
        for _ in 0..300 {
            let picked: usize = edgeio::select! {
                _ = async {} => 0,
                _ = async {} => 1,
                _ = async {} => 2,
            };
            counts[picked] += 1;
        }
        assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    });
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    each_runtime(|| async {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        drop(tx);
        let never = false;
        let result = edgeio::select! {
            Some(v) = rx.recv() => v,
            _ = sleep(Duration::from_secs(30)), if never => 1,
            else => 99,
        };
        assert_eq!(result, 99);
    });
}

#[test]
fn select_in_a_loop_with_a_timer_and_no_fuse() {
    each_runtime(|| async {
        let (tx, mut rx) = mpsc::channel::<u32>(8);
        let producer = edgeio::spawn(async move {
            for i in 0..5 {
                tx.send(i).await.unwrap();
                sleep(Duration::from_millis(2)).await;
            }
        });
        // Pinned once, polled by reference on every turn.
        let mut deadline = std::pin::pin!(sleep(Duration::from_secs(30)));
        let mut got = Vec::new();
        loop {
            edgeio::select! {
                message = rx.recv() => match message {
                    Some(i) => got.push(i),
                    None => break,
                },
                _ = &mut deadline => panic!("timed out"),
            }
        }
        assert_eq!(got, [0, 1, 2, 3, 4]);
        producer.await.unwrap();
    });
}

#[test]
fn the_losing_branches_are_dropped() {
    each_runtime(|| async {
        let (_keep, never) = oneshot::channel::<()>();
        let (tx, ready) = oneshot::channel();
        tx.send(5).unwrap();
        let value = edgeio::select! {
            _ = never => unreachable!(),
            v = ready => v.unwrap(),
        };
        assert_eq!(value, 5);
        // `never` was moved into the select and dropped with it.
        assert!(_keep.is_closed());
    });
}

#[test]
fn join_runs_futures_concurrently() {
    each_runtime(|| async {
        // Each side waits for the other: only concurrent polling finishes.
        let (a_tx, a_rx) = oneshot::channel();
        let (b_tx, b_rx) = oneshot::channel();
        let (a, b) = edgeio::join!(
            async move {
                a_tx.send(1).unwrap();
                b_rx.await.unwrap()
            },
            async move {
                b_tx.send(2).unwrap();
                a_rx.await.unwrap()
            },
        );
        assert_eq!((a, b), (2, 1));
        let polls = Arc::new(AtomicUsize::new(0));
        let count = |polls: Arc<AtomicUsize>| async move {
            sleep(Duration::from_millis(5)).await;
            polls.fetch_add(1, Ordering::SeqCst)
        };
        let _ = edgeio::join!(count(polls.clone()), count(polls.clone()), count(polls.clone()));
        assert_eq!(polls.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn try_join_returns_the_first_error_and_drops_the_rest() {
    each_runtime(|| async {
        let ok: Result<(u8, &str), String> = edgeio::try_join!(async { Ok(1) }, async { Ok("two") });
        assert_eq!(ok, Ok((1, "two")));

        let (_keep, never) = oneshot::channel::<()>();
        let failed: Result<((), u8), String> = edgeio::try_join!(
            async move {
                let _ = never.await;
                Ok(())
            },
            async {
                sleep(Duration::from_millis(5)).await;
                Err::<u8, _>("failed".to_owned())
            },
        );
        assert_eq!(failed, Err("failed".to_owned()));
        assert!(_keep.is_closed(), "the pending future was dropped");

        // With tasks, as tokio users write it.
        let joined = edgeio::try_join!(edgeio::spawn(async { 1 }), edgeio::spawn(async { 2 }));
        assert_eq!(joined.unwrap(), (1, 2));
    });
}
