//! [`asyncify`]: one blocking `std::fs` call, run on the blocking pool.

use std::io;

use edgeio_runtime::Handle;

/// Runs `f` on the current runtime's blocking pool and returns its result.
///
/// # Errors
///
/// Those of `f`; an error rather than a panic outside a runtime; and,
/// should the pool drop the job (the runtime is shutting down), an error
/// saying so.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let handle = Handle::try_current()?;
    match handle.spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(e.into()),
    }
}
