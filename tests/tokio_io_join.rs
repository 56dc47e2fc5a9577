#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_join.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`. Adapted (as every port here): edgeio's I/O traits are
//! `futures-io`'s, so `R` reads into a `&mut [u8]` rather than a `ReadBuf`,
//! `W`'s `poll_shutdown` is `poll_close`, and the test calls `close` where
//! tokio's calls `shutdown`. `futures-io` has no `is_write_vectored`, so
//! that one assertion is left out.

use edgeio::io::{join, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, Join};

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

#[path = "support/tokio_test.rs"]
mod tokio_test;

struct R;

impl AsyncRead for R {
    // Adapted: futures-io's `poll_read` fills a slice and returns the count.
    fn poll_read(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        buf[0] = b'z';
        Poll::Ready(Ok(1))
    }
}

struct W;

impl AsyncWrite for W {
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

    // Adapted: futures-io's name for `poll_shutdown`.
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
}

#[test]
fn is_send_and_sync() {
    fn assert_bound<T: Send + Sync>() {}

    assert_bound::<Join<W, R>>();
}

#[test]
fn method_delegation() {
    let mut rw = join(R, W);
    let mut buf = [0; 1];

    tokio_test::block_on(async move {
        assert_eq!(1, rw.read(&mut buf).await.unwrap());
        assert_eq!(b'z', buf[0]);

        assert_eq!(1, rw.write(b"x").await.unwrap());
        assert_eq!(2, rw.write_vectored(&[io::IoSlice::new(b"x")]).await.unwrap());

        assert!(rw.flush().await.is_ok());
        // Adapted: futures-util's name for `shutdown`.
        assert!(rw.close().await.is_ok());
    });
}
