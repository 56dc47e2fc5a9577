//! `trace!` forwards to `tracing::trace!` with the `tracing` feature, and
//! compiles to nothing without it, so the hot paths pay nothing by default.

#[cfg(feature = "tracing")]
macro_rules! trace {
    ($($arg:tt)*) => { tracing::trace!(target: "edgeio", $($arg)*) };
}

#[cfg(not(feature = "tracing"))]
macro_rules! trace {
    ($($arg:tt)*) => {};
}

pub(crate) use trace;
