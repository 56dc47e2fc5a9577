//! The HTTP/1.1 hello world both ends of the http rows speak: the request
//! the built-in client sends, and the session (request parsing,
//! keep-alive, pipelining, the response) of `examples/http_hello/`, shared
//! with the example rather than copied, that the twin handlers and the
//! floor serve with.

#[path = "../../examples/http_hello/session.rs"]
mod session;

pub use session::Session;
pub use session::RESPONSE;

/// The request the built-in client sends.
pub const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::session::CLOSE_RESPONSE;
    use super::*;

    #[test]
    fn keep_alive_and_pipelining() {
        let mut session = Session::default();
        let mut two = REQUEST.to_vec();
        two.extend_from_slice(REQUEST);
        assert!(!session.feed(&two[..10]));
        assert!(session.output.is_empty());
        assert!(!session.feed(&two[10..]));
        assert_eq!(session.output, [RESPONSE, RESPONSE].concat());
        session.output.clear();
        assert!(session.feed(b"GET / HTTP/1.0\r\n\r\n"));
        assert_eq!(session.output, CLOSE_RESPONSE);
    }
}
