//! Fairness between a busy task and the reactor (issue #19, items 1–2).
//!
//! A task that used up its coop budget, or that called `yield_now`, must
//! not run again before the reactor (I/O and timers) has been polled:
//! tokio "defers" such wakes until after the next driver poll. Without it
//! a busy socket starves every timer on its worker, and a task spinning on
//! `yield_now` keeps a ready socket's task waiting for dozens of turns.
//!
//! The assertions count polls where they can (reactor polls per poll of
//! the busy task, yields before a wake gets in), which does not depend on
//! the machine's speed or load; the one time-based assertion (interval
//! ticks) has a bound that the deferring design meets many times over.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{within, CountPolls};
use edgeio_runtime::time::{interval, sleep_until};
use edgeio_runtime::{spawn, yield_now, Builder, Handle, Registration};

const LIMIT: Duration = Duration::from_secs(20);

/// A connected loopback TCP pair: (the runtime's end, non-blocking; the
/// flooder's end, blocking).
fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    (server, client)
}

/// Writes to `stream` as fast as the reader takes it, until `stop`.
fn flood(mut stream: TcpStream, stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    stream.set_write_timeout(Some(Duration::from_millis(20))).unwrap();
    thread::spawn(move || {
        let block = [0x5a_u8; 64 * 1024];
        let deadline = Instant::now() + LIMIT;
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            match stream.write(&block) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    })
}

/// One worker; task A reads a socket that a plain thread floods, 512 B at
/// a time, until told to stop; task B runs a 1 ms interval for a second
/// and counts its ticks.
///
/// The budget makes A yield every 128 reads. If A then runs again at once
/// and the reactor (which fires timers) is polled only every few dozen of
/// A's turns, B gets a fraction of its ticks: 16–30 % in the issue's
/// measurements, 1.3–6 % here (one reactor poll per 61 polls of A).
/// Polling the reactor before A runs again lets every turn of A end with
/// a chance for B.
///
/// How many ticks that gives depends on the host: each late tick delays
/// the next ones (edgeio's interval does not burst to catch up), and a
/// slow or loaded host takes longer over A's turns. But B can miss a tick
/// only while A's turn runs, so B gets about one tick per period or per
/// turn of A, whichever is longer (polls of A also count its wake-ups
/// after draining the socket, so the ratio is lower). The assertion asks
/// for an eighth of the smaller of the ideal count and A's polls.
/// Measured under a load average of 5–6 on 2 cores, also pinned to one:
/// 12–48 % of the ideal count and at least 0.35 ticks per poll of A with
/// a deferring executor; 1.3–6 % and at most 0.03 ticks per poll of A on
/// the code of issue #19.
#[test]
fn timers_are_not_starved_by_a_busy_socket() {
    const RUN: Duration = Duration::from_secs(1);
    const PERIOD: Duration = Duration::from_millis(1);
    let (ticks, reads, a_polls, reactor_polls) = within(LIMIT, "busy socket vs interval", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let (server, client) = tcp_pair();
        let stop = Arc::new(AtomicBool::new(false));
        let flooder = flood(client, stop.clone());

        let stop_reader = stop.clone();
        let (reader, a_polls) = CountPolls::new(async move {
            let server = server;
            // SAFETY: `server` is declared first, so it outlives
            // `registration` (dropped first, in reverse order).
            let registration = unsafe { Registration::new(server.as_fd()) }.unwrap();
            let mut buf = [0u8; 512];
            let mut reads = 0u64;
            while !stop_reader.load(Ordering::Relaxed) {
                match registration.read_io(|| (&server).read(&mut buf)).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => reads += 1,
                }
            }
            reads
        });
        let stop_ticker = stop.clone();
        let ticker = async move {
            let mut ticks = interval(PERIOD);
            let start = Instant::now();
            let mut count = 0u64;
            while start.elapsed() < RUN {
                ticks.tick().await;
                count += 1;
            }
            stop_ticker.store(true, Ordering::Relaxed);
            count
        };

        // Let the flood fill the socket before the race starts.
        thread::sleep(Duration::from_millis(20));
        let before = runtime.metrics().reactor_polls;
        let reader = runtime.spawn(reader);
        let ticker = runtime.spawn(ticker);
        let (ticks, reads) = runtime.block_on(async { (ticker.await.unwrap(), reader.await.unwrap()) });
        let reactor_polls = runtime.metrics().reactor_polls - before;
        stop.store(true, Ordering::Relaxed);
        flooder.join().unwrap();
        (ticks, reads, a_polls.load(Ordering::Relaxed), reactor_polls)
    });
    let ideal = (RUN.as_micros() / PERIOD.as_micros()) as u64;
    eprintln!(
        "ticks {ticks} of {ideal}, reads {reads}, polls of the reader {a_polls}, reactor polls {reactor_polls}"
    );
    // The socket must really have been busy, else this tests nothing: at
    // least a few budgets' worth of reads.
    assert!(
        reads > 1_000,
        "the flood hardly reached the reader: {reads} reads"
    );
    assert!(
        reactor_polls * 2 >= a_polls,
        "the reactor was polled {reactor_polls} times while the busy reader was polled {a_polls} \
         times: a task that spent its budget ran again before the reactor was polled"
    );
    let expected = ideal.min(a_polls);
    assert!(
        ticks * 8 >= expected,
        "a 1 ms interval ticked {ticks} times in {RUN:?} next to a busy socket polled {a_polls} times \
         (want at least an eighth of {expected}, the smaller of the two)"
    );
}

