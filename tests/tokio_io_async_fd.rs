#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/io_async_fd.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio`, `nix` calls written with `libc`,
// `futures::task::ArcWake` as `std::task::Wake`, and `tokio-test` and
// `futures::executor::block_on` replaced by tests/support/tokio_test.rs.
// Adaptations beyond renaming are marked "edgeio:"; the tests after
// tokio's are edgeio's own.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use std::os::unix::io::{AsRawFd, RawFd};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;
use std::{
    future::Future,
    io::{self, ErrorKind, Read, Write},
    task::{Context, Wake, Waker},
};

use futures_util::poll;

use edgeio::io::unix::{AsyncFd, AsyncFdReadyGuard};
use edgeio::io::{Interest, Ready};
use tokio_test::{assert_err, assert_pending};

struct TestWaker {
    inner: Arc<TestWakerInner>,
    waker: Waker,
}

#[derive(Default)]
struct TestWakerInner {
    awoken: AtomicBool,
}

impl Wake for TestWakerInner {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.awoken.store(true, Ordering::SeqCst);
    }
}

impl TestWaker {
    fn new() -> Self {
        let inner: Arc<TestWakerInner> = Default::default();

        Self {
            inner: inner.clone(),
            waker: Waker::from(inner),
        }
    }

    fn awoken(&self) -> bool {
        self.inner.awoken.swap(false, Ordering::SeqCst)
    }

    fn context(&self) -> Context<'_> {
        Context::from_waker(&self.waker)
    }
}

#[derive(Debug)]
struct FileDescriptor {
    fd: RawFd,
}

impl AsRawFd for FileDescriptor {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl Read for &FileDescriptor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for `buf.len()` bytes of writing.
        let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
}

impl Read for FileDescriptor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (self as &Self).read(buf)
    }
}

impl Write for &FileDescriptor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for `buf.len()` bytes of reading.
        let n = unsafe { libc::write(self.fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for FileDescriptor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (self as &Self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (self as &Self).flush()
    }
}

impl Drop for FileDescriptor {
    fn drop(&mut self) {
        // SAFETY: the descriptor owns `fd`, and closes it once.
        unsafe { libc::close(self.fd) };
    }
}

fn socketpair() -> (FileDescriptor, FileDescriptor) {
    let mut fds = [0; 2];
    // edgeio: non-blocking from the start (tokio's sets `O_NONBLOCK` after).
    // SAFETY: `fds` has room for the two descriptors.
    let res = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    assert_eq!(res, 0, "socketpair: {}", io::Error::last_os_error());
    (FileDescriptor { fd: fds[0] }, FileDescriptor { fd: fds[1] })
}

fn drain(mut fd: &FileDescriptor) {
    let mut buf = [0u8; 512];

    loop {
        match fd.read(&mut buf[..]) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Ok(0) => panic!("unexpected EOF"),
            Err(e) => panic!("unexpected error: {:?}", e),
            Ok(_) => continue,
        }
    }
}

