// A `JoinHandle` whose output is not `Send` must not be `Send` either:
// the soundness of aborting such a task (`LocalCancel` in
// `join_handle.rs`) rests on it.
use std::rc::Rc;

fn must_be_send<T: Send>(_: T) {}

fn main() {
    let local = edgeio::task::LocalSet::new();
    let handle = local.spawn_local(async { Rc::new(1) });
    handle.abort();
    must_be_send(handle);
}