/// `timeout` around a future that never runs out of work: a read loop on
/// a socket that a plain thread floods. The deadline must be checked
/// whatever the inner future's budget says (tokio polls the inner future
/// under the budget and its deadline outside it), so this returns
/// `Elapsed` soon after 200 ms. A deadline polled through the spent budget
/// never fires while the inner future keeps finding data: the loop ends
/// by itself after 5 s and returns its own result instead.
#[test]
fn timeout_fires_while_the_inner_future_stays_busy() {
    const DEADLINE: Duration = Duration::from_millis(200);
    const GIVE_UP: Duration = Duration::from_secs(5);
    let (result, elapsed) = within(LIMIT, "timeout around a busy future", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        let (server, client) = tcp_pair();
        let stop = Arc::new(AtomicBool::new(false));
        let flooder = flood(client, stop.clone());
        thread::sleep(Duration::from_millis(20));
        let outcome = runtime.block_on(async move {
            spawn(async move {
                let server = server;
                // SAFETY: `server` is declared first and outlives the
                // registration.
                let registration = unsafe { Registration::new(server.as_fd()) }.unwrap();
                let start = Instant::now();
                let result = edgeio_runtime::time::timeout(DEADLINE, async {
                    let mut buf = [0u8; 512];
                    let mut reads = 0u64;
                    while start.elapsed() < GIVE_UP {
                        match registration.read_io(|| (&server).read(&mut buf)).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) => reads += 1,
                        }
                    }
                    reads
                })
                .await;
                (result.is_err(), start.elapsed())
            })
            .await
            .unwrap()
        });
        stop.store(true, Ordering::Relaxed);
        flooder.join().unwrap();
        outcome
    });
    eprintln!("timed out: {result}, after {elapsed:?}");
    assert!(
        result && elapsed < Duration::from_secs(1),
        "a 200 ms timeout around a busy read loop returned {} after {elapsed:?}",
        if result { "Elapsed" } else { "the inner result" }
    );
}