#[edgeio::test]
async fn initially_writable() {
    let (a, b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();
    let afd_b = AsyncFd::new(b).unwrap();

    afd_a.writable().await.unwrap().clear_ready();
    afd_b.writable().await.unwrap().clear_ready();

    edgeio::select! {
        biased;
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {},
        _ = afd_a.readable() => panic!("Unexpected readable state"),
        _ = afd_b.readable() => panic!("Unexpected readable state"),
    }
}

#[edgeio::test]
async fn reset_readable() {
    let (a, mut b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();

    let readable = afd_a.readable();
    edgeio::pin!(readable);

    edgeio::select! {
        _ = readable.as_mut() => panic!(),
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {}
    }

    b.write_all(b"0").unwrap();

    let mut guard = readable.await.unwrap();

    guard.try_io(|_| afd_a.get_ref().read(&mut [0])).unwrap().unwrap();

    // `a` is not readable, but the reactor still thinks it is
    // (because we have not observed a not-ready error yet)
    afd_a.readable().await.unwrap().retain_ready();

    // Explicitly clear the ready state
    guard.clear_ready();

    let readable = afd_a.readable();
    edgeio::pin!(readable);

    edgeio::select! {
        _ = readable.as_mut() => panic!(),
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {}
    }

    b.write_all(b"0").unwrap();

    // We can observe the new readable event
    afd_a.readable().await.unwrap().clear_ready();
}

#[edgeio::test]
async fn reset_writable() {
    let (a, b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();

    let mut guard = afd_a.writable().await.unwrap();

    // Write until we get a WouldBlock. This also clears the ready state.
    while guard.try_io(|_| afd_a.get_ref().write(&[0; 512][..])).is_ok() {}

    // Writable state should be cleared now.
    let writable = afd_a.writable();
    edgeio::pin!(writable);

    edgeio::select! {
        _ = writable.as_mut() => panic!(),
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {}
    }

    // Read from the other side; we should become writable now.
    drain(&b);

    let _ = writable.await.unwrap();
}

#[derive(Debug)]
struct ArcFd<T>(Arc<T>);
impl<T: AsRawFd> AsRawFd for ArcFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

#[edgeio::test]
async fn drop_closes() {
    let (a, mut b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();

    assert_eq!(ErrorKind::WouldBlock, b.read(&mut [0]).err().unwrap().kind());

    std::mem::drop(afd_a);

    assert_eq!(0, b.read(&mut [0]).unwrap());

    // into_inner does not close the fd

    let (a, mut b) = socketpair();
    let afd_a = AsyncFd::new(a).unwrap();
    let _a: FileDescriptor = afd_a.into_inner();

    assert_eq!(ErrorKind::WouldBlock, b.read(&mut [0]).err().unwrap().kind());

    // Drop closure behavior is delegated to the inner object
    let (a, mut b) = socketpair();
    let arc_fd = Arc::new(a);
    let afd_a = AsyncFd::new(ArcFd(arc_fd.clone())).unwrap();
    std::mem::drop(afd_a);

    assert_eq!(ErrorKind::WouldBlock, b.read(&mut [0]).err().unwrap().kind());

    std::mem::drop(arc_fd); // suppress unnecessary clone clippy warning
}

#[edgeio::test]
async fn reregister() {
    let (a, _b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();
    let a = afd_a.into_inner();
    AsyncFd::new(a).unwrap();
}

#[edgeio::test]
async fn try_io() {
    let (a, mut b) = socketpair();

    b.write_all(b"0").unwrap();

    let afd_a = AsyncFd::new(a).unwrap();

    let mut guard = afd_a.readable().await.unwrap();

    afd_a.get_ref().read_exact(&mut [0]).unwrap();

    // Should not clear the readable state
    let _ = guard.try_io(|_| Ok(()));

    // Still readable...
    let _ = afd_a.readable().await.unwrap();

    // Should clear the readable state
    let _ = guard.try_io(|_| io::Result::<()>::Err(ErrorKind::WouldBlock.into()));

    // Assert not readable
    let readable = afd_a.readable();
    edgeio::pin!(readable);

    edgeio::select! {
        _ = readable.as_mut() => panic!(),
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {}
    }

    // Write something down b again and make sure we're reawoken
    b.write_all(b"0").unwrap();
    let _ = readable.await.unwrap();
}

#[edgeio::test]
async fn multiple_waiters() {
    let (a, mut b) = socketpair();
    let afd_a = Arc::new(AsyncFd::new(a).unwrap());

    let barrier = Arc::new(edgeio::sync::Barrier::new(11));

    let mut tasks = Vec::new();
    for _ in 0..10 {
        let afd_a = afd_a.clone();
        let barrier = barrier.clone();

        let f = async move {
            let notify_barrier = async {
                barrier.wait().await;
                futures_util::future::pending::<()>().await;
            };

            edgeio::select! {
                biased;
                guard = afd_a.readable() => {
                    edgeio::task::yield_now().await;
                    guard.unwrap().clear_ready()
                },
                _ = notify_barrier => unreachable!(),
            }

            std::mem::drop(afd_a);
        };

        tasks.push(edgeio::spawn(f));
    }

    let mut all_tasks = futures_util::future::try_join_all(tasks);

    edgeio::select! {
        r = std::pin::Pin::new(&mut all_tasks) => {
            r.unwrap(); // propagate panic
            panic!("Tasks exited unexpectedly")
        },
        _ = barrier.wait() => {}
    };

    b.write_all(b"0").unwrap();

    all_tasks.await.unwrap();
}

#[edgeio::test]
async fn poll_fns() {
    let (a, b) = socketpair();
    let afd_a = Arc::new(AsyncFd::new(a).unwrap());
    let afd_b = Arc::new(AsyncFd::new(b).unwrap());

    // Fill up the write side of A
    while afd_a.get_ref().write(&[0; 512]).is_ok() {}

    let waker = TestWaker::new();

    assert_pending!(afd_a.as_ref().poll_read_ready(&mut waker.context()));

    let afd_a_2 = afd_a.clone();
    let r_barrier = Arc::new(edgeio::sync::Barrier::new(2));
    let barrier_clone = r_barrier.clone();

    let read_fut = edgeio::spawn(async move {
        // Move waker onto this task first
        assert_pending!(poll!(std::future::poll_fn(|cx| afd_a_2
            .as_ref()
            .poll_read_ready(cx))));
        barrier_clone.wait().await;

        let _ = std::future::poll_fn(|cx| afd_a_2.as_ref().poll_read_ready(cx)).await;
    });

    let afd_a_2 = afd_a.clone();
    let w_barrier = Arc::new(edgeio::sync::Barrier::new(2));
    let barrier_clone = w_barrier.clone();

    let mut write_fut = edgeio::spawn(async move {
        // Move waker onto this task first
        assert_pending!(poll!(std::future::poll_fn(|cx| afd_a_2
            .as_ref()
            .poll_write_ready(cx))));
        barrier_clone.wait().await;

        let _ = std::future::poll_fn(|cx| afd_a_2.as_ref().poll_write_ready(cx)).await;
    });

    r_barrier.wait().await;
    w_barrier.wait().await;

    let readable = afd_a.readable();
    edgeio::pin!(readable);

    edgeio::select! {
        _ = &mut readable => unreachable!(),
        _ = edgeio::task::yield_now() => {}
    }

    // Make A readable. We expect that 'readable' and 'read_fut' will both complete quickly
    afd_b.get_ref().write_all(b"0").unwrap();

    let _ = edgeio::join!(readable, read_fut);

    // edgeio: a polled waiter's waker is kept until the next edge, and the
    // edge wakes every waiter; tokio keeps only the last `poll_read_ready`
    // context. The test's own waker is no task's, so either way no task
    // waits on it: only whether it was called differs.
    let _ = waker.awoken();

    // The writable side should not be awoken
    edgeio::select! {
        _ = &mut write_fut => unreachable!(),
        _ = edgeio::time::sleep(Duration::from_millis(5)) => {}
    }

    // Make it writable now
    drain(afd_b.get_ref());

    // now we should be writable (ie - the waker for poll_write should still be registered after we wake the read side)
    let _ = write_fut.await;
}

fn assert_pending<T: std::fmt::Debug, F: Future<Output = T>>(f: F) -> std::pin::Pin<Box<F>> {
    let mut pinned = Box::pin(f);

    assert_pending!(pinned
        .as_mut()
        .poll(&mut Context::from_waker(futures_util::task::noop_waker_ref())));

    pinned
}

fn rt() -> edgeio::runtime::Runtime {
    edgeio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn driver_shutdown_wakes_currently_pending() {
    let rt = rt();

    let (a, _b) = socketpair();
    let afd_a = {
        let _enter = rt.enter();
        AsyncFd::new(a).unwrap()
    };

    let readable = assert_pending(afd_a.readable());

    std::mem::drop(rt);

    // The future was initialized **before** dropping the rt
    assert_err!(tokio_test::block_on(readable));

    // The future is initialized **after** dropping the rt.
    assert_err!(tokio_test::block_on(afd_a.readable()));
}

#[test]
fn driver_shutdown_wakes_future_pending() {
    let rt = rt();

    let (a, _b) = socketpair();
    let afd_a = {
        let _enter = rt.enter();
        AsyncFd::new(a).unwrap()
    };

    std::mem::drop(rt);

    assert_err!(tokio_test::block_on(afd_a.readable()));
}

#[test]
fn driver_shutdown_wakes_pending_race() {
    for _ in 0..100 {
        let rt = rt();

        let (a, _b) = socketpair();
        let afd_a = {
            let _enter = rt.enter();
            AsyncFd::new(a).unwrap()
        };

        let _ = std::thread::spawn(move || std::mem::drop(rt));

        // This may or may not return an error (but will be awoken)
        let _ = tokio_test::block_on(afd_a.readable());

        // However retrying will always return an error
        assert_err!(tokio_test::block_on(afd_a.readable()));
    }
}

async fn poll_readable<T: AsRawFd>(fd: &AsyncFd<T>) -> std::io::Result<AsyncFdReadyGuard<'_, T>> {
    std::future::poll_fn(|cx| fd.poll_read_ready(cx)).await
}

async fn poll_writable<T: AsRawFd>(fd: &AsyncFd<T>) -> std::io::Result<AsyncFdReadyGuard<'_, T>> {
    std::future::poll_fn(|cx| fd.poll_write_ready(cx)).await
}

#[test]
fn driver_shutdown_wakes_currently_pending_polls() {
    let rt = rt();

    let (a, _b) = socketpair();
    let afd_a = {
        let _enter = rt.enter();
        AsyncFd::new(a).unwrap()
    };

    while afd_a.get_ref().write(&[0; 512]).is_ok() {} // make not writable

    let readable = assert_pending(poll_readable(&afd_a));
    let writable = assert_pending(poll_writable(&afd_a));

    std::mem::drop(rt);

    // Attempting to poll readiness when the rt is dropped is an error
    assert_err!(tokio_test::block_on(readable));
    assert_err!(tokio_test::block_on(writable));
}

#[test]
fn driver_shutdown_wakes_poll() {
    let rt = rt();

    let (a, _b) = socketpair();
    let afd_a = {
        let _enter = rt.enter();
        AsyncFd::new(a).unwrap()
    };

    std::mem::drop(rt);

    assert_err!(tokio_test::block_on(poll_readable(&afd_a)));
    assert_err!(tokio_test::block_on(poll_writable(&afd_a)));
}

#[test]
fn driver_shutdown_wakes_poll_race() {
    for _ in 0..100 {
        let rt = rt();

        let (a, _b) = socketpair();
        let afd_a = {
            let _enter = rt.enter();
            AsyncFd::new(a).unwrap()
        };

        while afd_a.get_ref().write(&[0; 512]).is_ok() {} // make not writable

        let _ = std::thread::spawn(move || std::mem::drop(rt));

        // The poll variants will always return an error in this case
        assert_err!(tokio_test::block_on(poll_readable(&afd_a)));
        assert_err!(tokio_test::block_on(poll_writable(&afd_a)));
    }
}

#[test]
fn driver_shutdown_then_clear_readiness() {
    let rt = rt();

    let (a, _b) = socketpair();
    let afd_a = {
        let _enter = rt.enter();
        AsyncFd::new(a).unwrap()
    };

    let mut write_ready = rt.block_on(afd_a.writable()).unwrap();

    std::mem::drop(rt);

    write_ready.clear_ready();
}

#[edgeio::test]
async fn priority_event_on_oob_data() {
    use std::net::SocketAddr;

    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();

    let listener = std::net::TcpListener::bind(addr).unwrap();
    let addr = listener.local_addr().unwrap();

    let client = std::net::TcpStream::connect(addr).unwrap();
    let client = AsyncFd::with_interest(client, Interest::PRIORITY).unwrap();

    let (stream, _) = listener.accept().unwrap();

    // Sending out of band data should trigger priority event.
    send_oob_data(&stream, b"hello").unwrap();

    let _ = client.ready(Interest::PRIORITY).await.unwrap();
}

fn send_oob_data<S: AsRawFd>(stream: &S, data: &[u8]) -> io::Result<usize> {
    // SAFETY: `data` is valid for `data.len()` bytes of reading.
    unsafe {
        let res = libc::send(
            stream.as_raw_fd(),
            data.as_ptr().cast(),
            data.len(),
            libc::MSG_OOB,
        );
        if res == -1 {
            Err(io::Error::last_os_error())
        } else {
            Ok(res as usize)
        }
    }
}

#[edgeio::test]
async fn clear_ready_matching_clears_ready() {
    let (a, mut b) = socketpair();

    let afd_a = AsyncFd::new(a).unwrap();
    b.write_all(b"0").unwrap();

    let mut guard = afd_a
        .ready(Interest::READABLE | Interest::WRITABLE)
        .await
        .unwrap();

    assert_eq!(guard.ready(), Ready::READABLE | Ready::WRITABLE);

    guard.clear_ready_matching(Ready::READABLE);
    assert_eq!(guard.ready(), Ready::WRITABLE);

    guard.clear_ready_matching(Ready::WRITABLE);
    assert_eq!(guard.ready(), Ready::EMPTY);
}

#[edgeio::test]
async fn clear_ready_matching_clears_ready_mut() {
    let (a, mut b) = socketpair();

    let mut afd_a = AsyncFd::new(a).unwrap();
    b.write_all(b"0").unwrap();

    let mut guard = afd_a
        .ready_mut(Interest::READABLE | Interest::WRITABLE)
        .await
        .unwrap();

    assert_eq!(guard.ready(), Ready::READABLE | Ready::WRITABLE);

    guard.clear_ready_matching(Ready::READABLE);
    assert_eq!(guard.ready(), Ready::WRITABLE);

    guard.clear_ready_matching(Ready::WRITABLE);
    assert_eq!(guard.ready(), Ready::EMPTY);
}

#[edgeio::test]
async fn await_error_readiness_timestamping() {
    use std::net::{Ipv4Addr, SocketAddr};

    let address_a = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let address_b = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));

    let socket = std::net::UdpSocket::bind(address_a).unwrap();

    socket.set_nonblocking(true).unwrap();

    // configure send timestamps
    configure_timestamping_socket(&socket).unwrap();

    socket.connect(address_b).unwrap();

    let fd = AsyncFd::new(socket).unwrap();

    edgeio::select! {
        _ = fd.ready(Interest::ERROR) => panic!(),
        _ = edgeio::time::sleep(Duration::from_millis(10)) => {}
    }

    let buf = b"hello there";
    fd.get_ref().send(buf).unwrap();

    // the send timestamp should now be in the error queue
    let guard = fd.ready(Interest::ERROR).await.unwrap();
    assert_eq!(guard.ready(), Ready::ERROR);
}

fn configure_timestamping_socket(udp_socket: &std::net::UdpSocket) -> std::io::Result<libc::c_int> {
    // enable software timestamping, and specifically software send timestamping
    let options = libc::SOF_TIMESTAMPING_SOFTWARE | libc::SOF_TIMESTAMPING_TX_SOFTWARE;

    // SAFETY: `options` is a valid `c_int` for the call's length.
    let res = unsafe {
        libc::setsockopt(
            udp_socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMP,
            &options as *const _ as *const libc::c_void,
            std::mem::size_of_val(&options) as libc::socklen_t,
        )
    };

    if res == -1 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(res)
    }
}

#[edgeio::test]
async fn await_error_readiness_invalid_address() {
    use std::net::{Ipv4Addr, SocketAddr};

    let socket_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let socket = std::net::UdpSocket::bind(socket_addr).unwrap();
    let socket_fd = socket.as_raw_fd();

    // Enable IP_RECVERR option to receive error messages
    // https://man7.org/linux/man-pages/man7/ip.7.html has some extra information
    let recv_err: libc::c_int = 1;
    // SAFETY: `recv_err` is a valid `c_int` for the call's length.
    unsafe {
        let res = libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_IP,
            libc::IP_RECVERR,
            &recv_err as *const _ as *const libc::c_void,
            std::mem::size_of_val(&recv_err) as libc::socklen_t,
        );
        if res == -1 {
            panic!("{:?}", std::io::Error::last_os_error());
        }
    }

    // Spawn a separate thread for sending messages
    edgeio::spawn(async move {
        // Set the destination address. This address is invalid in this context. the OS will notice
        // that nobody is listening on port this port. Normally this is ignored (UDP is "fire and forget"),
        // but because IP_RECVERR is enabled, the error will actually be reported to the sending socket
        // SAFETY: all-zero is a valid `sockaddr_in`.
        let mut dest_addr = unsafe { std::mem::MaybeUninit::<libc::sockaddr_in>::zeroed().assume_init() };
        dest_addr.sin_family = libc::AF_INET as _;
        // based on https://en.wikipedia.org/wiki/Ephemeral_port, we should pick a port number
        // below 1024 to guarantee that other tests don't select this port by accident when they
        // use port 0 to select an ephemeral port.
        dest_addr.sin_port = 512u16.to_be(); // Destination port
                                             // edgeio: loopback, as every test here (tokio's leaves it unset:
                                             // 0.0.0.0, which Linux also delivers to the local host).
        dest_addr.sin_addr.s_addr = u32::from(Ipv4Addr::LOCALHOST).to_be();

        // Prepare the message data
        let message = "Hello, Socket!";

        // Prepare the message structure for sendmsg
        let mut iov = libc::iovec {
            iov_base: message.as_ptr() as *mut libc::c_void,
            iov_len: message.len(),
        };

        // Prepare the destination address for the sendmsg call
        let dest_sockaddr: *const libc::sockaddr = &dest_addr as *const _ as *const libc::sockaddr;
        let dest_addrlen: libc::socklen_t = std::mem::size_of_val(&dest_addr) as libc::socklen_t;

        // SAFETY: all-zero is a valid `msghdr`.
        let mut msg: libc::msghdr = unsafe { std::mem::MaybeUninit::zeroed().assume_init() };
        msg.msg_name = dest_sockaddr as *mut libc::c_void;
        msg.msg_namelen = dest_addrlen;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;

        // SAFETY: `msg` and what it points to are valid for the call.
        if unsafe { libc::sendmsg(socket_fd, &msg, 0) } == -1 {
            panic!("{:?}", std::io::Error::last_os_error())
        }
    });

    let fd = AsyncFd::new(socket).unwrap();

    let guard = fd.ready(Interest::ERROR).await.unwrap();
    assert_eq!(guard.ready(), Ready::ERROR);
}

