//! tokio's `AsyncRead`, `AsyncWrite` and `AsyncBufRead` for edgeio's own
//! I/O types (feature `tokio-io`), as `edgeio::net` gives them to the
//! sockets: so `tokio_util::io::ReaderStream::new(File)`, a codec on a
//! child's stdout or a `duplex` pipe, and other code written against
//! tokio's traits take these types as they are.
//!
//! Every impl forwards to the type's `futures-io` impl (see
//! `edgeio_net`'s `tokio_io.rs` for how a `ReadBuf` is filled), so the
//! two sets of traits always agree. Not covered: tokio's `AsyncSeek` on
//! [`File`](crate::fs::File) (tokio's two-step seek has no `futures-io`
//! counterpart to forward to: seek with `edgeio::io::AsyncSeekExt`), and
//! `edgeio::io::{BufReader, BufWriter}`, which are `futures-util`'s types
//! (use tokio's own `BufReader`/`BufWriter` on top of these).

use crate::fs::File;
use crate::io::{
    BufStream, DuplexStream, Empty, Join, ReadHalf, Repeat, SimplexStream, Sink, Stderr, Stdin, Stdout,
    WriteHalf,
};
use crate::process::{ChildStderr, ChildStdin, ChildStdout};

edgeio_net::__tokio_read! {
    impl for File;
    impl for ChildStdout;
    impl for ChildStderr;
    impl for Stdin;
    impl for DuplexStream;
    impl for SimplexStream;
    impl for Empty;
    impl for Repeat;
    impl[T] for ReadHalf<T> where [ReadHalf<T>: futures_io::AsyncRead];
    impl[RW] for BufStream<RW> where [BufStream<RW>: futures_io::AsyncRead];
    impl[R, W] for Join<R, W> where [Join<R, W>: futures_io::AsyncRead];
}

edgeio_net::__tokio_buf_read! {
    impl for Empty;
    impl[RW] for BufStream<RW> where [BufStream<RW>: futures_io::AsyncBufRead];
    impl[R, W] for Join<R, W> where [Join<R, W>: futures_io::AsyncBufRead];
}

edgeio_net::__tokio_write! {
    impl for File;
    impl for ChildStdin, vectored = true;
    impl for Stdout;
    impl for Stderr;
    impl for DuplexStream, vectored = true;
    impl for SimplexStream, vectored = true;
    impl for Empty;
    impl for Sink;
    impl[T] for WriteHalf<T> where [WriteHalf<T>: futures_io::AsyncWrite];
    impl[RW] for BufStream<RW> where [BufStream<RW>: futures_io::AsyncWrite];
    impl[R, W] for Join<R, W> where [Join<R, W>: futures_io::AsyncWrite];
}
