//! The runtime-independent half of the `http_hello` server: parsing
//! HTTP/1.1 request headers and queueing responses, with keep-alive and
//! pipelining. Shared by `examples/http_hello/main.rs` and the benchmark
//! servers (`benches/src/http_wire.rs` includes it with `#[path]`), so both
//! runtimes are measured on exactly this logic.

/// The response to every well-formed request.
pub const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
/// The response to a request that asked to close the connection.
pub const CLOSE_RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!";
const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// Largest request header accepted.
const MAX_HEADER: usize = 16 * 1024;

/// What one request header says about the connection.
struct Request {
    /// Bytes of header plus body.
    len: usize,
    close: bool,
}

/// Parses one request header from the start of `buf`; `Ok(None)` if it is
/// not complete yet.
fn parse(buf: &[u8]) -> Result<Option<Request>, ()> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() > MAX_HEADER { Err(()) } else { Ok(None) };
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(drop)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or(())?;
    let http10 = request_line.ends_with("HTTP/1.0");
    let mut body = 0usize;
    let mut close = http10;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(())?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            body = value.parse().map_err(drop)?;
        } else if name.eq_ignore_ascii_case("connection") {
            close =
                value.eq_ignore_ascii_case("close") || (http10 && !value.eq_ignore_ascii_case("keep-alive"));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(());
        }
    }
    Ok(Some(Request {
        len: end + 4 + body,
        close,
    }))
}

/// The runtime-independent part of a connection: buffered input and the
/// responses to write.
#[derive(Default)]
pub struct Session {
    input: Vec<u8>,
    /// Responses to write, in order; the caller writes and clears them.
    pub output: Vec<u8>,
}

impl Session {
    /// Takes freshly read bytes, queues a response for every complete
    /// request; returns whether the connection must close after writing.
    pub fn feed(&mut self, data: &[u8]) -> bool {
        self.input.extend_from_slice(data);
        let mut consumed = 0;
        let mut close = false;
        loop {
            match parse(&self.input[consumed..]) {
                Ok(Some(request)) if consumed + request.len <= self.input.len() => {
                    consumed += request.len;
                    close = request.close;
                    self.output
                        .extend_from_slice(if close { CLOSE_RESPONSE } else { RESPONSE });
                    if close {
                        break;
                    }
                }
                // Incomplete header, or a body still arriving.
                Ok(_) => break,
                Err(()) => {
                    self.output.extend_from_slice(BAD_REQUEST);
                    close = true;
                    break;
                }
            }
        }
        self.input.drain(..consumed);
        close
    }
}
