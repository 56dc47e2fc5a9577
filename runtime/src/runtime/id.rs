//! [`Id`]: which runtime a handle belongs to.

use std::fmt;
use std::num::NonZeroU64;

/// An opaque identifier of a runtime, unique among the runtimes of the
/// process (tokio's `runtime::Id`); see [`Handle::id`](crate::Handle::id).
/// Ids are not reused while the process runs.
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq)]
pub struct Id(NonZeroU64);

impl Id {
    /// The id of the runtime numbered `number` (from 0) at its creation.
    pub(crate) fn from_number(number: u64) -> Id {
        Id(NonZeroU64::MIN.saturating_add(number))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
