//! tokio's `tokio/tests/macros_test.rs`, ported to edgeio by renaming `tokio` to
//! `edgeio`; adaptations are commented where made.
//!
//! Left out: the `macro_rt_arg_unhandled_panic` module (tokio_unstable
//! only: the `unhandled_panic` argument).

#[path = "support/tokio_test.rs"]
mod tokio_test;

use edgeio::test;

#[test]
async fn test_macro_can_be_used_via_use() {
    edgeio::spawn(async {}).await.unwrap();
}

#[edgeio::test]
async fn test_macro_is_resilient_to_shadowing() {
    edgeio::spawn(async {}).await.unwrap();
}

// https://github.com/tokio-rs/tokio/issues/3403
#[rustfmt::skip] // this `rustfmt::skip` is necessary because unused_braces does not warn if the block contains newline.
#[edgeio::main]
pub async fn unused_braces_main() { println!("hello") }
#[rustfmt::skip] // this `rustfmt::skip` is necessary because unused_braces does not warn if the block contains newline.
#[edgeio::test]
async fn unused_braces_test() { assert_eq!(1 + 1, 2) }

// https://github.com/tokio-rs/tokio/pull/3766#issuecomment-835508651
#[std::prelude::v1::test]
fn trait_method() {
    let _watchdog = tokio_test::watchdog();
    trait A {
        fn f(self);

        fn g(self);
    }
    impl A for () {
        #[edgeio::main]
        async fn f(self) {
            self.g()
        }

        fn g(self) {}
    }
    ().f()
}

// https://github.com/tokio-rs/tokio/issues/4175
#[edgeio::main]
pub async fn issue_4175_main_1() -> ! {
    panic!();
}
#[edgeio::main]
pub async fn issue_4175_main_2() -> std::io::Result<()> {
    panic!();
}
#[allow(unreachable_code)]
#[edgeio::test]
pub async fn issue_4175_test() -> std::io::Result<()> {
    return Ok(());
    panic!();
}

// https://github.com/tokio-rs/tokio/issues/4175
#[allow(clippy::let_unit_value)]
pub mod clippy_semicolon_if_nothing_returned {
    #![deny(clippy::semicolon_if_nothing_returned)]

    #[edgeio::main]
    pub async fn local() {
        let _x = ();
    }
    #[edgeio::main]
    pub async fn item() {
        fn _f() {}
    }
    #[edgeio::main]
    pub async fn semi() {
        panic!();
    }
    #[edgeio::main]
    pub async fn empty() {
        // To trigger clippy::semicolon_if_nothing_returned lint, the block needs to contain newline.
    }
}

// https://github.com/tokio-rs/tokio/issues/5243
pub mod issue_5243 {
    macro_rules! mac {
        (async fn $name:ident() $b:block) => {
            #[::edgeio::test]
            async fn $name() {
                $b
            }
        };
    }
    mac!(
        async fn foo() {}
    );
}

#[edgeio::test(name = "a valid runtime name")]
async fn test_macro_should_handle_the_name_if_provided() {
    let handle = edgeio::runtime::Handle::current();

    assert_eq!("a valid runtime name", handle.name().unwrap())
}
