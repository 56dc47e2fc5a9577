//! Aborting a task drops its future, which deregisters and closes its
//! sockets; the registry count shows it. One test in its own binary so fd
//! numbers are not reused by tests running in parallel.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use edgeio::net::{AsyncTcpListener, AsyncTcpStream};
use edgeio::time::sleep;
use futures_util::io::AsyncReadExt;

fn fd_is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only queries the descriptor table; no memory involved.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

#[edgeio::test(worker_threads = 2, timeout_secs = 30)]
async fn aborted_task_frees_its_registry_slot_and_fd() {
    let handle = edgeio::Handle::current();
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let baseline = handle.metrics().registered_fds;

    let client = AsyncTcpStream::connect(addr).await.unwrap();
    let (_server, _) = listener.accept().await.unwrap();
    let fd = client.as_raw_fd();
    assert_eq!(handle.metrics().registered_fds, baseline + 2);

    // The task parks on a read that never completes.
    let reader = edgeio::spawn(async move {
        let mut client = client;
        let mut buf = [0u8; 16];
        client.read(&mut buf).await
    });
    sleep(Duration::from_millis(20)).await;
    assert!(!reader.is_finished());

    reader.abort();
    assert!(reader.await.unwrap_err().is_cancelled());
    let deadline = Instant::now() + Duration::from_secs(5);
    while handle.metrics().registered_fds != baseline + 1 || fd_is_open(fd) {
        assert!(Instant::now() < deadline, "aborted task kept its socket");
        sleep(Duration::from_millis(5)).await;
    }
}
