//! The `graceful` example, run as a child process (this test binary
//! re-executed, calling the example's code): SIGTERM or SIGINT stops the
//! accepting, open connections are drained or cut at the deadline, and
//! the process exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

#[path = "../examples/graceful.rs"]
#[allow(dead_code)] // its `main` is the example's, unused here
mod graceful;

const CHILD_ENV: &str = "EDGEIO_GRACEFUL_DRAIN_MS";
const LIMIT: Duration = Duration::from_secs(30);

#[test]
#[ignore = "run in a child process by the tests below"]
fn serve_until_signalled() {
    let Some(drain_ms) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let drain = Duration::from_millis(drain_ms.to_str().unwrap().parse().unwrap());
    edgeio::block_on(graceful::run("127.0.0.1:0", drain)).unwrap();
}

/// The server in a child process, with its stdout read line by line.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: SocketAddr,
}

impl Server {
    fn start(drain: Duration) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "serve_until_signalled",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, drain.as_millis().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            addr: "0.0.0.0:0".parse().unwrap(),
        };
        let line = server.expect("graceful: listening on ");
        server.addr = line.rsplit(' ').next().unwrap().parse().unwrap();
        server
    }

    /// Waits for a line containing `wanted`, and returns it.
    fn expect(&mut self, wanted: &str) -> String {
        loop {
            match self.lines.recv_timeout(LIMIT) {
                Ok(line) if line.contains(wanted) => return line,
                Ok(_) => {}
                Err(e) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("no {wanted:?} from the server: {e}");
                }
            }
        }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, signal) }, 0);
    }

    /// Waits (bounded) for the exit, which must be a success.
    fn exits_cleanly(mut self) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status:?}");
                return;
            }
            if start.elapsed() > LIMIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("server did not exit");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream
}

fn round_trip(stream: &mut TcpStream, message: &[u8]) {
    stream.write_all(message).unwrap();
    let mut echoed = vec![0; message.len()];
    stream.read_exact(&mut echoed).unwrap();
    assert_eq!(echoed, message);
}

#[test]
fn sigterm_stops_accepting_and_drains_open_connections() {
    let mut server = Server::start(Duration::from_secs(20));
    let mut open = connect(server.addr);
    round_trip(&mut open, b"hello");
    server.signal(libc::SIGTERM);
    server.expect("graceful: SIGTERM, draining 1 connection(s)");

    // No longer accepting...
    let refused = TcpStream::connect(server.addr).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    // ...but the open connection is still served.
    round_trip(&mut open, b"still here");
    drop(open);
    server.expect("graceful: all connections closed");
    server.exits_cleanly();
}

#[test]
fn ctrl_c_drains_until_the_deadline_then_cuts() {
    let mut server = Server::start(Duration::from_millis(300));
    let mut idle = connect(server.addr);
    round_trip(&mut idle, b"hello");
    let start = Instant::now();
    server.signal(libc::SIGINT);
    server.expect("graceful: SIGINT, draining 1 connection(s)");
    server.expect("graceful: deadline passed, cut 1 connection(s)");
    assert!(start.elapsed() >= Duration::from_millis(300));
    // The cut connection ends: end of stream, or a reset.
    let mut buf = [0; 1];
    match idle.read(&mut buf) {
        Ok(0) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
        Ok(_) => panic!("data on a cut connection"),
    }
    server.exits_cleanly();
}
