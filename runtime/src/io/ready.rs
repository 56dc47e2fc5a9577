//! [`Ready`]: the readiness an fd has shown, as a wait reports it.

use std::fmt;
use std::ops;

/// What the reactor last saw of an fd, as returned by
/// [`ready`](crate::Registration::ready) (and the sockets' `ready`), with
/// tokio's names.
///
/// It is a snapshot and a hint: readiness is only forgotten when an
/// operation reports `WouldBlock`, so after a `Ready` that says readable,
/// read with a `try_` method until it does.
///
/// ```
/// use edgeio_runtime::Ready;
///
/// let ready = Ready::READ_CLOSED | Ready::WRITABLE;
/// // A hang-up counts as readable: the next read returns end of stream.
/// assert!(ready.is_readable() && ready.is_read_closed());
/// assert!(ready.is_writable() && !ready.is_write_closed());
/// assert!((ready - Ready::WRITABLE).is_read_closed());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;
const READ_CLOSED: u8 = 1 << 2;
const WRITE_CLOSED: u8 = 1 << 3;
const ERROR: u8 = 1 << 4;
const PRIORITY: u8 = 1 << 5;

impl Ready {
    /// Nothing is ready.
    pub const EMPTY: Ready = Ready(0);
    /// Data (or a connection to accept) was reported.
    pub const READABLE: Ready = Ready(READABLE);
    /// Room to write was reported.
    pub const WRITABLE: Ready = Ready(WRITABLE);
    /// The peer will send nothing more (`EPOLLRDHUP` or `EPOLLHUP`).
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);
    /// Nothing more can be sent (`EPOLLHUP`).
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);
    /// An error is pending (`EPOLLERR`); the next operation reports it.
    pub const ERROR: Ready = Ready(ERROR);
    /// Urgent data (`EPOLLPRI`: TCP out-of-band data, or a change on a
    /// special file that signals that way), for `Interest::PRIORITY`.
    pub const PRIORITY: Ready = Ready(PRIORITY);
    /// Every readiness at once.
    pub const ALL: Ready = Ready(READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | ERROR | PRIORITY);

    /// Whether nothing is ready.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a read would not wait: readable or read-closed (where it
    /// returns end of stream), as in tokio.
    #[must_use]
    pub const fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }

    /// Whether a write would not wait: writable or write-closed (where it
    /// fails at once), as in tokio.
    #[must_use]
    pub const fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }

    /// Whether the reading half has been closed by the peer.
    #[must_use]
    pub const fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }

    /// Whether the writing half has been closed.
    #[must_use]
    pub const fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }

    /// Whether an error is pending. A `Ready` from `ready()` then also
    /// says readable (writable) for the directions waited on: the next
    /// operation is what reports the error.
    #[must_use]
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Whether urgent data was reported (`EPOLLPRI`).
    #[must_use]
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether every readiness in `other` is also in `self`.
    #[must_use]
    pub const fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;

    fn bitand(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl ops::Sub for Ready {
    type Output = Ready;

    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("is_readable", &(self.0 & READABLE != 0))
            .field("is_writable", &(self.0 & WRITABLE != 0))
            .field("is_read_closed", &self.is_read_closed())
            .field("is_write_closed", &self.is_write_closed())
            .field("is_error", &self.is_error())
            .field("is_priority", &self.is_priority())
            .finish()
    }
}
