//! Asynchronous signal handling: [`ctrl_c`] and, for any signal,
//! [`unix::signal`] — tokio's `signal` module.
//!
//! Signals reach tasks through the reactor: a process-wide handler records
//! each delivery and writes a byte to a self-pipe whose read end sits in
//! the epoll set (see [`unix::signal`] for what installing it means).

mod ctrl_c;
mod registry;
mod runtime_pipe;
pub mod unix;

pub use ctrl_c::ctrl_c;
