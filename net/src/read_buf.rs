//! Reading into a `bytes::BufMut`'s spare capacity without zeroing it
//! first: what the `*_buf` methods (`try_read_buf`, `recv_buf`, ...)
//! share.

use std::io;
use std::mem::MaybeUninit;

use bytes::BufMut;

/// Runs `read` on `buf`'s next chunk of spare capacity and advances `buf`
/// by the bytes it reports; returns that count.
///
/// `read` must only *write* to the slice it is given, and return how many
/// bytes at its start it wrote: a `recv` into it does exactly that.
pub(crate) fn read_buf<B: BufMut + ?Sized, R>(
    buf: &mut B,
    read: impl FnOnce(&mut [MaybeUninit<u8>]) -> io::Result<R>,
) -> io::Result<R>
where
    R: Filled,
{
    let chunk = buf.chunk_mut();
    // SAFETY: the slice is only handed to `read`, which writes initialized
    // bytes into it and never reads from it (this function's contract).
    let dst = unsafe { chunk.as_uninit_slice_mut() };
    let len = dst.len();
    let result = read(dst)?;
    let n = result.filled();
    if n > len {
        // A broken `read`; never advance past what it was given.
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "read reported more bytes than the buffer holds",
        ));
    }
    // SAFETY: `read` initialized the first `n` bytes of the chunk, and
    // `n <= len`, the chunk's length.
    unsafe { buf.advance_mut(n) };
    Ok(result)
}

/// How many bytes a read result says it wrote.
pub(crate) trait Filled {
    fn filled(&self) -> usize;
}

impl Filled for usize {
    fn filled(&self) -> usize {
        *self
    }
}

impl<A> Filled for (usize, A) {
    fn filled(&self) -> usize {
        self.0
    }
}
