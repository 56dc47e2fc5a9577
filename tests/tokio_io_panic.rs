#![warn(rust_2018_idioms)]
#![cfg(panic = "unwind")]
//! tokio's `tokio/tests/io_panic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! edgeio's I/O traits are futures-io's, so `RW` implements those (a read
//! into `&mut [u8]` instead of a `ReadBuf`, `poll_close` for
//! `poll_shutdown`). tokio's `support/panic.rs` is `test_panic` in
//! `support/tokio_test.rs`.
//!
//! Left out: `read_buf_initialize_unfilled_to_panic_caller`,
//! `read_buf_advance_panic_caller`, `read_buf_set_filled_panic_caller` and
//! `read_buf_put_slice_panic_caller`: they test the panics of tokio's
//! `ReadBuf`, which is tokio's code (edgeio's reads take `&mut [u8]`).
//!
//! The `async_fd_*_panic_caller` tests check that `AsyncFd` made on a
//! runtime built without `enable_io` panics at the caller's line. edgeio's
//! I/O is always on (`enable_io` does nothing, docs/TOKIO-PORTING.md), so,
//! as in `tokio_net_panic.rs`, they are adapted to check that no panic
//! happens.

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::io::{self, split, AsyncRead, AsyncWrite};
use std::task::{Context, Poll};
use std::{error::Error, pin::Pin};

use tokio_test::test_panic;

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
}

#[cfg(unix)]
mod unix {
    use std::os::unix::prelude::{AsRawFd, RawFd};

    pub struct MockFd;

    impl AsRawFd for MockFd {
        fn as_raw_fd(&self) -> RawFd {
            0
        }
    }
}

#[test]
fn unsplit_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let panic_location_file = test_panic(|| {
        let (r1, _w1) = split(RW);
        let (_r2, w2) = split(RW);
        r1.unsplit(w2);
    });

    // The panic location should be in this file
    assert_eq!(&panic_location_file.unwrap(), file!());

    Ok(())
}

#[test]
#[cfg(unix)]
fn async_fd_new_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::io::unix::AsyncFd;
    use edgeio::runtime::Builder;

    let panic_location_file = test_panic(|| {
        // Runtime without `enable_io` so it has no IO driver set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let fd = unix::MockFd;

            let _ = AsyncFd::new(fd);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and `new` does
    // not panic (it returns a `Result`), where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
fn async_fd_with_interest_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::io::unix::AsyncFd;
    use edgeio::io::Interest;
    use edgeio::runtime::Builder;

    let panic_location_file = test_panic(|| {
        // Runtime without `enable_io` so it has no IO driver set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let fd = unix::MockFd;

            let _ = AsyncFd::with_interest(fd, Interest::READABLE);
        });
    });

    // Adapted: as in `async_fd_new_panic_caller`, no panic on edgeio.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
fn async_fd_try_new_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::io::unix::AsyncFd;
    use edgeio::runtime::Builder;

    let panic_location_file = test_panic(|| {
        // Runtime without `enable_io` so it has no IO driver set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let fd = unix::MockFd;

            let _ = AsyncFd::try_new(fd);
        });
    });

    // Adapted: as in `async_fd_new_panic_caller`, no panic on edgeio.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
fn async_fd_try_with_interest_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::io::unix::AsyncFd;
    use edgeio::io::Interest;
    use edgeio::runtime::Builder;

    let panic_location_file = test_panic(|| {
        // Runtime without `enable_io` so it has no IO driver set.
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let fd = unix::MockFd;

            let _ = AsyncFd::try_with_interest(fd, Interest::READABLE);
        });
    });

    // Adapted: as in `async_fd_new_panic_caller`, no panic on edgeio.
    assert_eq!(panic_location_file, None);

    Ok(())
}
