#![warn(rust_2018_idioms)]
#![allow(clippy::io_other_error)] // tokio's tests, as written
//! tokio's `tokio/tests/io_copy_bidirectional.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing. The I/O extension traits are futures-util's
//! (`edgeio::io::{AsyncReadExt, AsyncWriteExt}`), so tokio's
//! `AsyncWriteExt::shutdown` is `AsyncWriteExt::close`. tokio-test's
//! `io::Builder` mock is the `mock` module below (the same script
//! semantics, on futures-io's traits).

use edgeio::io::{self, copy_bidirectional, AsyncReadExt, AsyncWriteExt};
use edgeio::net::TcpStream;
use edgeio::task::JoinHandle;
use std::time::Duration;

async fn make_socketpair() -> (TcpStream, TcpStream) {
    // Adapted: edgeio's `TcpListener::bind` is synchronous (no `.await`).
    let listener = edgeio::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connector = TcpStream::connect(addr);
    let acceptor = listener.accept();

    let (c1, c2) = edgeio::join!(connector, acceptor);

    (c1.unwrap(), c2.unwrap().0)
}

async fn block_write(s: &mut TcpStream) -> usize {
    static BUF: [u8; 2048] = [0; 2048];

    let mut copied = 0;
    loop {
        edgeio::select! {
            result = s.write(&BUF) => {
                copied += result.expect("write error")
            },
            _ = edgeio::time::sleep(Duration::from_millis(10)) => {
                break;
            }
        }
    }

    copied
}

async fn symmetric<F, Fut>(mut cb: F)
where
    F: FnMut(JoinHandle<io::Result<(u64, u64)>>, TcpStream, TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // We run the test twice, with streams passed to copy_bidirectional in
    // different orders, in order to ensure that the two arguments are
    // interchangeable.

    let (a, mut a1) = make_socketpair().await;
    let (b, mut b1) = make_socketpair().await;

    let handle = edgeio::spawn(async move { copy_bidirectional(&mut a1, &mut b1).await });
    cb(handle, a, b).await;

    let (a, mut a1) = make_socketpair().await;
    let (b, mut b1) = make_socketpair().await;

    let handle = edgeio::spawn(async move { copy_bidirectional(&mut b1, &mut a1).await });

    cb(handle, b, a).await;
}

#[edgeio::test]
async fn test_basic_transfer() {
    symmetric(|_handle, mut a, mut b| async move {
        a.write_all(b"test").await.unwrap();
        let mut tmp = [0; 4];
        b.read_exact(&mut tmp).await.unwrap();
        assert_eq!(&tmp[..], b"test");
    })
    .await
}

#[edgeio::test]
async fn test_transfer_after_close() {
    symmetric(|handle, mut a, mut b| async move {
        // Adapted: futures-io's `close` is tokio's `shutdown`.
        AsyncWriteExt::close(&mut a).await.unwrap();
        b.read_to_end(&mut Vec::new()).await.unwrap();

        b.write_all(b"quux").await.unwrap();
        let mut tmp = [0; 4];
        a.read_exact(&mut tmp).await.unwrap();
        assert_eq!(&tmp[..], b"quux");

        // Once both are closed, we should have our handle back
        drop(b);

        assert_eq!(handle.await.unwrap().unwrap(), (0, 4));
    })
    .await
}

#[edgeio::test]
async fn blocking_one_side_does_not_block_other() {
    symmetric(|handle, mut a, mut b| async move {
        block_write(&mut a).await;

        b.write_all(b"quux").await.unwrap();
        let mut tmp = [0; 4];
        a.read_exact(&mut tmp).await.unwrap();
        assert_eq!(&tmp[..], b"quux");

        // Adapted: futures-io's `close` is tokio's `shutdown`.
        AsyncWriteExt::close(&mut a).await.unwrap();

        let mut buf = Vec::new();
        b.read_to_end(&mut buf).await.unwrap();

        drop(b);

        assert_eq!(handle.await.unwrap().unwrap(), (buf.len() as u64, 4));
    })
    .await
}

#[edgeio::test]
async fn immediate_exit_on_write_error() {
    let payload = b"here, take this";
    let error = || io::Error::new(io::ErrorKind::Other, "no thanks!");

    // Adapted: tokio-test's `io::Builder` is `mock::Builder` below.
    let mut a = mock::Builder::new().read(payload).write_error(error()).build();

    let mut b = mock::Builder::new().read(payload).write_error(error()).build();

    assert!(copy_bidirectional(&mut a, &mut b).await.is_err());
}

#[edgeio::test]
async fn immediate_exit_on_read_error() {
    let error = || io::Error::new(io::ErrorKind::Other, "got nothing!");

    // Adapted: tokio-test's `io::Builder` is `mock::Builder` below.
    let mut a = mock::Builder::new().read_error(error()).build();

    let mut b = mock::Builder::new().read_error(error()).build();

    assert!(copy_bidirectional(&mut a, &mut b).await.is_err());
}

