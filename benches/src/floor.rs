//! The floor: the echo and HTTP servers with no runtime at all — one
//! thread, one edge-triggered epoll instance, a state machine per
//! connection, `libc` calls and nothing else — so a 1-worker row can say
//! how close each runtime comes to what the machine allows.
//!
//! It makes the fewest system calls a readiness-based server can: one
//! `recv` and one `send` per request, no `EAGAIN` probe after a short read
//! (a read that returns less than asked emptied the receive queue; both
//! runtimes know this too), one `epoll_wait` per batch of ready sockets,
//! no wake-ups, no locks. Each connection is registered once for
//! `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET`, as edgeio and tokio (mio)
//! register theirs.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::app::App;
use crate::http_wire::Session;

/// The listener's token; connections use their slot index.
const LISTENER: u64 = u64::MAX;
/// Read buffer: the echo handler's (`serve_echo::BUF`) and the HTTP
/// handler's chunk, so the floor reads as much per call as the twins do.
const ECHO_BUF: usize = 16 * 1024;
const HTTP_CHUNK: usize = 4096;

/// The events after which a connection is read.
const READ_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// One connection's state.
struct Conn {
    fd: OwnedFd,
    /// HTTP only: the parser and its pending responses.
    session: Session,
    /// Bytes accepted for sending that did not fit the socket's buffer
    /// (echo: the unsent rest of what was read); reading stops until they
    /// are sent, as `write_all` makes the twins wait.
    out: Vec<u8>,
    sent: usize,
    /// The HTTP client asked to close once `out` is sent.
    closing: bool,
}

/// Binds 127.0.0.1:0 with a backlog of 1024 (as the twins' listeners),
/// announces the port through `announce`, then serves `app` forever.
pub fn serve(app: App, announce: impl FnOnce(u16) -> io::Result<()>) -> io::Result<()> {
    let listener = listen()?;
    announce(local_port(listener.as_raw_fd())?)?;
    let epoll = cvt(
        // SAFETY: no pointer arguments.
        unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) },
    )?;
    // SAFETY: a fresh descriptor that nothing else owns.
    let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
    ctl_add(
        epoll.as_raw_fd(),
        listener.as_raw_fd(),
        LISTENER,
        libc::EPOLLIN | libc::EPOLLET,
    )?;
    let mut conns: Vec<Option<Conn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut buf = vec![0u8; ECHO_BUF.max(HTTP_CHUNK)];
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 1024];
    loop {
        // SAFETY: `events` is valid for writes of its length.
        let n = unsafe { libc::epoll_wait(epoll.as_raw_fd(), events.as_mut_ptr(), events.len() as i32, -1) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        for event in &events[..n as usize] {
            if event.u64 == LISTENER {
                accept_all(epoll.as_raw_fd(), listener.as_raw_fd(), &mut conns, &mut free);
                continue;
            }
            let slot = event.u64 as usize;
            let Some(conn) = conns.get_mut(slot).and_then(Option::as_mut) else {
                continue;
            };
            // Read only on a read edge (or an error, which the read reports):
            // an `EPOLLOUT` edge alone only flushes pending output.
            let readable = event.events & READ_EVENTS != 0;
            let keep = match app {
                App::Echo | App::EchoIdle => echo(conn, readable, &mut buf[..ECHO_BUF]),
                App::Http => http(conn, readable, &mut buf[..HTTP_CHUNK]),
                // `server::run` never starts the floor for hyper.
                App::Hyper => Ok(false),
            };
            if !matches!(keep, Ok(true)) {
                // Closing the fd removes it from the epoll set.
                conns[slot] = None;
                free.push(slot);
            }
        }
    }
}