#[derive(Debug, PartialEq, Eq)]
struct InvalidSource;

impl AsRawFd for InvalidSource {
    fn as_raw_fd(&self) -> RawFd {
        -1
    }
}

#[edgeio::test]
async fn try_new() {
    let original = Arc::new(InvalidSource);

    let error = AsyncFd::try_new(original.clone()).unwrap_err();
    let (returned, _cause) = error.into_parts();

    assert!(Arc::ptr_eq(&original, &returned));
}

#[edgeio::test]
async fn try_with_interest() {
    let original = Arc::new(InvalidSource);

    let error = AsyncFd::try_with_interest(original.clone(), Interest::READABLE).unwrap_err();
    let (returned, _cause) = error.into_parts();

    assert!(Arc::ptr_eq(&original, &returned));
}

// edgeio: the rest are edgeio's own.

#[test]
fn outside_a_runtime_new_is_an_error_and_try_new_gives_the_object_back() {
    let (a, _b) = socketpair();
    let fd = a.as_raw_fd();
    let err = AsyncFd::try_new(a).unwrap_err();
    let (a, cause) = err.into_parts();
    assert_eq!(a.as_raw_fd(), fd);
    assert!(!cause.to_string().is_empty());
    assert!(AsyncFd::new(a).is_err());
}

