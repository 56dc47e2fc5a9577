//! `ctrl_c` completes on SIGINT, for every waiter. In its own binary: the
//! handler it installs stays for the life of the process.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use edgeio_runtime::signal::ctrl_c;
use edgeio_runtime::time::{sleep, timeout};
use edgeio_runtime::{spawn, Builder};

#[test]
fn ctrl_c_wakes_every_waiter() {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let runtime = Builder::new().worker_threads(2).build().unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async {
                let waiters: Vec<_> = (0..3).map(|_| spawn(ctrl_c())).collect();
                // Not yet: nothing was sent.
                assert!(timeout(Duration::from_millis(50), ctrl_c()).await.is_err());
                sleep(Duration::from_millis(20)).await;
                // SAFETY: kill(2) takes no pointers; SIGINT is handled by ctrl_c.
                assert_eq!(unsafe { libc::kill(libc::getpid(), libc::SIGINT) }, 0);
                for waiter in waiters {
                    timeout(Duration::from_secs(5), waiter)
                        .await
                        .expect("waiter not woken")
                        .unwrap()
                        .unwrap();
                }
            })
        }));
        let _ = tx.send(result);
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("test timed out"),
    }
}
