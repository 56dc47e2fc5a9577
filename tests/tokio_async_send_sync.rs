#![warn(rust_2018_idioms)]
#![allow(clippy::type_complexity, clippy::diverging_sub_expression)]
//! tokio's `tokio/tests/async_send_sync.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`. Compile-time checks only, as tokio's (no `#[test]`):
//! each assertion is a `const` that compiles only if the type, or the future
//! the async fn returns, is (or is NOT) `Send`, `Sync` and `Unpin` as tokio's
//! is. (`UnwindSafe` is tokio's `unwindsafe.rs`: `tests/tokio_unwindsafe.rs`.)
//! `edgeio::net::TcpStream` and the other socket names are aliases of the
//! `Async*` types, so the assertions hold for both names.
//!
//! Every assertion on a type edgeio has is kept as tokio wrote it; those
//! that fail are each behind `#[cfg(any())]` with a `// MISMATCH:` comment:
//!
//! - `Sleep`, `Timeout`, the futures of `sleep`/`timeout`(`_at`)/
//!   `sleep_until`, of `io::copy_buf` and of the `Async*Ext` methods
//!   are `Unpin` (tokio: `!Unpin`); each has an `Adapted:` twin asserting
//!   edgeio's `Unpin`, so that their `Send`/`Sync` stay checked.
//! - `TcpListener::bind`, `UdpSocket::bind`, `UdpSocket::connect` are
//!   synchronous (documented): no future.
//!
//! Left out, missing in edgeio (API gaps):
//!
//! - net: `tcp::ReadHalf<'_>`, `tcp::WriteHalf<'_>`, `tcp::ReadHalf::peek`,
//!   `unix::ReadHalf<'_>`, `unix::WriteHalf<'_>` (tokio's borrowed halves;
//!   edgeio's `split` takes the stream and gives owned halves, documented).
//! - sync: `mpsc::error::SendTimeoutError`, `mpsc::Sender::send_timeout`
//!   (tokio's `time` feature is off, documented).
//! - time: `time::error::Error`.
//! - io: the types `ReadBuf` and `Split`, `Lines::next_line` and
//!   `Split::next_segment`; `AsyncReadExt::read_buf` and the 28
//!   `read_u8`..`read_f64_le`; `AsyncWriteExt::write_buf`, `write_all_buf`,
//!   `shutdown` (futures-util's is `close`) and the 28
//!   `write_u8`..`write_f64_le` (edgeio's `Async*Ext` are futures-util's).
//!
//! Left out, not applicable: the `windows_named_pipe` and `windows_signal`
//! modules (Windows, 18 assertions), the hand-written check of
//! `tokio::macros::support::poll_fn` (tokio-internal: edgeio's `select!` and
//! `join!` are tokio's macros, on tokio's own `poll_fn`), and
//! `#![cfg(feature = "full")]`.

use edgeio::net::TcpStream;
use edgeio::time::{Duration, Instant};
use std::cell::Cell;
use std::future::Future;
use std::io::SeekFrom;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;

// The names of these structs behaves better when sorted.
// Send: Yes, Sync: Yes
#[derive(Clone)]
#[allow(unused)]
struct YY {}

// Send: Yes, Sync: No
#[derive(Clone)]
#[allow(unused)]
struct YN {
    _value: Cell<u8>,
}

// Send: No, Sync: No
#[derive(Clone)]
#[allow(unused)]
struct NN {
    _value: Rc<u8>,
}

#[allow(dead_code)]
type BoxFutureSync<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + Sync>>;
#[allow(dead_code)]
type BoxFutureSend<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
#[allow(dead_code)]
type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

#[allow(dead_code)]
type BoxAsyncRead = std::pin::Pin<Box<dyn edgeio::io::AsyncBufRead + Send + Sync>>;
#[allow(dead_code)]
type BoxAsyncSeek = std::pin::Pin<Box<dyn edgeio::io::AsyncSeek + Send + Sync>>;
#[allow(dead_code)]
type BoxAsyncWrite = std::pin::Pin<Box<dyn edgeio::io::AsyncWrite + Send + Sync>>;