/// Accepts until `EAGAIN`. Any other error (`EMFILE`...) also stops the
/// round: the connection waits in the backlog for the next edge, which is
/// good enough for a benchmark whose clients never exceed the fd limit.
fn accept_all(epoll: RawFd, listener: RawFd, conns: &mut Vec<Option<Conn>>, free: &mut Vec<usize>) {
    loop {
        // SAFETY: null address pointers are allowed; flags are valid.
        let fd = unsafe {
            libc::accept4(
                listener,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        if fd < 0 {
            return;
        }
        // SAFETY: `fd` was just returned by accept4 and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let one: libc::c_int = 1;
        // SAFETY: `one` is a valid c_int for the option's length; failure
        // only leaves Nagle on.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
        let slot = free.pop().unwrap_or_else(|| {
            conns.push(None);
            conns.len() - 1
        });
        let flags = libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET;
        if ctl_add(epoll, fd.as_raw_fd(), slot as u64, flags).is_err() {
            free.push(slot);
            continue;
        }
        conns[slot] = Some(Conn {
            fd,
            session: Session::default(),
            out: Vec::new(),
            sent: 0,
            closing: false,
        });
    }
}

/// Echo: flush what is pending, then read and send back until the
/// receive queue is empty. `Ok(false)` closes the connection.
fn echo(conn: &mut Conn, readable: bool, buf: &mut [u8]) -> io::Result<bool> {
    if !flush(conn)? || !readable {
        return Ok(true);
    }
    loop {
        let n = match recv(conn.fd.as_raw_fd(), buf)? {
            None => return Ok(true),
            Some(0) => return Ok(false),
            Some(n) => n,
        };
        if !send_all(conn, &buf[..n])? || n < buf.len() {
            return Ok(true);
        }
    }
}

/// HTTP: flush, then read, parse and answer until the receive queue is
/// empty or the client asked to close.
fn http(conn: &mut Conn, readable: bool, buf: &mut [u8]) -> io::Result<bool> {
    if !flush(conn)? {
        return Ok(true);
    }
    if conn.closing {
        return Ok(false);
    }
    if !readable {
        return Ok(true);
    }
    loop {
        let n = match recv(conn.fd.as_raw_fd(), buf)? {
            None => return Ok(true),
            Some(0) => return Ok(false),
            Some(n) => n,
        };
        conn.closing = conn.session.feed(&buf[..n]);
        let output = std::mem::take(&mut conn.session.output);
        let all_sent = send_all(conn, &output)?;
        conn.session.output = output;
        conn.session.output.clear();
        if !all_sent {
            return Ok(true);
        }
        if conn.closing {
            return Ok(false);
        }
        if n < buf.len() {
            return Ok(true);
        }
    }
}

/// Sends `conn.out` from `conn.sent`; `Ok(true)` once all is sent,
/// `Ok(false)` when the socket's buffer is full (`EPOLLOUT` will come).
fn flush(conn: &mut Conn) -> io::Result<bool> {
    while conn.sent < conn.out.len() {
        match send(conn.fd.as_raw_fd(), &conn.out[conn.sent..])? {
            Some(n) => conn.sent += n,
            None => return Ok(false),
        }
    }
    conn.out.clear();
    conn.sent = 0;
    Ok(true)
}

/// Sends `data` straight from the caller's buffer (nothing is pending);
/// keeps what the socket did not take in `conn.out` and returns `false`.
fn send_all(conn: &mut Conn, data: &[u8]) -> io::Result<bool> {
    let mut sent = 0;
    while sent < data.len() {
        match send(conn.fd.as_raw_fd(), &data[sent..])? {
            Some(n) => sent += n,
            None => {
                conn.out.extend_from_slice(&data[sent..]);
                conn.sent = 0;
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// One `send`: `None` on `EAGAIN`.
fn send(fd: RawFd, data: &[u8]) -> io::Result<Option<usize>> {
    loop {
        // SAFETY: `data` is valid for reads of its length.
        let n = unsafe { libc::send(fd, data.as_ptr().cast(), data.len(), libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(Some(n as usize));
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::WouldBlock => return Ok(None),
            io::ErrorKind::Interrupted => continue,
            _ => return Err(err),
        }
    }
}

/// One `recv`: `None` on `EAGAIN`, `Some(0)` at EOF.
fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    loop {
        // SAFETY: `buf` is valid for writes of its length.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        if n >= 0 {
            return Ok(Some(n as usize));
        }
        let err = io::Error::last_os_error();
        match err.kind() {
            io::ErrorKind::WouldBlock => return Ok(None),
            io::ErrorKind::Interrupted => continue,
            _ => return Err(err),
        }
    }
}

fn listen() -> io::Result<OwnedFd> {
    // SAFETY: no pointer arguments.
    let fd = cvt(unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    })?;
    // SAFETY: a fresh descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let one: libc::c_int = 1;
    // SAFETY: `one` is a valid c_int for the option's length.
    cvt(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })?;
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: `addr` is a valid sockaddr_in of the length given.
    cvt(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    })?;
    // SAFETY: plain integer arguments.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), 1024) })?;
    Ok(fd)
}

fn local_port(fd: RawFd) -> io::Result<u16> {
    // SAFETY: sockaddr_in is plain data, valid when zeroed.
    let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: `addr` and `len` are valid for writes; `len` holds its size.
    cvt(unsafe { libc::getsockname(fd, (&mut addr as *mut libc::sockaddr_in).cast(), &mut len) })?;
    Ok(u16::from_be(addr.sin_port))
}

fn ctl_add(epoll: RawFd, fd: RawFd, token: u64, flags: libc::c_int) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: flags as u32,
        u64: token,
    };
    // SAFETY: both fds are open; `event` is a valid epoll_event.
    cvt(unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, fd, &mut event) }).map(drop)
}

fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}
