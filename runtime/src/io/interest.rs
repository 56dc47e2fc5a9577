//! [`Interest`]: which directions of an fd a wait is about.

use std::fmt;
use std::ops;

/// What a [`ready`](crate::Registration::ready) call waits for, as in
/// tokio: [`Interest::READABLE`], [`Interest::WRITABLE`],
/// [`Interest::PRIORITY`], [`Interest::ERROR`], or several at once
/// (`Interest::READABLE | Interest::WRITABLE`).
///
/// Every fd is registered for everything once, so an interest only
/// chooses what to wait for; it never changes the registration. A pending
/// error also wakes a wait for reading or writing (and shows as
/// [`Ready::is_error`](crate::Ready::is_error) beside the direction), and
/// urgent data also counts as readable; `ERROR` and `PRIORITY` are for a
/// wait that wants nothing else: the error queue of a socket with send
/// timestamps, out-of-band data, a sysfs GPIO value.
///
/// ```
/// use edgeio_runtime::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// assert!(Interest::ERROR.is_error() && !Interest::ERROR.is_readable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;
const PRIORITY: u8 = 1 << 2;
const ERROR: u8 = 1 << 3;

impl Interest {
    /// Interest in reading (data, a connection to accept, end of stream).
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in writing (room in the send buffer, a finished `connect`).
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Interest in urgent data only (`EPOLLPRI`).
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// Interest in a pending error only (`EPOLLERR`), such as a socket's
    /// error queue filling.
    pub const ERROR: Interest = Interest(ERROR);

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

    /// Whether the interest includes urgent data.
    #[must_use]
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether the interest includes errors.
    #[must_use]
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
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
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}