/// The same with an inner future that is busy without any socket: a loop
/// of expired sleeps, each ready at once and each spending budget (an
/// interval that fell behind looks like this). Nothing but the budget ever
/// makes it return `Pending`, so a deadline polled through the budget
/// never fires.
#[test]
fn timeout_fires_around_a_loop_of_ready_timers() {
    const DEADLINE: Duration = Duration::from_millis(200);
    const GIVE_UP: Duration = Duration::from_secs(3);
    let (result, elapsed) = within(LIMIT, "timeout around expired sleeps", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let start = Instant::now();
                let result = edgeio_runtime::time::timeout(DEADLINE, async {
                    while start.elapsed() < GIVE_UP {
                        edgeio_runtime::time::sleep(Duration::ZERO).await;
                    }
                })
                .await;
                (result.is_err(), start.elapsed())
            })
            .await
            .unwrap()
        })
    });
    eprintln!("timed out: {result}, after {elapsed:?}");
    assert!(
        result && elapsed < Duration::from_secs(1),
        "a 200 ms timeout around a loop of ready sleeps returned {} after {elapsed:?}",
        if result { "Elapsed" } else { "the inner result" }
    );
}

/// Port of tokio's `yield_defers_until_park` idea: on a one-worker runtime
/// a task alone in its queue that calls `yield_now` runs again only after
/// the reactor has been polled, so each yield costs one reactor poll.
#[test]
fn yield_defers_until_park() {
    const YIELDS: u64 = 1_000;
    let (reactor_polls, polls) = within(LIMIT, "yield vs reactor polls", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let handle = Handle::current();
                let before = handle.metrics().reactor_polls;
                let (yielder, polls) = CountPolls::new(async {
                    for _ in 0..YIELDS {
                        yield_now().await;
                    }
                });
                yielder.await;
                let reactor_polls = handle.metrics().reactor_polls - before;
                (reactor_polls, polls.load(Ordering::Relaxed))
            })
            .await
            .unwrap()
        })
    });
    eprintln!("{polls} polls of a yielding task, {reactor_polls} reactor polls");
    assert_eq!(polls, YIELDS + 1);
    assert!(
        reactor_polls * 2 >= YIELDS,
        "{YIELDS} yields of the only task saw {reactor_polls} reactor polls: a yielded task ran \
         again before the reactor was polled"
    );
}

/// A task that spins on `yield_now` until another task has seen a socket
/// become readable: with yields deferred until the reactor is polled, the
/// readable socket's task runs after the first yield. Twenty rounds, each
/// allowed a few yields; rescheduling the yielder at once lets it spin
/// until the next periodic reactor poll (dozens of yields) nearly every
/// round.
///
/// A Unix socket pair: its readiness reaches epoll inside the `write`
/// call itself, with no softirq in between, so the count of yields does
/// not depend on load.
#[test]
fn yield_lets_a_ready_socket_in() {
    const ROUNDS: u64 = 20;
    const MAX_YIELDS: u64 = 4;
    let counts = within(LIMIT, "yield vs ready socket", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let (mut writer, reader) = UnixStream::pair().unwrap();
                reader.set_nonblocking(true).unwrap();
                let seen = Arc::new(AtomicU64::new(0));
                let seen_by_reader = seen.clone();
                let reading = spawn(async move {
                    let reader = reader;
                    // SAFETY: `reader` is declared first and outlives the
                    // registration.
                    let registration = unsafe { Registration::new(reader.as_fd()) }.unwrap();
                    let mut buf = [0u8; 16];
                    for _ in 0..ROUNDS {
                        let n = registration.read_io(|| (&reader).read(&mut buf)).await.unwrap();
                        assert_eq!(n, 1);
                        seen_by_reader.fetch_add(1, Ordering::SeqCst);
                    }
                });
                // Let the reader park on its socket first.
                yield_now().await;
                edgeio_runtime::time::sleep(Duration::from_millis(5)).await;
                let mut counts = Vec::new();
                for round in 1..=ROUNDS {
                    writer.write_all(b"x").unwrap();
                    let mut yields = 0u64;
                    while seen.load(Ordering::SeqCst) < round && yields < 100_000 {
                        yield_now().await;
                        yields += 1;
                    }
                    counts.push(yields);
                }
                reading.await.unwrap();
                counts
            })
            .await
            .unwrap()
        })
    });
    eprintln!("yields before the readable socket's task ran: {counts:?}");
    assert!(
        counts.iter().all(|&n| n <= MAX_YIELDS),
        "yields before a readable socket's task ran, per round: {counts:?} (want at most {MAX_YIELDS} each)"
    );
}

