use std::os::unix::net::UnixStream;

use edgeio::net::Async;

#[edgeio::main]
async fn main() -> std::io::Result<()> {
    // Through `&mut T` the fd could be replaced while registered.
    let (a, b) = UnixStream::pair()?;
    let mut b = Async::new(b)?;
    *b.get_mut() = a;
    Ok(())
}
