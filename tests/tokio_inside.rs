//! What cannot run on edgeio, and the way around it: tokio's
//! runtime-bound parts (`tokio::spawn`, `tokio::time`, `tokio::net`)
//! panic on edgeio's threads, since they look for a tokio runtime there;
//! a crate built on them runs instead on a tokio runtime of its own, on a
//! side thread, with edgeio tasks awaiting its `JoinHandle`s (plain
//! futures).

use std::any::Any;
use std::time::Duration;

use edgeio::net::AsyncTcpListener;

/// The panic message of a task that must have panicked.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|m| m.to_string())
            .unwrap_or_default(),
    }
}

async fn panics_for_want_of_tokio<F>(what: &str, f: F)
where
    F: std::future::Future + Send + 'static,
    F::Output: Send,
{
    let err = match edgeio::spawn(f).await {
        Ok(_) => panic!("{what} ran on edgeio"),
        Err(err) => err,
    };
    let message = panic_message(err.try_into_panic().expect("a panic"));
    assert!(
        message.contains("Tokio 1.x runtime") || message.contains("no reactor running"),
        "{what}: {message}"
    );
}

#[edgeio::test(timeout_secs = 30)]
async fn tokio_spawn_time_and_net_panic_on_edgeio() {
    panics_for_want_of_tokio("tokio::spawn", async {
        drop(tokio::spawn(async {}));
    })
    .await;
    panics_for_want_of_tokio("tokio::time::sleep", async {
        tokio::time::sleep(Duration::from_millis(1)).await;
    })
    .await;
    panics_for_want_of_tokio("tokio::net::TcpListener", async {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let _ = tokio::net::TcpListener::from_std(listener);
    })
    .await;
}

/// A tokio runtime on a side thread runs tokio-bound code; edgeio tasks
/// hand it work through its `Handle` and await the results.
#[edgeio::test(timeout_secs = 30)]
async fn tokio_bound_code_on_a_side_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let handle = runtime.handle().clone();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        // Drives the runtime until told to stop.
        runtime.block_on(async {
            while stopped.try_recv().is_err() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    });

    // An edgeio server, a tokio client.
    let listener = AsyncTcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = edgeio::spawn(async move {
        use futures_util::io::AsyncWriteExt;
        let (mut stream, _) = listener.accept().await.unwrap();
        stream.write_all(b"from edgeio").await.unwrap();
    });
    let client = handle.spawn(async move {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut received = Vec::new();
        loop {
            stream.readable().await.unwrap();
            let mut buf = [0; 64];
            match stream.try_read(&mut buf) {
                Ok(0) => return received,
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
    });
    // tokio's JoinHandle, awaited on edgeio.
    assert_eq!(client.await.unwrap(), b"from edgeio");
    server.await.unwrap();
    stop.send(()).unwrap();
    thread.join().unwrap();
}
