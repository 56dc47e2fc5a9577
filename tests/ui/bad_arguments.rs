#[edgeio::test(threads = 2)]
async fn unknown_name() {}

#[edgeio::test(worker_threads = "2")]
async fn string_value() {}

#[edgeio::test(timeout_secs = 1.5)]
async fn float_value() {}

#[edgeio::test(worker_threads)]
async fn missing_value() {}

#[edgeio::test(timeout_secs = 5, timeout_secs = 6)]
async fn duplicate() {}

#[edgeio::test(timeout_secs = -1)]
async fn negative() {}

#[edgeio::main(worker_threads = 2, timeout_secs = 5)]
async fn main() {}

#[edgeio::test(worker_threads = 100000000000000000000000)]
async fn too_large() {}

#[edgeio::test(worker_threads = 2,)]
async fn trailing_comma_is_fine() {}

#[edgeio::test(worker_threads(2))]
async fn list_syntax() {}

#[edgeio::test(edgeio::timeout_secs = 2)]
async fn path_name() {}

#[edgeio::test(flavor = "single")]
async fn unknown_flavor() {}

#[edgeio::test(flavor = "current_thread", worker_threads = 2)]
async fn workers_on_current_thread() {}

#[edgeio::main(start_paused = true)]
async fn paused_multi_thread() {}

#[edgeio::test(start_paused = 1)]
async fn paused_not_a_bool() {}
