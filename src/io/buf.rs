//! [`Buf`]: the bytes an object backed by the blocking pool
//! ([`fs::File`](crate::fs::File), [`Stdin`](super::Stdin),
//! [`Stdout`](super::Stdout)) hands to, and gets back from, the pool thread
//! that does its I/O.
//!
//! The buffer moves into the blocking job and back with the result, so the
//! caller's own buffer is never borrowed across an `.await`, and the
//! allocation is reused from one operation to the next.

use std::cmp;
use std::io::{self, IoSlice, Read, Write};

/// The largest number of bytes one blocking read or write moves: 2 MiB,
/// tokio's default. Bigger caller buffers are served in several
/// operations, so one call never allocates without bound.
pub(crate) const MAX_BUF: usize = 2 * 1024 * 1024;

/// Bytes read ahead (`buf[pos..]` not yet handed to the caller), or bytes
/// to write (all of `buf`).
#[derive(Debug, Default)]
pub(crate) struct Buf {
    buf: Vec<u8>,
    pos: usize,
}

impl Buf {
    /// Bytes read but not yet handed out.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves as many buffered bytes as fit into `dst`.
    pub(crate) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = cmp::min(self.len(), dst.len());
        dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.buf.len() {
            self.clear();
        }
        n
    }

    /// Takes up to `max` bytes of `src` to write. The buffer must be empty.
    pub(crate) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        debug_assert!(self.is_empty());
        let n = cmp::min(src.len(), max);
        self.buf.extend_from_slice(&src[..n]);
        n
    }

    /// Takes up to `max` bytes of `bufs`, in order, to write. The buffer
    /// must be empty.
    pub(crate) fn copy_from_bufs(&mut self, bufs: &[IoSlice<'_>], max: usize) -> usize {
        debug_assert!(self.is_empty());
        for src in bufs {
            let n = cmp::min(src.len(), max - self.buf.len());
            self.buf.extend_from_slice(&src[..n]);
            if self.buf.len() == max {
                break;
            }
        }
        self.buf.len()
    }

    /// Drops the bytes read ahead and returns how far the OS file offset
    /// is ahead of the caller's position: the (negative) offset to seek by
    /// to put it back.
    pub(crate) fn discard_read(&mut self) -> i64 {
        // A buffer never holds more than `MAX_BUF` bytes.
        let ahead = -(self.len() as i64);
        self.clear();
        ahead
    }

    /// Reads at most `len` bytes from `reader`, retrying on `Interrupted`.
    /// The buffer must be empty.
    pub(crate) fn read_from<R: Read>(&mut self, reader: &mut R, len: usize) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        self.buf.resize(len, 0);
        let result = loop {
            match reader.read(&mut self.buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        match result {
            Ok(n) => self.buf.truncate(n),
            Err(_) => self.buf.clear(),
        }
        result
    }

    /// Writes the whole buffer to `writer` and empties it, whether or not
    /// that succeeded.
    pub(crate) fn write_to<W: Write>(&mut self, writer: &mut W) -> io::Result<()> {
        debug_assert_eq!(self.pos, 0);
        let result = writer.write_all(&self.buf);
        self.clear();
        result
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.pos = 0;
    }
}
