//! [`Instant`]: a point in time on the runtime's clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::time::clock::{self, ClockInner, FAR_FUTURE};

/// A measurement of the runtime's monotonic clock, as tokio's
/// `time::Instant`.
///
/// It wraps [`std::time::Instant`] and converts to and from it freely; the
/// difference is [`Instant::now`], which honours a paused clock (see
/// [`pause`](crate::time::pause)): inside a runtime whose clock is paused
/// it returns the paused reading. Use it, rather than the std type, for
/// deadlines of code meant to be tested with a paused clock.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time: the current runtime's clock, which is the system
    /// clock unless paused.
    #[must_use]
    pub fn now() -> Instant {
        Instant::from_std(clock::now())
    }

    /// Wraps a [`std::time::Instant`].
    #[must_use]
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The [`std::time::Instant`] this wraps.
    #[must_use]
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later (as
    /// tokio, which never panics here).
    #[must_use]
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    #[must_use]
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`; zero if `earlier` is later.
    #[must_use]
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time since `self` on the runtime's clock (zero if `self` is later).
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    #[must_use]
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that cannot be represented.
    #[must_use]
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// About 30 years from now: the deadline of a wait too long to
    /// represent.
    pub(crate) fn far_future() -> Instant {
        Instant::now() + FAR_FUTURE
    }

    /// `self + duration`, or [`Instant::far_future`] where that cannot be
    /// represented: a deadline is never a reason to panic.
    pub(crate) fn saturating_add(self, duration: Duration) -> Instant {
        self.checked_add(duration).unwrap_or_else(Instant::far_future)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented, as `std::time::Instant`'s.
    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented, as `std::time::Instant`'s.
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturates at zero, as tokio's.
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}

/// A clock's readings as [`Instant`]s.
impl ClockInner {
    /// The current time on this clock.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_std(self.now_std())
    }

    /// Moves a paused clock forward to `target` if it is later; used by
    /// auto-advance. Returns whether the clock moved.
    pub(crate) fn advance_to(&self, target: Instant) -> bool {
        self.advance_to_std(target.std)
    }
}
