#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/unwindsafe.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`. These are compile-time checks (trait bounds).
//!
//! Left out: `windows_net_types_are_unwind_safe` (Windows named pipes).

use std::panic::{RefUnwindSafe, UnwindSafe};

#[test]
fn notify_is_unwind_safe() {
    is_unwind_safe::<edgeio::sync::Notify>();
}

#[test]
fn join_handle_is_unwind_safe() {
    is_unwind_safe::<edgeio::task::JoinHandle<()>>();
}

#[test]
fn net_types_are_unwind_safe() {
    is_unwind_safe::<edgeio::net::TcpListener>();
    is_unwind_safe::<edgeio::net::TcpSocket>();
    is_unwind_safe::<edgeio::net::TcpStream>();
    is_unwind_safe::<edgeio::net::UdpSocket>();
}

#[test]
#[cfg(unix)]
fn unix_net_types_are_unwind_safe() {
    is_unwind_safe::<edgeio::net::UnixDatagram>();
    is_unwind_safe::<edgeio::net::UnixListener>();
    is_unwind_safe::<edgeio::net::UnixStream>();
}

fn is_unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}
