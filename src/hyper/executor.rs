//! [`Executor`]: hyper's background work as edgeio tasks.

use std::future::Future;

/// A [`hyper::rt::Executor`] that runs each future hyper hands it (an
/// HTTP/2 stream, a client connection's driver, the pool's idle sweeper)
/// as a detached edgeio task, like hyper-util's `TokioExecutor`.
///
/// # Panics
///
/// `execute` panics outside an edgeio runtime, as [`crate::spawn`] does.
/// hyper calls it from the tasks that serve or use connections, which run
/// inside one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Executor;

impl<F> hyper::rt::Executor<F> for Executor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        crate::spawn(future).detach();
    }
}
