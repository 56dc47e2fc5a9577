// `#[edgeio::main]` returning a `Result`, with `?` and `worker_threads`.
use std::io;

#[edgeio::main(worker_threads = 2)]
async fn main() -> io::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let answer = edgeio::spawn(async { 6 * 7 }).await.unwrap();
    assert_eq!(answer, 42);
    drop(listener);
    Ok(())
}
