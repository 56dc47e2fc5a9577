//! [`HyperToTowerService`]: a hyper service where a tower one is expected.

use std::task::{Context, Poll};

/// Wraps a [`hyper::service::Service`] (such as one made with hyper's
/// `service_fn`) as a [`tower_service::Service`], for
/// [`serve`](super::serve): the reverse of hyper-util's
/// `TowerToHyperService`. hyper's services have no readiness to wait for,
/// so `poll_ready` is always ready.
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperToTowerService<S> {
    inner: S,
}

impl<S> HyperToTowerService<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        HyperToTowerService { inner }
    }

    /// Unwraps the hyper service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, R> tower_service::Service<R> for HyperToTowerService<S>
where
    S: hyper::service::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: R) -> S::Future {
        self.inner.call(request)
    }
}
