//! The runtime: a reactor, a blocking pool, and either a pool of worker
//! threads (multi-thread) or one worker run by `block_on`'s caller
//! (current-thread).

pub(crate) mod builder;
pub(crate) mod handle;
pub(crate) mod id;
pub(crate) mod local_runtime;
pub(crate) mod metrics;
// tokio's layout: the `Runtime` type in `runtime/runtime.rs`.
#[allow(clippy::module_inception)]
pub(crate) mod runtime;

pub use builder::Builder;
pub use handle::{spawn, spawn_blocking, EnterGuard, Handle, RuntimeFlavor};
pub use id::Id;
pub use local_runtime::{LocalOptions, LocalRuntime, LocalRuntimeEnterGuard};
pub use metrics::Metrics;
pub use runtime::Runtime;
