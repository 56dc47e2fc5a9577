#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_repeat.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`.
//!
//! Left out: nothing. `AsyncReadExt` is futures-util's
//! (`edgeio::io::AsyncReadExt`).

use edgeio::io::AsyncReadExt;

#[edgeio::test]
async fn repeat_poll_read_is_cooperative() {
    edgeio::select! {
        biased;
        _ = async {
            loop {
                let mut buf = [0u8; 4096];
                edgeio::io::repeat(0b101).read_exact(&mut buf).await.unwrap();
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}
