#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_split.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! edgeio's I/O traits are futures-io's, so `RW` implements those (a read
//! into `&mut [u8]` instead of a `ReadBuf`, `poll_close` for
//! `poll_shutdown`), and the extension traits are futures-util's
//! (`shutdown()` is `close()`).
//!
//! Left out: `method_delegation`'s `is_write_vectored` assertion, which
//! futures-io's `AsyncWrite`, and so edgeio's `WriteHalf`, does not have.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::io::{split, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

struct RW;

impl AsyncRead for RW {
    // Adapted: futures-io's `poll_read` fills a `&mut [u8]` and returns the
    // count, where tokio's fills a `ReadBuf` (`buf.put_slice(b"z")`).
    fn poll_read(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        buf[..1].copy_from_slice(b"z");
        Poll::Ready(Ok(1))
    }
}

impl AsyncWrite for RW {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<Result<usize, io::Error>> {
        Poll::Ready(Ok(1))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    // Adapted: futures-io's `poll_close` is tokio's `poll_shutdown`.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _bufs: &[io::IoSlice<'_>],
    ) -> Poll<Result<usize, io::Error>> {
        Poll::Ready(Ok(2))
    }

    // Adapted: futures-io's `AsyncWrite` has no `is_write_vectored` to
    // override (tokio's `RW` returns `true`).
}

#[test]
fn is_send_and_sync() {
    let _watchdog = tokio_test::watchdog();
    fn assert_bound<T: Send + Sync>() {}

    assert_bound::<ReadHalf<RW>>();
    assert_bound::<WriteHalf<RW>>();
}

#[test]
fn split_stream_id() {
    let _watchdog = tokio_test::watchdog();
    let (r1, w1) = split(RW);
    let (r2, w2) = split(RW);
    assert!(r1.is_pair_of(&w1));
    assert!(!r1.is_pair_of(&w2));
    assert!(r2.is_pair_of(&w2));
    assert!(!r2.is_pair_of(&w1));
}

#[test]
fn unsplit_ok() {
    let _watchdog = tokio_test::watchdog();
    let (r, w) = split(RW);
    r.unsplit(w);
}

#[test]
#[should_panic]
fn unsplit_err1() {
    let _watchdog = tokio_test::watchdog();
    let (r, _) = split(RW);
    let (_, w) = split(RW);
    r.unsplit(w);
}

#[test]
#[should_panic]
fn unsplit_err2() {
    let _watchdog = tokio_test::watchdog();
    let (_, w) = split(RW);
    let (r, _) = split(RW);
    r.unsplit(w);
}

#[test]
fn method_delegation() {
    let _watchdog = tokio_test::watchdog();
    let (mut r, mut w) = split(RW);
    let mut buf = [0; 1];

    tokio_test::block_on(async move {
        assert_eq!(1, r.read(&mut buf).await.unwrap());
        assert_eq!(b'z', buf[0]);

        assert_eq!(1, w.write(b"x").await.unwrap());
        assert_eq!(2, w.write_vectored(&[io::IoSlice::new(b"x")]).await.unwrap());
        // Adapted: futures-io's `AsyncWrite` has no `is_write_vectored`, so
        // tokio's `assert!(w.is_write_vectored())` has nothing to ask.

        assert!(w.flush().await.is_ok());
        // Adapted: futures-io's `close` is tokio's `shutdown`.
        assert!(w.close().await.is_ok());
    });
}
