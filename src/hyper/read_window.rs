//! [`ReadWindow`]: how much of hyper's read buffer [`Io`](super::Io)
//! zeroes and reads into.
//!
//! A `futures-io` reader takes a `&mut [u8]`, so `Io` must zero the
//! memory hyper offers before reading into it. hyper offers its whole
//! spare capacity (8 KiB and up), and it asks again after every message,
//! a read that usually returns `Pending`: zeroing all of it costs two
//! `memset`s of several KiB per request and keeps every connection's
//! buffer hot in the cache. The window zeroes about what the connection
//! actually reads instead, adapting like hyper's own read strategy: it
//! doubles when a read fills it, and halves after two reads in a row that
//! used less than half of it.

/// The smallest window. A request head or a small message fits in one
/// read, and zeroing 1 KiB is far cheaper than the extra system call a
/// too-small window costs; the window starts here.
const MIN: usize = 1024;

/// The largest window: about the most a TCP receive hands over at once
/// (the kernel's default receive buffer is 128 KiB, half of it payload).
const MAX: usize = 64 * 1024;

/// The size of `Io`'s next read, adapted to the sizes of its past reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReadWindow {
    len: usize,
    /// Whether the last read used less than half of the window.
    shrinking: bool,
}

impl ReadWindow {
    pub(super) fn new() -> Self {
        ReadWindow {
            len: MIN,
            shrinking: false,
        }
    }

    /// How many bytes the next read may ask for.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Adapts to a read that returned `n` bytes when offered `offered`
    /// (at most [`len`](Self::len); less when hyper's buffer was shorter,
    /// and then a full read says nothing about the window).
    pub(super) fn record(&mut self, n: usize, offered: usize) {
        if n == self.len && offered == self.len {
            self.len = (self.len * 2).min(MAX);
            self.shrinking = false;
        } else if n < self.len / 2 {
            if self.shrinking {
                self.len = (self.len / 2).max(MIN);
            }
            self.shrinking = !self.shrinking;
        } else {
            self.shrinking = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_doubling_on_full_reads_up_to_max() {
        let mut window = ReadWindow::new();
        assert_eq!(window.len(), MIN);
        for _ in 0..20 {
            let len = window.len();
            window.record(len, len);
        }
        assert_eq!(window.len(), MAX);
    }

    #[test]
    fn a_full_read_of_a_short_buffer_does_not_grow_it() {
        let mut window = ReadWindow::new();
        window.record(100, 100);
        assert_eq!(window.len(), MIN);
    }

    #[test]
    fn halves_after_two_small_reads_in_a_row_down_to_min() {
        let mut window = ReadWindow::new();
        window.record(MIN, MIN);
        window.record(2 * MIN, 2 * MIN);
        assert_eq!(window.len(), 4 * MIN);
        window.record(10, 4 * MIN);
        assert_eq!(window.len(), 4 * MIN, "one small read keeps the window");
        window.record(10, 4 * MIN);
        assert_eq!(window.len(), 2 * MIN);
        for _ in 0..10 {
            window.record(10, window.len());
        }
        assert_eq!(window.len(), MIN);
    }

    #[test]
    fn a_read_of_at_least_half_keeps_the_window() {
        let mut window = ReadWindow::new();
        window.record(MIN, MIN);
        for _ in 0..10 {
            window.record(10, 2 * MIN);
            window.record(MIN, 2 * MIN);
        }
        assert_eq!(window.len(), 2 * MIN);
    }
}
