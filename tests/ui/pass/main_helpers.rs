// `#[edgeio::main]` on functions other than `main`, as tokio's allows: a
// method taking `self`, one taking `&self`, a generic helper. Each runs
// its body on a runtime of its own.
struct Counter(u32);

impl Counter {
    #[edgeio::main]
    async fn total(self) -> u32 {
        edgeio::spawn(async move { self.0 + 1 }).await.unwrap()
    }

    #[edgeio::main(flavor = "current_thread")]
    async fn peek(&self) -> u32 {
        self.0
    }
}

#[edgeio::main(worker_threads = 1)]
async fn sum<T: Into<u64> + Send + 'static>(items: Vec<T>) -> u64 {
    items.into_iter().map(Into::into).sum()
}

#[edgeio::main(name = "named", crate = "edgeio")]
async fn name() -> Option<String> {
    edgeio::runtime::Handle::current().name().map(str::to_owned)
}

fn main() {
    assert_eq!(name().as_deref(), Some("named"));
    assert_eq!(Counter(1).peek(), 1);
    assert_eq!(Counter(1).total(), 2);
    assert_eq!(sum(vec![1u32, 2, 3]), 6);
}