/// The timer counterpart: once a timer's deadline has passed (plus slack
/// for a runtime that rounds timers to the millisecond), a task that keeps
/// its worker busy between yields lets the timer's task run within a few
/// yields. Each turn of the yielder spins for 200 µs, so a reactor polled
/// only every few dozen turns fires the timer many turns late; counting
/// turns, not time, keeps this independent of load.
#[test]
fn yield_lets_an_expired_timer_in() {
    const ROUNDS: u64 = 10;
    const MAX_YIELDS: u64 = 4;
    const SLACK: Duration = Duration::from_millis(3);
    const TURN: Duration = Duration::from_micros(200);
    fn busy(turn: Duration) {
        let start = Instant::now();
        while start.elapsed() < turn {
            std::hint::spin_loop();
        }
    }
    let counts = within(LIMIT, "yield vs expired timer", || {
        let runtime = Builder::new().worker_threads(1).build().unwrap();
        runtime.block_on(async {
            spawn(async {
                let mut counts = Vec::new();
                for _ in 0..ROUNDS {
                    let fired = Arc::new(AtomicBool::new(false));
                    let fired_by_timer = fired.clone();
                    let deadline = Instant::now() + Duration::from_millis(2);
                    let timer = spawn(async move {
                        sleep_until(deadline.into()).await;
                        fired_by_timer.store(true, Ordering::SeqCst);
                    });
                    // Work (yielding) past the deadline and the slack.
                    let spin_limit = Instant::now() + Duration::from_secs(5);
                    while Instant::now() < deadline + SLACK && Instant::now() < spin_limit {
                        busy(TURN);
                        yield_now().await;
                    }
                    let mut yields = 0u64;
                    while !fired.load(Ordering::SeqCst) && yields < 10_000 {
                        busy(TURN);
                        yield_now().await;
                        yields += 1;
                    }
                    counts.push(yields);
                    timer.await.unwrap();
                }
                counts
            })
            .await
            .unwrap()
        })
    });
    eprintln!("yields after the deadline before the timer's task ran: {counts:?}");
    assert!(
        counts.iter().all(|&n| n <= MAX_YIELDS),
        "yields after a timer expired before its task ran, per round: {counts:?} (want at most {MAX_YIELDS} each)"
    );
}

/// A `block_in_place` stand-in polls the reactor and timers at its first
/// tick, before the first task it runs. The event interval counts a
/// worker place's ticks between polls; a stand-in that started the count
/// afresh let a stream of tasks that each block in place (each getting a
/// new stand-in after a tick or two) keep timers from being served for
/// hundreds of milliseconds. Counted, not timed: the task the stand-in
/// runs first sees the reactor polled since its spawner blocked.
#[test]
fn a_block_in_place_stand_in_polls_the_reactor_first() {
    let polled_first = within(LIMIT, "a stand-in's first tick", || {
        let runtime = Builder::new()
            .worker_threads(1)
            // Never reached here: only a stand-in's first tick, or a
            // worker out of tasks, polls.
            .event_interval(1_000_000)
            .build()
            .unwrap();
        runtime.block_on(async {
            spawn(async {
                let before = Handle::current().metrics().reactor_polls;
                let (ran_tx, ran) = std::sync::mpsc::channel();
                // Queued here, run by the stand-in.
                drop(spawn(async move {
                    let now = Handle::current().metrics().reactor_polls;
                    ran_tx.send(now > before).unwrap();
                }));
                edgeio_runtime::block_in_place(|| ran.recv_timeout(LIMIT).unwrap())
            })
            .await
            .unwrap()
        })
    });
    assert!(polled_first, "the stand-in ran a task before polling the reactor");
}
