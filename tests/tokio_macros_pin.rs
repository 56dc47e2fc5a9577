//! tokio's `tokio/tests/macros_pin.rs`, ported to edgeio by renaming `tokio`
//! to `edgeio`.
//!
//! Left out: the `wasm_bindgen_test` variant of `maybe_tokio_test` (wasm).

use edgeio::test as maybe_tokio_test;

async fn one() {}
async fn two() {}

#[maybe_tokio_test]
async fn multi_pin() {
    edgeio::pin! {
        let f1 = one();
        let f2 = two();
    }

    (&mut f1).await;
    (&mut f2).await;
}
