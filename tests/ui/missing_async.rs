#[edgeio::main]
fn main() {}

#[edgeio::test]
fn not_async() {}
