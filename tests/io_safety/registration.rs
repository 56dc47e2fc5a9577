use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;

use edgeio::Registration;

#[edgeio::main]
async fn main() -> std::io::Result<()> {
    // A registration does not own its fd, so creating one is unsafe.
    let (a, _b) = UnixStream::pair()?;
    let _registration = Registration::new(a.as_fd())?;
    Ok(())
}
