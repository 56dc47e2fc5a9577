#[edgeio::test]
struct NotAFunction;

fn main() {
    let _ = NotAFunction;
}
