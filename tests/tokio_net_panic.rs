#![warn(rust_2018_idioms)]
//! tokio's `tokio/tests/net_panic.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! tokio's tests check that a socket made on a runtime built without
//! `enable_io` panics at the caller's line. edgeio's I/O is always on
//! (`enable_io` does nothing, docs/TOKIO-PORTING.md), so every test here is
//! adapted to check that no panic happens.
//!
//! Left out: `server_options_max_instances_panic_caller` (Windows named
//! pipes). tokio's `support/panic.rs` is `test_panic` in
//! `support/tokio_test.rs`; `tempfile` is `support/tempfile.rs`.

#[path = "support/tempfile.rs"]
mod tempfile;
#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::net::{TcpListener, TcpStream};
use edgeio::runtime::{Builder, Runtime};
use std::error::Error;

use tokio_test::test_panic;

#[test]
#[cfg_attr(miri, ignore)] // No UDP sockets in miri.
fn udp_socket_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::net::UdpSocket;
    use std::net::SocketAddr;

    let addr = "127.0.0.1:0".parse::<SocketAddr>().unwrap();
    let std_sock = std::net::UdpSocket::bind(addr).unwrap();
    std_sock.set_nonblocking(true).unwrap();

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _sock = UdpSocket::from_std(std_sock);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn tcp_listener_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = TcpListener::from_std(std_listener);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
fn tcp_stream_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();

    let std_stream = std::net::TcpStream::connect(std_listener.local_addr().unwrap()).unwrap();
    std_stream.set_nonblocking(true).unwrap();

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = TcpStream::from_std(std_stream);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
#[cfg_attr(miri, ignore)] // No Unix domain sockets in miri.
fn unix_listener_bind_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::net::UnixListener;

    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("socket");

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = UnixListener::bind(&sock_path);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and `bind`
    // does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
#[cfg_attr(miri, ignore)] // No Unix domain sockets in miri.
fn unix_listener_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::net::UnixListener;

    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("socket");
    let std_listener = std::os::unix::net::UnixListener::bind(sock_path).unwrap();

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = UnixListener::from_std(std_listener);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
#[cfg_attr(miri, ignore)] // No Unix domain sockets in miri.
fn unix_stream_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::net::UnixStream;

    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("socket");
    let _std_listener = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
    let std_stream = std::os::unix::net::UnixStream::connect(&sock_path).unwrap();

    let panic_location_file = test_panic(|| {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = UnixStream::from_std(std_stream);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

#[test]
#[cfg(unix)]
#[cfg_attr(miri, ignore)] // No Unix domain sockets in miri.
fn unix_datagram_from_std_panic_caller() -> Result<(), Box<dyn Error>> {
    let _watchdog = tokio_test::watchdog();
    use edgeio::net::UnixDatagram;
    use std::os::unix::net::UnixDatagram as StdUDS;

    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("socket");

    // Bind the socket to a filesystem path
    // /let socket_path = tmp.path().join("socket");
    let std_socket = StdUDS::bind(sock_path).unwrap();
    std_socket.set_nonblocking(true).unwrap();

    let panic_location_file = test_panic(move || {
        let rt = runtime_without_io();
        rt.block_on(async {
            let _ = UnixDatagram::from_std(std_socket);
        });
    });

    // Adapted: edgeio's I/O is always on (`enable_io` does nothing,
    // docs/TOKIO-PORTING.md), so this runtime has a reactor and
    // `from_std` does not panic, where tokio's panics at this call.
    assert_eq!(panic_location_file, None);

    Ok(())
}

// Runtime without `enable_io` so it has no IO driver set.
fn runtime_without_io() -> Runtime {
    Builder::new_current_thread().build().unwrap()
}