#[allow(dead_code)]
fn require_send<T: Send>(_t: &T) {}
#[allow(dead_code)]
fn require_sync<T: Sync>(_t: &T) {}
#[allow(dead_code)]
fn require_unpin<T: Unpin>(_t: &T) {}

#[allow(dead_code)]
struct Invalid;

#[allow(unused)]
trait AmbiguousIfSend<A> {
    fn some_item(&self) {}
}
impl<T: ?Sized> AmbiguousIfSend<()> for T {}
impl<T: ?Sized + Send> AmbiguousIfSend<Invalid> for T {}

#[allow(unused)]
trait AmbiguousIfSync<A> {
    fn some_item(&self) {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
impl<T: ?Sized + Sync> AmbiguousIfSync<Invalid> for T {}

#[allow(unused)]
trait AmbiguousIfUnpin<A> {
    fn some_item(&self) {}
}
impl<T: ?Sized> AmbiguousIfUnpin<()> for T {}
impl<T: ?Sized + Unpin> AmbiguousIfUnpin<Invalid> for T {}

macro_rules! into_todo {
    ($typ:ty) => {{
        let x: $typ = todo!();
        x
    }};
}

macro_rules! async_assert_fn_send {
    (Send & $(!)?Sync & $(!)?Unpin, $value:expr) => {
        require_send(&$value);
    };
    (!Send & $(!)?Sync & $(!)?Unpin, $value:expr) => {
        AmbiguousIfSend::some_item(&$value);
    };
}
macro_rules! async_assert_fn_sync {
    ($(!)?Send & Sync & $(!)?Unpin, $value:expr) => {
        require_sync(&$value);
    };
    ($(!)?Send & !Sync & $(!)?Unpin, $value:expr) => {
        AmbiguousIfSync::some_item(&$value);
    };
}
macro_rules! async_assert_fn_unpin {
    ($(!)?Send & $(!)?Sync & Unpin, $value:expr) => {
        require_unpin(&$value);
    };
    ($(!)?Send & $(!)?Sync & !Unpin, $value:expr) => {
        AmbiguousIfUnpin::some_item(&$value);
    };
}

macro_rules! async_assert_fn {
    ($($f:ident $(< $($generic:ty),* > )? )::+($($arg:ty),*): $($tok:tt)*) => {
        #[allow(unreachable_code)]
        #[allow(unused_variables)]
        const _: fn() = || {
            let f = $($f $(::<$($generic),*>)? )::+( $( into_todo!($arg) ),* );
            async_assert_fn_send!($($tok)*, f);
            async_assert_fn_sync!($($tok)*, f);
            async_assert_fn_unpin!($($tok)*, f);
        };
    };
}
macro_rules! assert_value {
    ($type:ty: $($tok:tt)*) => {
        #[allow(unreachable_code)]
        #[allow(unused_variables)]
        const _: fn() = || {
            let f: $type = todo!();
            async_assert_fn_send!($($tok)*, f);
            async_assert_fn_sync!($($tok)*, f);
            async_assert_fn_unpin!($($tok)*, f);
        };
    };
}

macro_rules! cfg_not_wasi {
    ($($item:item)*) => {
        $(
            #[cfg(not(target_os = "wasi"))]
            $item
        )*
    }
}

cfg_not_wasi! {
    mod fs {
        use super::*;
        assert_value!(edgeio::fs::DirBuilder: Send & Sync & Unpin);
        assert_value!(edgeio::fs::DirEntry: Send & Sync & Unpin);
        assert_value!(edgeio::fs::File: Send & Sync & Unpin);
        assert_value!(edgeio::fs::OpenOptions: Send & Sync & Unpin);
        assert_value!(edgeio::fs::ReadDir: Send & Sync & Unpin);

        async_assert_fn!(edgeio::fs::canonicalize(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::copy(&str, &str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::create_dir(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::create_dir_all(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::hard_link(&str, &str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::metadata(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::read(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::read_dir(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::read_link(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::read_to_string(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::remove_dir(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::remove_dir_all(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::remove_file(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::rename(&str, &str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::set_permissions(&str, std::fs::Permissions): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::symlink_metadata(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::write(&str, Vec<u8>): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::ReadDir::next_entry(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::OpenOptions::open(_, &str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::DirBuilder::create(_, &str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::DirEntry::metadata(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::DirEntry::file_type(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::open(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::create(&str): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::sync_all(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::sync_data(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::set_len(_, u64): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::metadata(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::try_clone(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::fs::File::into_std(_): Send & Sync & !Unpin);
        async_assert_fn!(
            edgeio::fs::File::set_permissions(_, std::fs::Permissions): Send & Sync & !Unpin
        );
    }
}

cfg_not_wasi! {
    assert_value!(edgeio::net::TcpSocket: Send & Sync & Unpin);
    // MISMATCH: tokio says Send & Sync & !Unpin (an async fn), edgeio is Unpin: a synchronous fn returning io::Result (documented)
    #[cfg(any())]
    async_assert_fn!(edgeio::net::TcpListener::bind(SocketAddr): Send & Sync & !Unpin);
    async_assert_fn!(edgeio::net::TcpStream::connect(SocketAddr): Send & Sync & !Unpin);
}

assert_value!(edgeio::net::TcpListener: Send & Sync & Unpin);
assert_value!(edgeio::net::TcpStream: Send & Sync & Unpin);
assert_value!(edgeio::net::tcp::OwnedReadHalf: Send & Sync & Unpin);
assert_value!(edgeio::net::tcp::OwnedWriteHalf: Send & Sync & Unpin);
assert_value!(edgeio::net::tcp::ReuniteError: Send & Sync & Unpin);
async_assert_fn!(edgeio::net::TcpListener::accept(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::net::TcpStream::peek(_, &mut [u8]): Send & Sync & !Unpin);
async_assert_fn!(edgeio::net::TcpStream::readable(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::net::TcpStream::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
async_assert_fn!(edgeio::net::TcpStream::writable(_): Send & Sync & !Unpin);

// Wasi does not support UDP
cfg_not_wasi! {
    mod udp_socket {
        use super::*;
        assert_value!(edgeio::net::UdpSocket: Send & Sync & Unpin);
        // MISMATCH: tokio says Send & Sync & !Unpin (an async fn), edgeio is Unpin: a synchronous fn returning io::Result (documented)
        #[cfg(any())]
        async_assert_fn!(edgeio::net::UdpSocket::bind(SocketAddr): Send & Sync & !Unpin);
        // MISMATCH: tokio says Send & Sync & !Unpin (an async fn), edgeio is Unpin: connect is a synchronous fn returning io::Result (documented)
        #[cfg(any())]
        async_assert_fn!(edgeio::net::UdpSocket::connect(_, SocketAddr): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::peek_from(_, &mut [u8]): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::readable(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::recv(_, &mut [u8]): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::recv_from(_, &mut [u8]): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::send(_, &[u8]): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::send_to(_, &[u8], SocketAddr): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::net::UdpSocket::writable(_): Send & Sync & !Unpin);
    }
}
async_assert_fn!(edgeio::net::lookup_host(SocketAddr): Send & Sync & !Unpin);

#[cfg(unix)]
mod unix_datagram {
    use super::*;
    use edgeio::net::*;
    assert_value!(UnixDatagram: Send & Sync & Unpin);
    assert_value!(UnixListener: Send & Sync & Unpin);
    assert_value!(UnixStream: Send & Sync & Unpin);
    assert_value!(unix::OwnedReadHalf: Send & Sync & Unpin);
    assert_value!(unix::OwnedWriteHalf: Send & Sync & Unpin);
    assert_value!(unix::ReuniteError: Send & Sync & Unpin);
    assert_value!(unix::SocketAddr: Send & Sync & Unpin);
    assert_value!(unix::UCred: Send & Sync & Unpin);
    async_assert_fn!(UnixDatagram::readable(_): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::recv(_, &mut [u8]): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::recv_from(_, &mut [u8]): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::send(_, &[u8]): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::send_to(_, &[u8], &str): Send & Sync & !Unpin);
    async_assert_fn!(UnixDatagram::writable(_): Send & Sync & !Unpin);
    async_assert_fn!(UnixListener::accept(_): Send & Sync & !Unpin);
    async_assert_fn!(UnixStream::connect(&str): Send & Sync & !Unpin);
    async_assert_fn!(UnixStream::readable(_): Send & Sync & !Unpin);
    async_assert_fn!(UnixStream::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
    async_assert_fn!(UnixStream::writable(_): Send & Sync & !Unpin);
}

#[cfg(unix)]
mod unix_pipe {
    use super::*;
    use edgeio::net::unix::pipe::*;
    assert_value!(OpenOptions: Send & Sync & Unpin);
    assert_value!(Receiver: Send & Sync & Unpin);
    assert_value!(Sender: Send & Sync & Unpin);
    async_assert_fn!(Receiver::readable(_): Send & Sync & !Unpin);
    async_assert_fn!(Receiver::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
    async_assert_fn!(Sender::ready(_, edgeio::io::Interest): Send & Sync & !Unpin);
    async_assert_fn!(Sender::writable(_): Send & Sync & !Unpin);
}

cfg_not_wasi! {
    mod test_process {
        use super::*;
        assert_value!(edgeio::process::Child: Send & Sync & Unpin);
        assert_value!(edgeio::process::ChildStderr: Send & Sync & Unpin);
        assert_value!(edgeio::process::ChildStdin: Send & Sync & Unpin);
        assert_value!(edgeio::process::ChildStdout: Send & Sync & Unpin);
        assert_value!(edgeio::process::Command: Send & Sync & Unpin);
        async_assert_fn!(edgeio::process::Child::kill(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::process::Child::wait(_): Send & Sync & !Unpin);
        async_assert_fn!(edgeio::process::Child::wait_with_output(_): Send & Sync & !Unpin);
    }

    async_assert_fn!(edgeio::signal::ctrl_c(): Send & Sync & !Unpin);
}

#[cfg(unix)]
mod unix_signal {
    use super::*;
    assert_value!(edgeio::signal::unix::Signal: Send & Sync & Unpin);
    assert_value!(edgeio::signal::unix::SignalKind: Send & Sync & Unpin);
    async_assert_fn!(edgeio::signal::unix::Signal::recv(_): Send & Sync & !Unpin);
}

assert_value!(edgeio::sync::AcquireError: Send & Sync & Unpin);
assert_value!(edgeio::sync::Barrier: Send & Sync & Unpin);
assert_value!(edgeio::sync::BarrierWaitResult: Send & Sync & Unpin);
assert_value!(edgeio::sync::MappedMutexGuard<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::MappedMutexGuard<'_, YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::MappedMutexGuard<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::Mutex<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::Mutex<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::Mutex<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::MutexGuard<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::MutexGuard<'_, YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::MutexGuard<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::Notify: Send & Sync & Unpin);
assert_value!(edgeio::sync::OnceCell<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OnceCell<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::OnceCell<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::SetOnce<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::SetOnce<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::SetOnce<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedMutexGuard<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMutexGuard<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMutexGuard<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<NN,NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<NN,YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<NN,YY>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YN,NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YN,YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YN,YY>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YY,NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YY,YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedMappedMutexGuard<YY,YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockMappedWriteGuard<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockMappedWriteGuard<YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockMappedWriteGuard<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockReadGuard<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockReadGuard<YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockReadGuard<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockWriteGuard<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockWriteGuard<YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::OwnedRwLockWriteGuard<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::OwnedSemaphorePermit: Send & Sync & Unpin);
assert_value!(edgeio::sync::RwLock<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLock<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLock<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::RwLockMappedWriteGuard<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockMappedWriteGuard<'_, YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockMappedWriteGuard<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::RwLockReadGuard<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockReadGuard<'_, YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockReadGuard<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::RwLockWriteGuard<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockWriteGuard<'_, YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::RwLockWriteGuard<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::Semaphore: Send & Sync & Unpin);
assert_value!(edgeio::sync::SemaphorePermit<'_>: Send & Sync & Unpin);
assert_value!(edgeio::sync::TryAcquireError: Send & Sync & Unpin);
assert_value!(edgeio::sync::TryLockError: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Receiver<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Receiver<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Receiver<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Sender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Sender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::Sender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::WeakSender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::broadcast::WeakSender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::broadcast::WeakSender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::futures::Notified<'_>: Send & Sync & !Unpin);
assert_value!(edgeio::sync::futures::OwnedNotified: Send & Sync & !Unpin);
assert_value!(edgeio::sync::mpsc::OwnedPermit<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::OwnedPermit<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::OwnedPermit<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Permit<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Permit<'_, YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Permit<'_, YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Receiver<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Receiver<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Receiver<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Sender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Sender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::Sender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedReceiver<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedReceiver<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedReceiver<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedSender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedSender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::UnboundedSender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakSender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakSender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakSender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakUnboundedSender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakUnboundedSender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::WeakUnboundedSender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::SendError<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::SendError<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::SendError<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::TrySendError<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::TrySendError<YN>: Send & !Sync & Unpin);
assert_value!(edgeio::sync::mpsc::error::TrySendError<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Receiver<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Receiver<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Receiver<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Sender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Sender<YN>: Send & Sync & Unpin);
assert_value!(edgeio::sync::oneshot::Sender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::watch::Receiver<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Receiver<YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Receiver<YY>: Send & Sync & Unpin);
assert_value!(edgeio::sync::watch::Ref<'_, NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Ref<'_, YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Ref<'_, YY>: !Send & Sync & Unpin);
assert_value!(edgeio::sync::watch::Sender<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Sender<YN>: !Send & !Sync & Unpin);
assert_value!(edgeio::sync::watch::Sender<YY>: Send & Sync & Unpin);
assert_value!(edgeio::task::JoinError: Send & Sync & Unpin);
assert_value!(edgeio::task::JoinHandle<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::task::JoinHandle<YN>: Send & Sync & Unpin);
assert_value!(edgeio::task::JoinHandle<YY>: Send & Sync & Unpin);
assert_value!(edgeio::task::JoinSet<NN>: !Send & !Sync & Unpin);
assert_value!(edgeio::task::JoinSet<YN>: Send & Sync & Unpin);
assert_value!(edgeio::task::JoinSet<YY>: Send & Sync & Unpin);
assert_value!(edgeio::task::LocalSet: !Send & !Sync & Unpin);
assert_value!(edgeio::task::coop::RestoreOnPending: !Send & !Sync & Unpin);
async_assert_fn!(edgeio::sync::Barrier::wait(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<NN>::lock(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<NN>::lock_owned(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<YN>::lock(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<YN>::lock_owned(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<YY>::lock(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Mutex<YY>::lock_owned(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Notify::notified(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = NN> + Send + Sync>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = NN> + Send>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = NN>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<NN>> + Send + Sync>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<NN>> + Send>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<NN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<NN>>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YN> + Send + Sync>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YN> + Send>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YN>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YN>> + Send + Sync>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YN>> + Send>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YN>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YN>>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YY> + Send + Sync>>): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YY> + Send>>): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_init( _, fn() -> Pin<Box<dyn Future<Output = YY>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YY>> + Send + Sync>>): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YY>> + Send>>): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::OnceCell<YY>::get_or_try_init( _, fn() -> Pin<Box<dyn Future<Output = std::io::Result<YY>>>>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::SetOnce<NN>::wait(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::SetOnce<YN>::wait(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::SetOnce<YY>::wait(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<NN>::read(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<NN>::write(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<YN>::read(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<YN>::write(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<YY>::read(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::RwLock<YY>::write(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Semaphore::acquire(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Semaphore::acquire_many(_, u32): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Semaphore::acquire_many_owned(_, u32): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::Semaphore::acquire_owned(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::broadcast::Receiver<NN>::recv(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::broadcast::Receiver<YN>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::broadcast::Receiver<YY>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Receiver<NN>::recv(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Receiver<YN>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Receiver<YY>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<NN>::closed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<NN>::reserve(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<NN>::reserve_owned(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<NN>::send(_, NN): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YN>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YN>::reserve(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YN>::reserve_owned(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YN>::send(_, YN): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YY>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YY>::reserve(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YY>::reserve_owned(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::Sender<YY>::send(_, YY): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedReceiver<NN>::recv(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedReceiver<YN>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedReceiver<YY>::recv(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedSender<NN>::closed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedSender<YN>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::mpsc::UnboundedSender<YY>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::oneshot::Sender<NN>::closed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::oneshot::Sender<YN>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::oneshot::Sender<YY>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Receiver<NN>::changed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Receiver<YN>::changed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Receiver<YY>::changed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Sender<NN>::closed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Sender<YN>::closed(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::sync::watch::Sender<YY>::closed(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<Cell<u32>>::join_next(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<Cell<u32>>::shutdown(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<Rc<u32>>::join_next(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<Rc<u32>>::shutdown(_): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<u32>::join_next(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::JoinSet<u32>::shutdown(_): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Cell<u32>>::scope(_, Cell<u32>, BoxFuture<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Cell<u32>>::scope(_, Cell<u32>, BoxFutureSend<()>): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Cell<u32>>::scope(_, Cell<u32>, BoxFutureSync<()>): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Rc<u32>>::scope(_, Rc<u32>, BoxFuture<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Rc<u32>>::scope(_, Rc<u32>, BoxFutureSend<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<Rc<u32>>::scope(_, Rc<u32>, BoxFutureSync<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<u32>::scope(_, u32, BoxFuture<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<u32>::scope(_, u32, BoxFutureSend<()>): Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalKey<u32>::scope(_, u32, BoxFutureSync<()>): Send & Sync & !Unpin);
async_assert_fn!(edgeio::task::LocalSet::run_until(_, BoxFutureSync<()>): !Send & !Sync & !Unpin);
async_assert_fn!(edgeio::task::unconstrained(BoxFuture<()>): !Send & !Sync & Unpin);
async_assert_fn!(edgeio::task::unconstrained(BoxFutureSend<()>): Send & !Sync & Unpin);
async_assert_fn!(edgeio::task::unconstrained(BoxFutureSync<()>): Send & Sync & Unpin);

assert_value!(edgeio::runtime::Builder: Send & Sync & Unpin);
assert_value!(edgeio::runtime::EnterGuard<'_>: !Send & Sync & Unpin);
assert_value!(edgeio::runtime::Handle: Send & Sync & Unpin);
assert_value!(edgeio::runtime::Runtime: Send & Sync & Unpin);

assert_value!(edgeio::time::Interval: Send & Sync & Unpin);
assert_value!(edgeio::time::Instant: Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
assert_value!(edgeio::time::Sleep: Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
assert_value!(edgeio::time::Sleep: Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
assert_value!(edgeio::time::Timeout<BoxFutureSync<()>>: Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
assert_value!(edgeio::time::Timeout<BoxFutureSync<()>>: Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
assert_value!(edgeio::time::Timeout<BoxFutureSend<()>>: Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
assert_value!(edgeio::time::Timeout<BoxFutureSend<()>>: Send & !Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
assert_value!(edgeio::time::Timeout<BoxFuture<()>>: !Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
assert_value!(edgeio::time::Timeout<BoxFuture<()>>: !Send & !Sync & Unpin);
assert_value!(edgeio::time::error::Elapsed: Send & Sync & Unpin);
async_assert_fn!(edgeio::time::advance(Duration): Send & Sync & !Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::sleep(Duration): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::sleep(Duration): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::sleep_until(Instant): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::sleep_until(Instant): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout(Duration, BoxFutureSync<()>): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout(Duration, BoxFutureSync<()>): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout(Duration, BoxFutureSend<()>): Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout(Duration, BoxFutureSend<()>): Send & !Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout(Duration, BoxFuture<()>): !Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout(Duration, BoxFuture<()>): !Send & !Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFutureSync<()>): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFutureSync<()>): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFutureSend<()>): Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFutureSend<()>): Send & !Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (Sleep is Unpin on purpose, runtime/src/time/sleep.rs:69; documented)
#[cfg(any())]
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFuture<()>): !Send & !Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::time::timeout_at(Instant, BoxFuture<()>): !Send & !Sync & Unpin);
async_assert_fn!(edgeio::time::Interval::tick(_): Send & Sync & !Unpin);

assert_value!(edgeio::io::BufReader<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::BufStream<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::BufWriter<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::DuplexStream: Send & Sync & Unpin);
assert_value!(edgeio::io::Empty: Send & Sync & Unpin);
assert_value!(edgeio::io::Interest: Send & Sync & Unpin);
assert_value!(edgeio::io::Lines<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::ReadHalf<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::Ready: Send & Sync & Unpin);
assert_value!(edgeio::io::Repeat: Send & Sync & Unpin);
assert_value!(edgeio::io::Sink: Send & Sync & Unpin);
assert_value!(edgeio::io::Stderr: Send & Sync & Unpin);
assert_value!(edgeio::io::Stdin: Send & Sync & Unpin);
assert_value!(edgeio::io::Stdout: Send & Sync & Unpin);
assert_value!(edgeio::io::Take<TcpStream>: Send & Sync & Unpin);
assert_value!(edgeio::io::WriteHalf<TcpStream>: Send & Sync & Unpin);
async_assert_fn!(edgeio::io::copy(&mut TcpStream, &mut TcpStream): Send & Sync & !Unpin);
async_assert_fn!(
    edgeio::io::copy_bidirectional(&mut TcpStream, &mut TcpStream): Send & Sync & !Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::copy_buf(&mut edgeio::io::BufReader<TcpStream>, &mut TcpStream): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::copy_buf(&mut edgeio::io::BufReader<TcpStream>, &mut TcpStream): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::empty(): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::repeat(u8): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::sink(): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::split(TcpStream): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::stderr(): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::stdin(): Send & Sync & Unpin);
async_assert_fn!(edgeio::io::stdout(): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncBufReadExt::read_until(&mut BoxAsyncRead, u8, &mut Vec<u8>): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncBufReadExt::read_until(&mut BoxAsyncRead, u8, &mut Vec<u8>): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(
    edgeio::io::AsyncBufReadExt::read_line(&mut BoxAsyncRead, &mut String): Send & Sync & !Unpin
);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(
    edgeio::io::AsyncBufReadExt::read_line(&mut BoxAsyncRead, &mut String): Send & Sync & Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncBufReadExt::fill_buf(&mut BoxAsyncRead): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncBufReadExt::fill_buf(&mut BoxAsyncRead): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncReadExt::read(&mut BoxAsyncRead, &mut [u8]): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncReadExt::read(&mut BoxAsyncRead, &mut [u8]): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(
    edgeio::io::AsyncReadExt::read_exact(&mut BoxAsyncRead, &mut [u8]): Send & Sync & !Unpin
);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(
    edgeio::io::AsyncReadExt::read_exact(&mut BoxAsyncRead, &mut [u8]): Send & Sync & Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncReadExt::read_to_end(&mut BoxAsyncRead, &mut Vec<u8>): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncReadExt::read_to_end(&mut BoxAsyncRead, &mut Vec<u8>): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(
    edgeio::io::AsyncReadExt::read_to_string(&mut BoxAsyncRead, &mut String): Send & Sync & !Unpin
);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(
    edgeio::io::AsyncReadExt::read_to_string(&mut BoxAsyncRead, &mut String): Send & Sync & Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncSeekExt::seek(&mut BoxAsyncSeek, SeekFrom): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncSeekExt::seek(&mut BoxAsyncSeek, SeekFrom): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncSeekExt::stream_position(&mut BoxAsyncSeek): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncSeekExt::stream_position(&mut BoxAsyncSeek): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncWriteExt::write(&mut BoxAsyncWrite, &[u8]): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncWriteExt::write(&mut BoxAsyncWrite, &[u8]): Send & Sync & Unpin);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(
    edgeio::io::AsyncWriteExt::write_vectored(&mut BoxAsyncWrite, _): Send & Sync & !Unpin
);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(
    edgeio::io::AsyncWriteExt::write_vectored(&mut BoxAsyncWrite, _): Send & Sync & Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(
    edgeio::io::AsyncWriteExt::write_all(&mut BoxAsyncWrite, &[u8]): Send & Sync & !Unpin
);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(
    edgeio::io::AsyncWriteExt::write_all(&mut BoxAsyncWrite, &[u8]): Send & Sync & Unpin
);
// MISMATCH: tokio says !Unpin, edgeio is Unpin (futures-util's future, re-exported by src/io/mod.rs)
#[cfg(any())]
async_assert_fn!(edgeio::io::AsyncWriteExt::flush(&mut BoxAsyncWrite): Send & Sync & !Unpin);
// Adapted: the same with edgeio's `Unpin`, so that Send/Sync stay checked.
async_assert_fn!(edgeio::io::AsyncWriteExt::flush(&mut BoxAsyncWrite): Send & Sync & Unpin);

#[cfg(unix)]
mod unix_asyncfd {
    use super::*;
    use edgeio::io::unix::*;

    #[allow(unused)]
    struct ImplsFd<T> {
        _t: T,
    }
    impl<T> std::os::unix::io::AsRawFd for ImplsFd<T> {
        fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
            unreachable!()
        }
    }

    assert_value!(AsyncFd<ImplsFd<YY>>: Send & Sync & Unpin);
    assert_value!(AsyncFd<ImplsFd<YN>>: Send & !Sync & Unpin);
    assert_value!(AsyncFd<ImplsFd<NN>>: !Send & !Sync & Unpin);
    assert_value!(AsyncFdReadyGuard<'_, ImplsFd<YY>>: Send & Sync & Unpin);
    assert_value!(AsyncFdReadyGuard<'_, ImplsFd<YN>>: !Send & !Sync & Unpin);
    assert_value!(AsyncFdReadyGuard<'_, ImplsFd<NN>>: !Send & !Sync & Unpin);
    assert_value!(AsyncFdReadyMutGuard<'_, ImplsFd<YY>>: Send & Sync & Unpin);
    assert_value!(AsyncFdReadyMutGuard<'_, ImplsFd<YN>>: Send & !Sync & Unpin);
    assert_value!(AsyncFdReadyMutGuard<'_, ImplsFd<NN>>: !Send & !Sync & Unpin);
    assert_value!(TryIoError: Send & Sync & Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YY>>::readable(_): Send & Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YY>>::readable_mut(_): Send & Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YY>>::writable(_): Send & Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YY>>::writable_mut(_): Send & Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YN>>::readable(_): !Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YN>>::readable_mut(_): Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YN>>::writable(_): !Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<YN>>::writable_mut(_): Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<NN>>::readable(_): !Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<NN>>::readable_mut(_): !Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<NN>>::writable(_): !Send & !Sync & !Unpin);
    async_assert_fn!(AsyncFd<ImplsFd<NN>>::writable_mut(_): !Send & !Sync & !Unpin);
}

mod local_runtime {
    use super::*;

    assert_value!(edgeio::runtime::LocalRuntime: !Send & !Sync & Unpin);
    assert_value!(edgeio::runtime::LocalOptions: !Send & !Sync & Unpin);
}
