use edgeio::net::Async;

#[edgeio::main]
async fn main() -> std::io::Result<()> {
    // A bare fd number is not an I/O object that owns its fd.
    let _stdin = Async::new(0)?;
    Ok(())
}
