#[edgeio::test]
async fn takes_an_argument(n: u32) {
    assert_eq!(n, 1);
}

#[edgeio::test]
async fn generic<T: Default>() {
    let _ = T::default();
}

fn main() {}
