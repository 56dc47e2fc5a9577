//! Time: [`sleep`], [`timeout`], [`interval`], [`Instant`] and a paused
//! clock for tests ([`pause`], [`advance`], [`resume`]), with tokio's
//! names and semantics.
//!
//! # How timers work
//!
//! Each runtime has one hierarchical timing wheel (six levels of 64 slots,
//! 1 ms resolution, as tokio's) kept by its reactor, and the reactor sizes
//! its `epoll_wait` timeout to the wheel's next expiry. Inserting and
//! cancelling a timer are O(1), and none of it happens under a lock that
//! tasks share: a [`Sleep`] owns an entry it updates with atomics and
//! hands changes to the wheel through a lock-free queue, which the worker
//! driving the reactor applies before it waits (only a task that fills
//! the queue with a burst of changes files them itself, under the wheel's
//! lock). A pending timer costs one 56-byte allocation besides the `Sleep`
//! itself (see `time/driver.rs`).

pub(crate) mod clock;
pub(crate) mod driver;
pub(crate) mod entry;
pub mod error;
pub(crate) mod instant;
mod interval;
pub(crate) mod pause;
pub(crate) mod sleep;
mod timeout;
mod wheel;

pub use error::Elapsed;
pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use pause::{advance, pause, resume};
pub use sleep::{sleep, sleep_until, Sleep};
/// `std`'s, re-exported as `tokio::time::Duration` is, so that
/// `use tokio::time::{sleep, Duration}` ports by renaming.
pub use std::time::Duration;
pub use timeout::{timeout, timeout_at, Timeout};
