#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/io_sink.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! Left out: nothing. `AsyncWriteExt` is futures-util's
//! (`edgeio::io::AsyncWriteExt`), so tokio's `shutdown()` is `close()`.

use edgeio::io::AsyncWriteExt;

#[edgeio::test]
async fn sink_poll_write_is_cooperative() {
    edgeio::select! {
        biased;
        _ = async {
            loop {
                let buf = vec![1, 2, 3];
                edgeio::io::sink().write_all(&buf).await.unwrap();
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}

#[edgeio::test]
async fn sink_poll_flush_is_cooperative() {
    edgeio::select! {
        biased;
        _ = async {
            loop {
                edgeio::io::sink().flush().await.unwrap();
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}

#[edgeio::test]
async fn sink_poll_shutdown_is_cooperative() {
    edgeio::select! {
        biased;
        _ = async {
            loop {
                // Adapted: futures-io's `close` is tokio's `shutdown`.
                edgeio::io::sink().close().await.unwrap();
            }
        } => {},
        _ = edgeio::task::yield_now() => {}
    }
}
