//! The synchronization primitives of the hand-written protocols
//! (`io/source.rs`, `executor/idle.rs`), taken from `loom` when the crate is built with
//! `RUSTFLAGS="--cfg loom"` so its model checker can explore every
//! interleaving, and from `std` otherwise. The loom types have the same
//! API as the std ones for what we use (including `LockResult`, so
//! `unwrap_or_else(|e| e.into_inner())` compiles under both).
//!
//! Run the models with:
//! `RUSTFLAGS="--cfg loom" cargo test -p edgeio-runtime --release --test loom_source --test loom_idle`

#[cfg(loom)]
pub(crate) use loom::sync::atomic::AtomicUsize;
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::AtomicUsize;
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};
