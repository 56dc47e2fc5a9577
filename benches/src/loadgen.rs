//! The load generator's engine: one thread, one level-triggered epoll
//! instance, a small state machine per connection, no async runtime.
//!
//! Why not a runtime: a ping-pong client makes the same syscalls per
//! request as the server it drives. On a tokio current-thread runtime it
//! saturated its CPU first (measured at 64 connections × 64 B: client at
//! 100 % of its CPU, a 1-worker server at ~70 % of its own), so every
//! throughput row measured the client and came out at 1.0 whatever the
//! servers did. A bare epoll loop is the cheapest client Linux offers:
//! level-triggered, so one `recv` per readiness report and no `EAGAIN`
//! probing; a `send` per request; one `epoll_wait` for many connections.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// What every connection sends and expects back.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    pub request: &'a [u8],
    pub reply_len: usize,
    /// The exact reply, when it must be checked (HTTP); echo replies are
    /// only counted.
    pub expect: Option<&'a [u8]>,
}

/// Window of the run: exchanges started in `[from, until)` are timed, and
/// none starts at or after `until`. One exchange may take at most
/// `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: Instant,
    pub until: Instant,
    pub timeout: Duration,
}

/// One connection's progress through its current exchange.
struct Conn {
    stream: TcpStream,
    started: Instant,
    sent: usize,
    received: usize,
    /// Registered for writability (a request did not fit the send buffer).
    wants_write: bool,
    done: bool,
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct Measured {
    /// Latency of each exchange started inside the window, in ns.
    pub latencies: Vec<u64>,
    /// Every exchange completed, warm-up included (what the server did).
    pub completed: u64,
}

/// Runs request/response ping-pong on every stream (connected, any mode)
/// until `window.until`.
pub fn ping_pong(streams: Vec<TcpStream>, exchange: Exchange<'_>, window: Window) -> io::Result<Measured> {
    let epoll = Epoll::new()?;
    let mut conns = Vec::with_capacity(streams.len());
    for (token, stream) in streams.into_iter().enumerate() {
        stream.set_nonblocking(true)?;
        epoll.add(&stream, token as u64)?;
        conns.push(Conn {
            stream,
            started: Instant::now(),
            sent: 0,
            received: 0,
            wants_write: false,
            done: false,
        });
    }
    let mut reply = vec![0; exchange.reply_len.max(1)];
    let mut measured = Measured::default();
    let mut live = conns.len();
    for (token, conn) in conns.iter_mut().enumerate() {
        conn.started = Instant::now();
        send(&epoll, token, conn, exchange.request)?;
    }
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
    let mut last_check = Instant::now();
    while live > 0 {
        let ready = epoll.wait(&mut events, 100)?;
        for event in &events[..ready] {
            let token = event.u64 as usize;
            let conn = &mut conns[token];
            if conn.done {
                continue;
            }
            if event.events & libc::EPOLLOUT as u32 != 0 {
                send(&epoll, token, conn, exchange.request)?;
            }
            if event.events & (libc::EPOLLIN | libc::EPOLLERR | libc::EPOLLHUP) as u32 == 0 {
                continue;
            }
            if !receive(conn, &mut reply, exchange)? {
                continue;
            }
            let now = Instant::now();
            measured.completed += 1;
            if conn.started >= window.from {
                measured
                    .latencies
                    .push(now.duration_since(conn.started).as_nanos() as u64);
            }
            if now >= window.until {
                conn.done = true;
                live -= 1;
                epoll.delete(&conn.stream)?;
                continue;
            }
            conn.started = now;
            conn.sent = 0;
            conn.received = 0;
            send(&epoll, token, conn, exchange.request)?;
        }
        let now = Instant::now();
        if now.duration_since(last_check) >= Duration::from_millis(100) {
            last_check = now;
            if conns
                .iter()
                .any(|c| !c.done && now.duration_since(c.started) > window.timeout)
            {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "no reply in time"));
            }
        }
    }
    Ok(measured)
}

/// Sends what is left of the request; waits for writability if the send
/// buffer is full.
fn send(epoll: &Epoll, token: usize, conn: &mut Conn, request: &[u8]) -> io::Result<()> {
    while conn.sent < request.len() {
        match conn.stream.write(&request[conn.sent..]) {
            Ok(n) => conn.sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    let wants_write = conn.sent < request.len();
    if wants_write != conn.wants_write {
        conn.wants_write = wants_write;
        epoll.modify(&conn.stream, token as u64, wants_write)?;
    }
    Ok(())
}

/// One read of the reply (level-triggered: more comes as another event).
/// Returns whether the reply is complete.
fn receive(conn: &mut Conn, reply: &mut [u8], exchange: Exchange<'_>) -> io::Result<bool> {
    // An echo reply is only counted, so each read may reuse the start of
    // the buffer; a checked reply is assembled in place.
    let (start, end) = match exchange.expect {
        Some(_) => (conn.received, exchange.reply_len),
        None => (0, exchange.reply_len - conn.received),
    };
    let buf = &mut reply[start..end];
    match conn.stream.read(buf) {
        Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed")),
        Ok(n) => conn.received += n,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
        Err(e) => return Err(e),
    }
    if conn.received < exchange.reply_len {
        return Ok(false);
    }
    match exchange.expect {
        Some(expected) if reply[..exchange.reply_len] != *expected => {
            Err(io::Error::other("unexpected reply"))
        }
        _ => Ok(true),
    }
}

/// A level-triggered epoll instance.
struct Epoll(OwnedFd);

impl Epoll {
    fn new() -> io::Result<Epoll> {
        // SAFETY: no pointer arguments; the result is checked below.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        Ok(Epoll(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    fn ctl(&self, op: libc::c_int, stream: &TcpStream, token: u64, write: bool) -> io::Result<()> {
        let mut flags = libc::EPOLLIN;
        if write {
            flags |= libc::EPOLLOUT;
        }
        let mut event = libc::epoll_event {
            events: flags as u32,
            u64: token,
        };
        // SAFETY: both fds are open for the duration of the call, and
        // `event` is a valid epoll_event (ignored for EPOLL_CTL_DEL).
        let rc = unsafe { libc::epoll_ctl(self.0.as_raw_fd(), op, stream.as_raw_fd(), &mut event) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn add(&self, stream: &TcpStream, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, stream, token, false)
    }

    fn modify(&self, stream: &TcpStream, token: u64, write: bool) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, stream, token, write)
    }

    fn delete(&self, stream: &TcpStream) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, stream, 0, false)
    }

    /// Waits up to `timeout_ms` for events; returns how many were stored.
    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> io::Result<usize> {
        let max = events.len().min(i32::MAX as usize) as i32;
        // SAFETY: `events` is valid for writes of `max` entries.
        let n = unsafe { libc::epoll_wait(self.0.as_raw_fd(), events.as_mut_ptr(), max, timeout_ms) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return if err.kind() == io::ErrorKind::Interrupted {
                Ok(0)
            } else {
                Err(err)
            };
        }
        Ok(n as usize)
    }
}