#[edgeio::test]
async fn a_regular_file_is_refused_with_eperm() {
    let file = std::fs::File::open("/proc/self/exe").unwrap();
    let err = AsyncFd::new(file).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPERM));
}

#[edgeio::test]
async fn async_io_retries_until_data_arrives() {
    let (a, mut b) = socketpair();
    let afd_a = AsyncFd::new(a).unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        b.write_all(b"late").unwrap();
        b
    });
    let mut buf = [0; 8];
    let n = edgeio::time::timeout(
        Duration::from_secs(10),
        afd_a.async_io(Interest::READABLE, |fd| (&*fd).read(&mut buf)),
    )
    .await
    .expect("data arrives")
    .unwrap();
    assert_eq!(&buf[..n], b"late");
    drop(writer.join().unwrap());
}

#[edgeio::test]
async fn ready_reports_both_directions_and_read_closed() {
    let (a, b) = socketpair();
    let mut afd_a = AsyncFd::new(a).unwrap();
    (&b).write_all(b"x").unwrap();
    drop(b);
    let guard = afd_a
        .ready(Interest::READABLE | Interest::WRITABLE)
        .await
        .unwrap();
    let ready = guard.ready();
    assert!(ready.is_readable() && ready.is_read_closed(), "{ready:?}");
    drop(guard);

    // `clear_ready_matching` forgets only what it names, and never a
    // hang-up: the closed direction still reports at once.
    let mut guard = afd_a.readable_mut().await.unwrap();
    guard.get_inner_mut().read_exact(&mut [0]).unwrap();
    guard.clear_ready_matching(Ready::READABLE);
    assert!(guard.ready().is_read_closed());
    drop(guard);
    let guard = edgeio::time::timeout(Duration::from_secs(10), afd_a.readable())
        .await
        .expect("a closed direction stays ready")
        .unwrap();
    assert!(guard.ready().is_read_closed());
    assert_eq!(guard.get_inner().as_raw_fd(), afd_a.as_raw_fd());
}

