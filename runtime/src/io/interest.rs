//! [`Interest`]: which directions of an fd a wait is about.

use std::fmt;
use std::ops;

/// The directions a [`ready`](crate::Registration::ready) call waits for,
/// as in tokio: [`Interest::READABLE`], [`Interest::WRITABLE`], or both
/// (`Interest::READABLE | Interest::WRITABLE`).
///
/// Every fd is registered for both directions once, so an interest only
/// chooses what to wait for; it never changes the registration. tokio's
/// `Interest::ERROR` and `Interest::PRIORITY` are not offered: an error
/// wakes waiters of either direction here (and shows as
/// [`Ready::is_error`](crate::Ready::is_error)), and urgent data
/// (`EPOLLPRI`) counts as readable.
///
/// ```
/// use edgeio_runtime::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;

impl Interest {
    /// Interest in reading (data, a connection to accept, end of stream).
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in writing (room in the send buffer, a finished `connect`).
    pub const WRITABLE: Interest = Interest(WRITABLE);

    /// Whether the interest includes reading.
    #[must_use]
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether the interest includes writing.
    #[must_use]
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Both interests together (the `const` form of `|`).
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This interest without `other`'s directions; `None` if nothing would
    /// be left (an interest is never empty).
    #[must_use]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        (left != 0).then_some(Interest(left))
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, _) => f.write_str("WRITABLE"),
        }
    }
}
