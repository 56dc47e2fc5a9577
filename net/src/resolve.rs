//! Address resolution for the synchronous constructors, and the steps
//! every connecting socket shares.
//!
//! `bind` (and UDP's `connect`, which sends nothing) are synchronous, like
//! `std`'s: they take `std::net::ToSocketAddrs`, try each resolved address
//! in turn and report the last error. A host *name* there calls
//! `getaddrinfo` on the calling thread; pass a `SocketAddr` or an IP
//! literal to avoid that. The asynchronous `connect` and `send_to` take
//! [`crate::ToSocketAddrs`] instead and look names up on the blocking pool.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::AsFd;

use socket2::SockRef;

use crate::Async;

/// Calls `f` with each address `addr` resolves to until one succeeds.
pub(crate) fn each_addr<T>(
    addr: impl ToSocketAddrs,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last_err = None;
    for addr in addr.to_socket_addrs()? {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(no_addresses))
}

pub(crate) fn no_addresses() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "could not resolve to any addresses")
}

/// Finishes a non-blocking `connect` that reported `EINPROGRESS`: the
/// kernel signals completion (success or failure) as writability, and the
/// outcome is then in `SO_ERROR`.
pub(crate) async fn finish_connect<T: AsFd>(socket: &Async<T>) -> io::Result<()> {
    socket.writable().await?;
    match SockRef::from(socket.get_ref()).take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether a `connect` error means "started, not finished yet".
pub(crate) fn in_progress(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EINPROGRESS)
}
