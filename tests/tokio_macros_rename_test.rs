//! tokio's `tokio/tests/macros_rename_test.rs`, ported to edgeio by renaming
//! `tokio` to `edgeio`: the name `edgeio` is shadowed by `std`, and the
//! attributes find the crate through `crate = "..."` under other names
//! (`use` renames, as tokio's test does; no renamed dependency needed).
//!
//! Nothing left out.

#[path = "support/tokio_test.rs"]
mod tokio_test;

#[allow(unused_imports)]
use std as edgeio;

use ::edgeio as tokio1;

mod test {
    pub use ::edgeio;
}

async fn compute() -> usize {
    let join = tokio1::spawn(async { 1 });
    join.await.unwrap()
}

#[tokio1::main(crate = "tokio1")]
async fn compute_main() -> usize {
    compute().await
}

#[test]
fn crate_rename_main() {
    let _watchdog = tokio_test::watchdog();
    assert_eq!(1, compute_main());
}

#[tokio1::test(crate = "tokio1")]
async fn crate_rename_test() {
    assert_eq!(1, compute().await);
}

#[test::edgeio::test(crate = "test::edgeio")]
async fn crate_path_test() {
    assert_eq!(1, compute().await);
}