#[edgeio::test]
async fn copy_bidirectional_is_cooperative() {
    edgeio::select! {
        biased;
        _ = async {
            loop {
                let payload = b"here, take this";

                // Adapted: tokio-test's `io::Builder` is `mock::Builder` below.
                let mut a = mock::Builder::new()
                    .read(payload)
                    .write(payload)
                    .build();

                let mut b = mock::Builder::new()
                    .read(payload)
                    .write(payload)
                    .build();

                let _ = copy_bidirectional(&mut a, &mut b).await;
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}

/// Adapted: the part of tokio-test's `io` module (`tokio-test/src/io.rs`)
/// these tests use, on futures-io's traits: a stream that follows a script
/// of reads and writes. Its logic is tokio-test's, without `wait` actions
/// and the `Handle` (`build` drops tokio-test's handle, so its channel is
/// always closed: where tokio-test polls it, this takes `None`).
mod mock {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};
    use std::{cmp, io};

    use edgeio::io::{AsyncRead, AsyncWrite};

    enum Action {
        Read(Vec<u8>),
        Write(Vec<u8>),
        ReadError(Option<io::Error>),
        WriteError(Option<io::Error>),
    }

    /// tokio-test's `Builder` (not `Clone` here: `build` takes its script).
    #[derive(Default)]
    pub struct Builder {
        actions: VecDeque<Action>,
    }

    impl Builder {
        pub fn new() -> Self {
            Self::default()
        }

        pub fn read(&mut self, buf: &[u8]) -> &mut Self {
            self.actions.push_back(Action::Read(buf.into()));
            self
        }

        pub fn read_error(&mut self, error: io::Error) -> &mut Self {
            self.actions.push_back(Action::ReadError(Some(error)));
            self
        }

        pub fn write(&mut self, buf: &[u8]) -> &mut Self {
            self.actions.push_back(Action::Write(buf.into()));
            self
        }

        pub fn write_error(&mut self, error: io::Error) -> &mut Self {
            self.actions.push_back(Action::WriteError(Some(error)));
            self
        }

        pub fn build(&mut self) -> Mock {
            Mock {
                actions: std::mem::take(&mut self.actions),
                read_wait: None,
            }
        }
    }

    pub struct Mock {
        actions: VecDeque<Action>,
        read_wait: Option<Waker>,
    }

    impl Mock {
        /// The current action, after dropping the ones used up.
        fn action(&mut self) -> Option<&mut Action> {
            loop {
                match self.actions.front()? {
                    Action::Read(data) | Action::Write(data) if !data.is_empty() => break,
                    Action::ReadError(Some(_)) | Action::WriteError(Some(_)) => break,
                    _ => {}
                }
                self.actions.pop_front();
            }
            self.actions.front_mut()
        }

        /// `Ok(None)`: expecting something else than a read.
        fn read(&mut self, dst: &mut [u8]) -> io::Result<Option<usize>> {
            match self.action() {
                Some(Action::Read(data)) => {
                    let n = cmp::min(dst.len(), data.len());
                    dst[..n].copy_from_slice(&data[..n]);
                    data.drain(..n);
                    Ok(Some(n))
                }
                Some(Action::ReadError(err)) => Err(err.take().expect("taken once")),
                Some(_) => Ok(None),
                None => Ok(Some(0)),
            }
        }

        fn write(&mut self, mut src: &[u8]) -> io::Result<usize> {
            let mut ret = 0;
            if self.actions.is_empty() {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if let Some(Action::WriteError(err)) = self.action() {
                return Err(err.take().expect("taken once"));
            }
            for (i, action) in self.actions.iter_mut().enumerate() {
                match action {
                    Action::Write(expect) => {
                        let n = cmp::min(src.len(), expect.len());
                        assert_eq!(&src[..n], &expect[..n], "i={i}");
                        expect.drain(..n);
                        src = &src[n..];
                        ret += n;
                        if src.is_empty() {
                            return Ok(ret);
                        }
                    }
                    Action::WriteError(..) => break,
                    _ => {}
                }
            }
            Ok(ret)
        }

        fn maybe_wakeup_reader(&mut self) {
            if let Some(Action::Read(_)) | Some(Action::ReadError(_)) | None = self.action() {
                if let Some(waker) = self.read_wait.take() {
                    waker.wake();
                }
            }
        }
    }

    impl AsyncRead for Mock {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            match self.read(buf) {
                Ok(Some(n)) => Poll::Ready(Ok(n)),
                Ok(None) => {
                    self.read_wait = Some(cx.waker().clone());
                    Poll::Pending
                }
                Err(e) => Poll::Ready(Err(e)),
            }
        }
    }

    impl AsyncWrite for Mock {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            if self.actions.is_empty() {
                panic!("unexpected write ({} actions remain)", self.actions.len());
            }
            match self.write(buf) {
                Ok(0) => {
                    if !self.actions.is_empty() {
                        return Poll::Pending;
                    }
                    panic!("unexpected write ({} actions remain)", self.actions.len());
                }
                ret => {
                    self.maybe_wakeup_reader();
                    Poll::Ready(ret)
                }
            }
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Ensures that Mock isn't dropped with data "inside".
    impl Drop for Mock {
        fn drop(&mut self) {
            if std::thread::panicking() {
                return;
            }
            for action in &self.actions {
                match action {
                    Action::Read(data) => assert!(data.is_empty(), "There is still data left to read."),
                    Action::Write(data) => assert!(data.is_empty(), "There is still data left to write."),
                    _ => (),
                }
            }
        }
    }
}
