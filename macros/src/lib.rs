//! The `#[edgeio::main]` and `#[edgeio::test]` attribute macros.
//!
//! Use them through the `edgeio` crate, which re-exports both; this crate
//! is an implementation detail. Each turns an `async fn` into an ordinary
//! one that builds an edgeio runtime and blocks on the function's body:
//!
//! ```ignore
//! #[edgeio::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:7000")?;
//!     // ...
//!     Ok(())
//! }
//!
//! #[edgeio::test(timeout_secs = 5)]
//! async fn answers() {
//!     assert_eq!(edgeio::spawn(async { 42 }).await.unwrap(), 42);
//! }
//! ```
//!
//! The expansions call into `edgeio::__private`
//! (`main_runtime(workers)` and `run_test(workers, timeout, make_future)`)
//! by the absolute path `::edgeio`, so the crate using the macros must
//! depend on `edgeio` under that name.
//!
//! Mistakes in the annotated function (it is not `async`, takes
//! arguments, is generic, or the attribute's arguments are wrong) are
//! compile errors pointing at the offending code. The body's tokens keep
//! their spans, so errors inside it point into the body as usual.

use proc_macro::TokenStream;

mod args;
mod expand;

use args::Kind;

/// Runs an `async fn main` on an edgeio runtime.
///
/// ```ignore
/// #[edgeio::main]
/// async fn main() -> std::io::Result<()> {
///     let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:7000")?;
///     let (_stream, peer) = listener.accept().await?;
///     println!("connection from {peer}");
///     Ok(())
/// }
/// ```
///
/// expands to a synchronous `main` with the same attributes, visibility
/// and return type, which builds a runtime and blocks on the body:
///
/// ```ignore
/// fn main() -> std::io::Result<()> {
///     ::edgeio::__private::main_runtime(::core::option::Option::None).block_on(async move {
///         let __edgeio_ret: std::io::Result<()> = {
///             let listener = edgeio::net::AsyncTcpListener::bind("127.0.0.1:7000")?;
///             let (_stream, peer) = listener.accept().await?;
///             println!("connection from {peer}");
///             Ok(())
///         };
///         return __edgeio_ret;
///     })
/// }
/// ```
///
/// (The `let` with the declared return type makes a type mismatch show at
/// the body rather than at the attribute; it is left out when the return
/// type cannot be written there, such as `impl Trait` or `!`.) The runtime
/// is dropped, and so shut down, when `main` returns. Building it panics if
/// the process is out of file descriptors or threads.
///
/// # Arguments
///
/// - `worker_threads = N`: the number of worker threads (a positive
///   integer literal). Without it the runtime uses one per CPU the process
///   may run on.
///
/// ```ignore
/// #[edgeio::main(worker_threads = 2)]
/// async fn main() {
///     edgeio::spawn(async { println!("hello from a worker") }).await.unwrap();
/// }
/// ```
///
/// # Errors
///
/// It is a compile error to put the attribute on anything but an `async
/// fn` without arguments or generic parameters, or to pass it anything but
/// `worker_threads = N` with `N >= 1`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` as a `#[test]` on its own edgeio runtime, with a
/// watchdog.
///
/// ```ignore
/// #[edgeio::test]
/// async fn spawned_task_runs() {
///     let handle = edgeio::spawn(async { 2 + 2 });
///     assert_eq!(handle.await.unwrap(), 4);
/// }
/// ```
///
/// expands to
///
/// ```ignore
/// #[::core::prelude::v1::test]
/// fn spawned_task_runs() {
///     ::edgeio::__private::run_test(
///         ::core::option::Option::None,
///         ::core::time::Duration::from_secs(60),
///         move || async move {
///             let __edgeio_ret: () = {
///                 let handle = edgeio::spawn(async { 2 + 2 });
///                 assert_eq!(handle.await.unwrap(), 4);
///             };
///             return __edgeio_ret;
///         },
///     )
/// }
/// ```
///
/// `run_test` builds a fresh runtime on a thread of its own and blocks on
/// the body there. If the body panics, the panic is resumed in the test, so
/// `#[should_panic]` works as usual. If the body has not finished when the
/// timeout runs out, the test fails with a panic whose message contains
/// `test timed out` (the body's thread is abandoned, still running). The
/// watchdog is a plain wait on the test's own thread, so it fires even if
/// the runtime is wedged: every test gets a hard bound, 60 seconds unless
/// told otherwise.
///
/// The function's other attributes (`#[ignore]`, `#[should_panic]`, doc
/// comments, lint levels, ...) are kept on the generated function. It may
/// return `()` or any type a `#[test]` may return, such as `Result<(), E>`
/// with `E: Debug`; the value must be `Send + 'static`, because it crosses
/// from the body's thread to the test's.
///
/// # Arguments
///
/// - `worker_threads = N`: the number of worker threads of the test's
///   runtime (a positive integer literal); one per CPU by default.
/// - `timeout_secs = N`: fail the test if it has not finished after `N`
///   seconds (a positive integer literal); 60 by default.
///
/// ```ignore
/// use std::time::Duration;
///
/// #[edgeio::test(worker_threads = 1, timeout_secs = 5)]
/// async fn sleeps() -> Result<(), std::io::Error> {
///     edgeio::time::sleep(Duration::from_millis(10)).await;
///     Ok(())
/// }
///
/// #[edgeio::test(timeout_secs = 1)]
/// #[should_panic(expected = "timed out")]
/// async fn hangs() {
///     edgeio::time::sleep(Duration::from_secs(5)).await;
/// }
/// ```
///
/// # Errors
///
/// It is a compile error to put the attribute on anything but an `async
/// fn` without arguments or generic parameters, to pass it arguments other
/// than the two above or values other than integer literals `>= 1`, or to
/// add a second test attribute such as `#[test]`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Test, args.into(), item.into()).into()
}
