//! A chat server: tokio's classic chat example, ported by renaming
//! imports. Every line a client sends goes to every other client.
//!
//! ```text
//! cargo run --example chat [ADDR]      # default 127.0.0.1:6142
//! ```
//!
//! Try it: open a few terminals, run `nc 127.0.0.1 6142` in each, answer
//! the username prompt, and type. Each line reaches the others as
//! `name: line`; joins and departures are announced as `*** ...` lines.
//! Ctrl-C in the server's terminal stops it gracefully: it stops
//! accepting, tells every client `*** server shutting down`, closes their
//! connections and exits 0.
//!
//! The pieces, as a tokio user would write them:
//!
//! - one [`broadcast`] channel carries every line to every client task;
//!   it keeps the last [`CAPACITY`] lines, so a client that stops reading
//!   makes no one wait and costs bounded memory: it *lags* and is told how
//!   many lines it missed;
//! - each client task waits in [`edgeio::select!`] for whichever comes
//!   first: a line from its socket, a line from the channel, or shutdown;
//! - a [`JoinSet`] holds the client tasks, reaps the finished ones, and on
//!   shutdown waits for the rest (aborting them after [`DRAIN`]).
//!
//! Lines are not length-limited (nor are they in tokio's example): a
//! client that never sends a newline grows its line buffer.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use edgeio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use edgeio::net::{TcpListener, TcpStream};
use edgeio::sync::broadcast::error::RecvError;
use edgeio::sync::{broadcast, watch};
use edgeio::task::JoinSet;
use futures_util::StreamExt;

/// Lines the broadcast channel keeps for its slowest reader. A client
/// further behind than this misses the oldest lines (and is told so)
/// rather than holding up the senders or growing the server's memory.
pub const CAPACITY: usize = 1024;

/// How long, after shutdown starts, client tasks get to say goodbye
/// before they are aborted: a client that does not read could otherwise
/// block its task's write, and the server's exit, forever.
pub const DRAIN: Duration = Duration::from_secs(5);

/// What the server writes first on every connection.
pub const PROMPT: &str = "Please enter your username:";

/// One line on its way to every client but the one it is from: the
/// client that sent it, or that it announces.
#[derive(Debug, Clone)]
struct Message {
    from: u64,
    /// The whole line as written to the clients, newline included.
    line: Arc<str>,
}

#[edgeio::main(flavor = "current_thread")]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:6142".to_owned());
    let listener = TcpListener::bind(&addr)?;
    println!("chat: listening on {}; Ctrl-C stops", listener.local_addr()?);
    serve(listener, async {
        if let Err(e) = edgeio::signal::ctrl_c().await {
            // Without the signal there is no way to stop gracefully, but
            // the chat itself still works: keep serving.
            eprintln!("chat: cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    })
    .await?;
    println!("chat: stopped");
    Ok(())
}

/// Serves the chat on `listener` until `shutdown` completes, then stops
/// accepting, tells the clients, and returns once every client task has
/// ended (aborting those still running after [`DRAIN`]).
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    serve_with_capacity(listener, CAPACITY, shutdown).await
}

/// As [`serve`], with a broadcast channel that keeps `capacity` lines
/// (at least 1) for its slowest reader instead of [`CAPACITY`].
pub async fn serve_with_capacity(
    listener: TcpListener,
    capacity: usize,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let (lines, _) = broadcast::channel(capacity.max(1));
    let (stop, stopped) = watch::channel(false);
    let mut clients = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        edgeio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    next_id += 1;
                    clients.spawn(client(next_id, stream, lines.clone(), stopped.clone()));
                }
                // EMFILE and the like: `accept` backs off after such
                // errors, so reporting and going on cannot spin.
                Err(e) => eprintln!("chat: accept failed: {e}"),
            },
            Some(ended) = clients.join_next(), if !clients.is_empty() => report(ended),
        }
    }
    // Closing the listener makes the kernel refuse new connections.
    drop(listener);
    // Only fails when no client task is left to tell.
    let _ = stop.send(true);
    let drained = edgeio::time::timeout(DRAIN, async {
        while let Some(ended) = clients.join_next().await {
            report(ended);
        }
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "chat: {} client(s) still busy after {DRAIN:?}: aborted",
            clients.len()
        );
        clients.shutdown().await;
    }
    Ok(())
}

/// Logs how a client task ended, if badly (a reset connection, a panic).
fn report(ended: Result<io::Result<()>, edgeio::JoinError>) {
    match ended {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("chat: client connection failed: {e}"),
        Err(e) => eprintln!("chat: client task failed: {e}"),
    }
}

/// One client, from the username prompt until it leaves or the server
/// stops.
async fn client(
    id: u64,
    stream: TcpStream,
    lines: broadcast::Sender<Message>,
    mut stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    // `&TcpStream` reads and writes too: the buffered reader and the
    // writer share the socket within this task, no split needed.
    let mut incoming = BufReader::new(&stream).lines();
    let mut out = &stream;
    out.write_all(format!("{PROMPT}\n").as_bytes()).await?;
    let name = edgeio::select! {
        line = incoming.next() => match line {
            Some(line) => line?,
            None => return Ok(()),
        },
        _ = stopped.changed() => return say_goodbye(out).await,
    };
    let name = name.trim().to_owned();
    // Subscribed before the welcome: every line sent after the client
    // reads it reaches this client.
    let mut received = lines.subscribe();
    out.write_all(format!("*** Welcome to the chat, {name}!\n").as_bytes())
        .await?;
    announce(&lines, id, format!("*** {name} has joined the chat"));
    let ended = loop {
        // Each branch's future is cancel-safe: `incoming` keeps a partly
        // read line, `recv` and `changed` lose nothing when dropped.
        edgeio::select! {
            line = incoming.next() => match line {
                Some(Ok(line)) => {
                    // Fails only when no client is subscribed, not even
                    // this one: impossible while `received` lives.
                    let _ = lines.send(Message {
                        from: id,
                        line: format!("{name}: {line}\n").into(),
                    });
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(()),
            },
            message = received.recv() => match message {
                Ok(message) if message.from == id => {}
                Ok(message) => {
                    if let Err(e) = out.write_all(message.line.as_bytes()).await {
                        break Err(e);
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    let notice = format!("*** you fell behind: {missed} line(s) missed\n");
                    if let Err(e) = out.write_all(notice.as_bytes()).await {
                        break Err(e);
                    }
                }
                // The server holds a sender until every client task has
                // ended, so this is the server going away.
                Err(RecvError::Closed) => break Ok(()),
            },
            _ = stopped.changed() => break say_goodbye(out).await,
        }
    };
    announce(&lines, id, format!("*** {name} has left the chat"));
    ended
}

/// Sends a line from the server about client `about` to every other
/// client.
fn announce(lines: &broadcast::Sender<Message>, about: u64, text: String) {
    let _ = lines.send(Message {
        from: about,
        line: format!("{text}\n").into(),
    });
}

/// The last line a client gets when the server stops.
async fn say_goodbye(mut out: &TcpStream) -> io::Result<()> {
    out.write_all(b"*** server shutting down\n").await
}
