// `#[edgeio::main]` with attributes, `pub`, inner attributes and a body
// that is a single expression.
#[edgeio::main]
#[allow(clippy::needless_return)]
pub async fn main() {
    #![allow(unused_variables)]
    let unused = 1;
    edgeio::spawn(async { edgeio::time::sleep(std::time::Duration::from_millis(1)).await })
        .await
        .unwrap()
}