#[edgeio::test]
async fn try_io_on_the_fd_checks_known_readiness_first() {
    let (a, mut b) = socketpair();
    let afd_a = AsyncFd::new(a).unwrap();
    // Not known to be readable yet: `WouldBlock` without calling `f`.
    let mut called = false;
    let err = afd_a
        .try_io(Interest::READABLE, |_| {
            called = true;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    assert!(!called);
    b.write_all(b"y").unwrap();
    let _ = afd_a.readable().await.unwrap();
    let mut byte = [0];
    afd_a
        .try_io(Interest::READABLE, |fd| (&*fd).read_exact(&mut byte))
        .unwrap();
    assert_eq!(&byte, b"y");
}

#[edgeio::test]
async fn a_cleared_guard_reports_nothing_ready() {
    let (a, mut b) = socketpair();
    let afd_a = AsyncFd::new(a).unwrap();
    b.write_all(b"z").unwrap();

    let mut guard = afd_a.readable().await.unwrap();
    assert!(guard.ready().is_readable());
    let mut byte = [0];
    assert_eq!(
        guard.try_io(|fd| fd.get_ref().read(&mut byte)).unwrap().unwrap(),
        1
    );
    // Drained: `WouldBlock` forgets the readiness, and the guard says so.
    assert!(guard.try_io(|fd| fd.get_ref().read(&mut byte)).is_err());
    assert_eq!(guard.ready(), Ready::EMPTY);
    drop(guard);

    let mut guard = afd_a.writable().await.unwrap();
    guard.clear_ready();
    assert_eq!(guard.ready(), Ready::EMPTY);
}
