//! I/O: the epoll reactor, the registry of fds it watches, the readiness
//! each fd has shown, and the futures that wait for it.

pub(crate) mod async_fd;
pub(crate) mod interest;
pub(crate) mod reactor;
pub(crate) mod ready;
pub(crate) mod registration;
pub(crate) mod registry;
pub(crate) mod shutdown_error;
pub(crate) mod source;
