//! Unix socket addresses: filesystem paths and Linux's abstract names.
//!
//! An *abstract* name lives in the kernel, not the filesystem: nothing to
//! remove afterwards, and it vanishes with the last socket bound to it. As
//! in tokio (and `socket2`), a path that starts with a NUL byte
//! (`"\0name"`) names one; a `std::os::unix::net::SocketAddr` made with
//! `std::os::linux::net::SocketAddrExt::from_abstract_name` does too, for
//! the `*_addr` functions. `local_addr` and `peer_addr` return `std`'s
//! `SocketAddr`, whose `as_abstract_name` (same trait) reads one back.

use std::ffi::OsStr;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use socket2::SockAddr;

/// `path` as a socket address; a leading NUL makes it an abstract name.
pub(crate) fn path_addr(path: &Path) -> io::Result<SockAddr> {
    SockAddr::unix(path)
}

/// `std`'s address as `socket2`'s, for `bind_addr` and `connect_addr`.
pub(crate) fn std_addr(addr: &SocketAddr) -> io::Result<SockAddr> {
    if let Some(path) = addr.as_pathname() {
        return SockAddr::unix(path);
    }
    if let Some(name) = addr.as_abstract_name() {
        let mut bytes = Vec::with_capacity(name.len() + 1);
        bytes.push(0);
        bytes.extend_from_slice(name);
        return SockAddr::unix(OsStr::from_bytes(&bytes));
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "an unnamed Unix socket address cannot be bound or connected to",
    ))
}
