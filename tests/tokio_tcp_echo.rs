#![warn(rust_2018_idioms)]
// Ported from tokio's `tokio/tests/tcp_echo.rs` (tokio is MIT-licensed):
// `tokio` renamed to `edgeio`, tokio's I/O extension traits swapped for
// futures-io's, and `tokio-test` replaced by tests/support/tokio_test.rs.
// Adaptations beyond renaming are marked "edgeio:".

#[path = "support/tokio_test.rs"]
mod tokio_test;

// WASIp1 doesn't support bind

use edgeio::io::{self, AsyncReadExt, AsyncWriteExt};
use edgeio::net::{TcpListener, TcpStream};
use edgeio::sync::oneshot;
use tokio_test::assert_ok;

#[edgeio::test(timeout_secs = 30)]
async fn echo_server() {
    const BYTES: &[u8] = b"foo bar baz";
    #[cfg(not(miri))]
    const ITER: usize = 1024;
    #[cfg(miri)] // Use a lower iteration count with Miri because it's too slow otherwise.
    const ITER: usize = 32;

    let (tx, rx) = oneshot::channel();

    let srv = assert_ok!(TcpListener::bind("127.0.0.1:0"));
    let addr = assert_ok!(srv.local_addr());

    edgeio::spawn(async move {
        let mut stream = assert_ok!(TcpStream::connect(&addr).await);

        for _ in 0..ITER {
            // write
            assert_ok!(stream.write_all(BYTES).await);

            // read
            let mut buf = [0; BYTES.len()];
            assert_ok!(stream.read_exact(&mut buf).await);
            assert_eq!(&buf[..], BYTES);
        }

        assert_ok!(tx.send(()));
    });

    // edgeio: `split` takes the stream by value (see its docs); tokio's
    // borrowed halves are `&stream` twice, which implements both traits.
    let (stream, _) = assert_ok!(srv.accept().await);
    let (mut rd, mut wr) = (&stream, &stream);

    let n = assert_ok!(io::copy(&mut rd, &mut wr).await);
    assert_eq!(n, (ITER * BYTES.len()) as u64);

    assert_ok!(rx.await);
}
