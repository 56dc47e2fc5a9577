//! `time::timeout` around a read loop on a socket that never runs dry
//! (edgeio issue #19, item 1). The loop's reads spend the task's coop
//! budget; the deadline must be checked regardless, as tokio has done
//! since tokio#4314. It used to run for as long as the peer kept sending.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use edgeio::net::AsyncTcpListener;
use edgeio::time::timeout;
use futures_util::io::AsyncReadExt;

fn flooded_read_loop_times_out(in_task: bool) {
    edgeio::__private::run_test(Some(1), Duration::from_secs(30), move || async move {
        let listener = AsyncTcpListener::bind("127.0.0.1:0")?;
        let mut feeder = std::net::TcpStream::connect(listener.local_addr()?)?;
        let (mut stream, _) = timeout(Duration::from_secs(5), listener.accept()).await??;
        let stop = Arc::new(AtomicBool::new(false));
        let feeding = stop.clone();
        let writer = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !feeding.load(Ordering::Relaxed) && Instant::now() < deadline {
                if feeder.write_all(&[7; 64 * 1024]).is_err() {
                    return;
                }
            }
        });
        let read_forever = async move {
            let mut buf = [0; 64];
            loop {
                if stream.read(&mut buf).await? == 0 {
                    return io::Result::Ok(());
                }
            }
        };
        let started = Instant::now();
        let result = if in_task {
            edgeio::spawn(timeout(Duration::from_millis(200), read_forever))
                .await
                .expect("the reader panicked")
        } else {
            timeout(Duration::from_millis(200), read_forever).await
        };
        let took = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        let _ = writer.join();
        assert!(result.is_err(), "the read loop ended first: {result:?}");
        assert!(took < Duration::from_secs(1), "the timeout fired after {took:?}");
        io::Result::Ok(())
    })
    .unwrap();
}

#[test]
fn timeout_fires_around_a_flooded_read_loop_in_a_task() {
    flooded_read_loop_times_out(true);
}

#[test]
fn timeout_fires_around_a_flooded_read_loop_in_block_on() {
    flooded_read_loop_times_out(false);
}
