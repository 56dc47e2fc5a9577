#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_util_empty.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing. The extension traits are futures-util's
//! (`edgeio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt}`).

use edgeio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt};

#[edgeio::test]
async fn empty_read_is_cooperative() {
    edgeio::select! {
        biased;

        _ = async {
            loop {
                let mut buf = [0u8; 4096];
                let _ = edgeio::io::empty().read(&mut buf).await;
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}

#[edgeio::test]
async fn empty_buf_reads_are_cooperative() {
    edgeio::select! {
        biased;

        _ = async {
            loop {
                let mut buf = String::new();
                let _ = edgeio::io::empty().read_line(&mut buf).await;
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}

#[edgeio::test]
async fn empty_seek() {
    use std::io::SeekFrom;

    let mut empty = edgeio::io::empty();

    assert!(matches!(empty.seek(SeekFrom::Start(0)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Start(1)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Start(u64::MAX)).await, Ok(0)));

    assert!(matches!(empty.seek(SeekFrom::End(i64::MIN)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::End(-1)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::End(0)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::End(1)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::End(i64::MAX)).await, Ok(0)));

    assert!(matches!(empty.seek(SeekFrom::Current(i64::MIN)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Current(-1)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Current(0)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Current(1)).await, Ok(0)));
    assert!(matches!(empty.seek(SeekFrom::Current(i64::MAX)).await, Ok(0)));
}
