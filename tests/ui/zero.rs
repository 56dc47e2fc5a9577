#[edgeio::main(worker_threads = 0)]
async fn main() {}

#[edgeio::test(worker_threads = 0, timeout_secs = 0)]
async fn zero() {}
