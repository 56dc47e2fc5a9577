//! TCP, UDP and Unix sockets driven by the edgeio reactor.
//!
//! Every type here wraps a non-blocking, close-on-exec socket in an
//! [`Async`], which registers its fd with the runtime's epoll instance
//! exactly once, edge-triggered, for both directions.
//!
//! # Edge-triggered draining
//!
//! An edge-triggered epoll reports a *change* ("data arrived"), not a
//! level ("data is available"). After an edge, nothing more is reported
//! until the fd is drained and becomes ready again; a reader that stopped
//! early would wait forever for data already in the socket buffer. So
//! operations here never wait first: they attempt the syscall, and only
//! when it reports `EAGAIN` do they mark the direction not-ready and wait
//! for the next edge. A task reading 4 KiB at a time out of a 512 KiB
//! burst simply keeps succeeding until the buffer is empty, and a listener
//! keeps accepting until the queue is. One shortcut: a TCP read (or write)
//! that transfers less than asked proves the receive queue empty (or the
//! send buffer full), so it marks the direction not-ready at once and
//! spares the syscall that would only report `EAGAIN`. Readiness is
//! tracked per direction, so one task can read while another writes the
//! same socket.
//!
//! Several tasks may wait on one socket in the same direction (accept
//! loops sharing a listener, receivers sharing a UDP socket): an edge wakes
//! every waiter, and those that find the socket drained wait again.
//!
//! All operations return `io::Error`s (including "no runtime": every
//! constructor must run inside an edgeio runtime); none panics.
//!
//! ```
//! # edgeio_runtime::Runtime::new().unwrap().block_on(async {
//! use edgeio_net::{AsyncTcpListener, AsyncTcpStream};
//! use futures_util::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = edgeio_runtime::spawn(async move {
//!     let (mut stream, _) = listener.accept().await?;
//!     let mut buf = [0; 1024];
//!     loop {
//!         let n = stream.read(&mut buf).await?;
//!         if n == 0 {
//!             return std::io::Result::Ok(());
//!         }
//!         stream.write_all(&buf[..n]).await?;
//!     }
//! });
//!
//! let mut client = AsyncTcpStream::connect(addr).await?;
//! client.write_all(b"echo me").await?;
//! let mut reply = [0; 7];
//! client.read_exact(&mut reply).await?;
//! assert_eq!(&reply, b"echo me");
//! drop(client);
//! server.await.unwrap()?;
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

//! # Porting from tokio
//!
//! tokio's names are here too: [`TcpListener`], [`TcpStream`],
//! [`UdpSocket`], [`UnixListener`], [`UnixStream`] and [`UnixDatagram`]
//! are the `Async*` types under another name (the same types, not
//! wrappers), beside [`TcpSocket`], [`UnixSocket`], [`lookup_host`], [`Interest`],
//! [`Ready`] and the pipes of [`unix::pipe`]. Where the two differ:
//!
//! - Streams implement `futures-io`'s `AsyncRead`/`AsyncWrite` (use
//!   `futures_util::io::{AsyncReadExt, AsyncWriteExt}`), not tokio's
//!   traits.
//! - `TcpListener::bind` and `UdpSocket::bind`, and UDP's `connect`, are
//!   synchronous, like `std`'s (no `.await`), and take
//!   `std::net::ToSocketAddrs`: a host *name* there is resolved on the
//!   calling thread, so bind an IP literal (servers usually do). The
//!   asynchronous `connect`, `send_to` and [`lookup_host`] resolve names on
//!   the blocking pool.
//! - `poll_recv`-style functions take `&mut [u8]`, not tokio's `ReadBuf`;
//!   the `*_buf` methods take any `bytes::BufMut`, as tokio's do.
//! - A stream's `split` takes it by value and returns `'static` halves
//!   that [`ReadHalf::reunite`] puts back together (tokio's borrows the
//!   stream): for tokio's borrowed halves use `&stream` twice, since
//!   `&TcpStream` reads and writes. `into_split` is tokio's: dropping its
//!   write half shuts down the writing direction; its halves have tokio's
//!   names in [`tcp`] and [`unix`] (`OwnedReadHalf`, `OwnedWriteHalf`).
//! - Unix sockets also pass file descriptors (`send_with_fds` /
//!   `recv_with_fds`), which tokio leaves to other crates.
//! - [`Async`] also has async-io's constructors for the `std` socket
//!   types (`Async::<TcpListener>::bind`, `Async::<TcpStream>::connect`,
//!   ...), for code ported from async-io or smol.

#![warn(missing_docs, missing_debug_implementations)]

#[macro_use]
mod macros;

