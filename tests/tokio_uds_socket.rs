#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/uds_socket.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio`, tokio's I/O extension traits swapped for
// futures-io's, and `tempfile` is tests/support/tempfile.rs. The tests
// after tokio's are edgeio's own.

#[path = "support/tempfile.rs"]
mod tempfile;

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

use edgeio::net::UnixSocket;
use futures_util::future::try_join;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

#[edgeio::test]
async fn datagram_echo_server() -> io::Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let server_path = dir.path().join("server.sock");
    let client_path = dir.path().join("client.sock");

    let server_socket = {
        let socket = UnixSocket::new_datagram()?;
        socket.bind(&server_path)?;
        socket.datagram()?
    };

    let server = edgeio::spawn(async move {
        let mut recv_buf = vec![0u8; 1024];
        loop {
            let (len, peer_addr) = server_socket.recv_from(&mut recv_buf[..]).await?;
            if let Some(path) = peer_addr.as_pathname() {
                server_socket.send_to(&recv_buf[..len], path).await?;
            }
        }

        #[allow(unreachable_code)]
        Ok::<(), io::Error>(())
    });

    {
        let socket = UnixSocket::new_datagram()?;
        socket.bind(&client_path).unwrap();
        let socket = socket.datagram()?;

        socket.connect(server_path)?;
        socket.send(b"ECHO").await?;

        let mut recv_buf = [0u8; 16];
        let len = socket.recv(&mut recv_buf[..]).await?;
        assert_eq!(&recv_buf[..len], b"ECHO");
    }

    server.abort();
    Ok(())
}

#[edgeio::test]
async fn listen_and_stream() -> std::io::Result<()> {
    let dir = tempfile::Builder::new().tempdir().unwrap();
    let sock_path = dir.path().join("connect.sock");
    let peer_path = dir.path().join("peer.sock");

    let listener = {
        let sock = UnixSocket::new_stream()?;
        sock.bind(&sock_path)?;
        sock.listen(1024)?
    };

    let accept = listener.accept();
    let connect = {
        let sock = UnixSocket::new_stream()?;
        sock.bind(&peer_path)?;
        sock.connect(&sock_path)
    };

    let ((mut server, _), mut client) = try_join(accept, connect).await?;

    assert_eq!(server.peer_addr().unwrap().as_pathname().unwrap(), &peer_path);

    // Write to the client.
    client.write_all(b"hello").await?;
    drop(client);

    // Read from the server.
    let mut buf = vec![];
    server.read_to_end(&mut buf).await?;
    assert_eq!(&buf, b"hello");
    let len = server.read(&mut buf).await?;
    assert_eq!(len, 0);
    Ok(())
}

#[edgeio::test]
async fn assert_usage() -> std::io::Result<()> {
    let datagram_socket = UnixSocket::new_datagram()?;
    let result = datagram_socket
        .connect(std::path::PathBuf::new().join("invalid.sock"))
        .await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "connect cannot be called on a datagram socket"
    );

    let datagram_socket = UnixSocket::new_datagram()?;
    let result = datagram_socket.listen(1024);
    assert_eq!(
        result.unwrap_err().to_string(),
        "listen cannot be called on a datagram socket"
    );

    let stream_socket = UnixSocket::new_stream()?;
    let result = stream_socket.datagram();
    assert_eq!(
        result.unwrap_err().to_string(),
        "datagram cannot be called on a stream socket"
    );

    Ok(())
}

// edgeio: the wrong kind of socket is an `InvalidInput` error; binding a
// path already bound, or connecting to a missing one, reports the
// kernel's error.
#[edgeio::test]
async fn errors_are_io_errors() -> io::Result<()> {
    let err = UnixSocket::new_stream()?.datagram().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("taken.sock");
    let first = UnixSocket::new_stream()?;
    first.bind(&path)?;
    let _listener = first.listen(8)?;
    let second = UnixSocket::new_stream()?;
    assert_eq!(second.bind(&path).unwrap_err().kind(), io::ErrorKind::AddrInUse);

    let missing = dir.path().join("nobody.sock");
    let err = UnixSocket::new_stream()?.connect(&missing).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    Ok(())
}

// edgeio: an abstract name binds as a leading NUL, and the socket survives
// a round trip through its raw fd (which is made non-blocking).
#[edgeio::test]
async fn abstract_name_and_raw_fd() -> io::Result<()> {
    let name = format!("\0edgeio-unix-socket-{}", std::process::id());
    let socket = UnixSocket::new_stream()?;
    socket.bind(&name)?;
    let fd = socket.into_raw_fd();
    // SAFETY: `fd` was just given up by the socket that owned it.
    let socket = unsafe { UnixSocket::from_raw_fd(fd) };
    assert_eq!(socket.as_raw_fd(), fd);
    let listener = socket.listen(8)?;

    let client = UnixSocket::new_stream()?.connect(&name).await?;
    let (mut server, _) = listener.accept().await?;
    let mut client = client;
    client.write_all(b"abstract").await?;
    client.close().await?;
    let mut text = String::new();
    server.read_to_string(&mut text).await?;
    assert_eq!(text, "abstract");
    Ok(())
}