mod accept_backoff;
mod async_fd;
mod async_sockets;
mod fd_passing;
mod io_safe;
mod peer_retry;
mod read_buf;
mod resolve;
mod split;
mod tcp_listener;
mod tcp_socket;
mod tcp_stream;
mod to_socket_addrs;
#[cfg(feature = "tokio-io")]
mod tokio_io;

/// What the hidden `__tokio_*` macros name, so that the `edgeio` crate
/// gives its own I/O types tokio's traits the same way (feature
/// `tokio-io`). Not a public API.
#[cfg(feature = "tokio-io")]
#[doc(hidden)]
pub mod __tokio_io {
    pub use crate::tokio_io::poll_read;
    pub use futures_io::{AsyncBufRead as FuturesBufRead, AsyncWrite as FuturesWrite};
    pub use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};
}
mod udp;
mod unix_addr;
mod unix_datagram;
mod unix_listener;
mod unix_pipe;
mod unix_socket;
mod unix_stream;

pub use async_fd::Async;
pub use edgeio_runtime::{Interest, Ready};
pub use io_safe::IoSafe;
pub use split::{ReadHalf, ReuniteError, WriteHalf};
pub use tcp_listener::{AsyncTcpListener, Incoming};
pub use tcp_socket::TcpSocket;
pub use tcp_stream::AsyncTcpStream;
pub use to_socket_addrs::{lookup_host, ToSocketAddrs};
pub use udp::AsyncUdpSocket;
pub use unix_datagram::AsyncUnixDatagram;
pub use unix_listener::AsyncUnixListener;
pub use unix_socket::UnixSocket;
pub use unix_stream::{AsyncUnixStream, UCred};

// tokio's names, so that `use tokio::net::TcpListener` ports by renaming
// the crate; see "Porting from tokio" in the crate docs.
pub use tcp_listener::AsyncTcpListener as TcpListener;
pub use tcp_stream::AsyncTcpStream as TcpStream;
pub use udp::AsyncUdpSocket as UdpSocket;
pub use unix_datagram::AsyncUnixDatagram as UnixDatagram;
pub use unix_listener::AsyncUnixListener as UnixListener;
pub use unix_stream::AsyncUnixStream as UnixStream;

/// tokio's `tokio::net::tcp`: the names of a TCP stream's owned halves, so
/// that code naming them (a map of writers, say) ports by renaming the
/// crate.
pub mod tcp {
    /// The reading half from [`TcpStream::into_split`](crate::TcpStream::into_split).
    pub type OwnedReadHalf = crate::ReadHalf<crate::TcpStream>;
    /// The writing half from [`TcpStream::into_split`](crate::TcpStream::into_split);
    /// dropping it shuts down the writing direction.
    pub type OwnedWriteHalf = crate::WriteHalf<crate::TcpStream>;
    /// The halves of two different streams, given back by `reunite`.
    pub type ReuniteError = crate::ReuniteError<crate::TcpStream>;
}

/// tokio's `tokio::net::unix`: the names of a Unix stream's owned halves,
/// and of its address and credential types, so that code naming them ports
/// by renaming the crate.
pub mod unix {
    pub use crate::unix_stream::UCred;
    /// A Unix socket's address: `std`'s, which has tokio's `is_unnamed`
    /// and `as_pathname` (and, on Linux, abstract names).
    pub use std::os::unix::net::SocketAddr;

    /// The reading half from [`UnixStream::into_split`](crate::UnixStream::into_split).
    pub type OwnedReadHalf = crate::ReadHalf<crate::UnixStream>;
    /// The writing half from [`UnixStream::into_split`](crate::UnixStream::into_split);
    /// dropping it shuts down the writing direction.
    pub type OwnedWriteHalf = crate::WriteHalf<crate::UnixStream>;
    /// The halves of two different streams, given back by `reunite`.
    pub type ReuniteError = crate::ReuniteError<crate::UnixStream>;

    /// Anonymous pipes and FIFOs (named pipes), tokio's
    /// `tokio::net::unix::pipe`: [`pipe()`](pipe::pipe) makes a pair of
    /// ends, [`OpenOptions`](pipe::OpenOptions) opens a FIFO's, and
    /// [`Sender`](pipe::Sender) and [`Receiver`](pipe::Receiver) implement
    /// `futures-io`'s `AsyncWrite` and `AsyncRead`, beside tokio's
    /// readiness and `try_` methods.
    ///
    /// ```
    /// # edgeio_runtime::Runtime::new().unwrap().block_on(async {
    /// use edgeio_net::unix::pipe;
    /// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let (mut tx, mut rx) = pipe::pipe()?;
    /// tx.write_all(b"through the pipe").await?;
    /// drop(tx);
    /// let mut text = String::new();
    /// rx.read_to_string(&mut text).await?;
    /// assert_eq!(text, "through the pipe");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub mod pipe {
        pub use crate::unix_pipe::{pipe, OpenOptions, Receiver, Sender};
    }
}
