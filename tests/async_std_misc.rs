//! async-std's `tests/io_copy.rs`, `tests/block_on.rs`,
//! `tests/task_local.rs` and `tests/buf_writer.rs` (async-std is
//! MIT-licensed), ported to edgeio as the modules `io_copy`, `block_on`,
//! `task_local` and `buf_writer`.
//!
//! The mapping: `async_std::io::{Read, Write}` are `futures-io`'s
//! `AsyncRead`/`AsyncWrite` (re-exported as `edgeio::io::{AsyncRead,
//! AsyncWrite}`), `async_std::io::{copy, BufWriter, Cursor, SeekFrom}` and
//! the prelude's extension traits are `edgeio::io`'s; `task::block_on` and
//! `task::spawn` run on one edgeio runtime for the whole test binary, as
//! async-std's run on its global runtime; `async_std::task_local!` is
//! `edgeio::task_local!`. Each non-trivial mapping is marked `Adapted:`.
//!
//! All nine tests are ported (io_copy: 1, block_on: 4, task_local: 1,
//! buf_writer: 3), including `nested_block_on_local`, which async-std runs
//! only with its `unstable` feature; none is left out (only their wasm32
//! configuration is).

#[path = "support/tokio_test.rs"]
mod tokio_test;

/// async-std's `task::block_on` and `task::spawn`.
mod task {
    use std::future::Future;
    use std::sync::OnceLock;

    // Adapted: async-std runs every `block_on` and every spawned task on
    // one global runtime; here, one edgeio runtime that lives as long as
    // the test binary.
    pub fn runtime() -> &'static edgeio::runtime::Runtime {
        static RUNTIME: OnceLock<edgeio::runtime::Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| edgeio::runtime::Runtime::new().unwrap())
    }

    pub fn block_on<F: Future>(f: F) -> F::Output {
        runtime().block_on(f)
    }

    // Adapted: async-std's `spawn` works outside `block_on` (on its global
    // runtime); this one spawns on the binary's runtime, so it does too.
    // Its `JoinHandle` resolves to `Result<T, JoinError>`, not `T`.
    pub fn spawn<T: Send + 'static>(
        f: impl Future<Output = T> + Send + 'static,
    ) -> edgeio::task::JoinHandle<T> {
        runtime().spawn(f)
    }
}

mod io_copy {
    use super::{task, tokio_test};
    use std::{
        io::Result,
        pin::Pin,
        task::{Context, Poll},
    };

    struct ReaderThatPanicsAfterEof {
        read_count: usize,
        has_sent_eof: bool,
        max_read: usize,
    }

    // Adapted: `async_std::io::Read` is futures-io's `AsyncRead`.
    impl edgeio::io::AsyncRead for ReaderThatPanicsAfterEof {
        fn poll_read(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<Result<usize>> {
            if self.has_sent_eof {
                panic!("this should be unreachable because we should not poll after eof (Ready(Ok(0)))")
            } else if self.read_count >= self.max_read {
                self.has_sent_eof = true;
                Poll::Ready(Ok(0))
            } else {
                self.read_count += 1;
                Poll::Ready(Ok(buf.len()))
            }
        }
    }

    struct WriterThatTakesAWhileToFlush {
        max_flush: usize,
        flush_count: usize,
    }

    // Adapted: `async_std::io::Write` is futures-io's `AsyncWrite`.
    impl edgeio::io::AsyncWrite for WriterThatTakesAWhileToFlush {
        fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<Result<usize>> {
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
            self.flush_count += 1;
            if self.flush_count >= self.max_flush {
                Poll::Ready(Ok(()))
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }

        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn io_copy_does_not_poll_after_eof() {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let mut reader = ReaderThatPanicsAfterEof {
                has_sent_eof: false,
                max_read: 10,
                read_count: 0,
            };

            let mut writer = WriterThatTakesAWhileToFlush {
                flush_count: 0,
                max_flush: 10,
            };

            assert!(edgeio::io::copy(&mut reader, &mut writer).await.is_ok());
        })
    }
}

mod block_on {
    use super::{task::block_on, tokio_test};
    use std::future::ready;

    #[test]
    fn smoke() {
        let _watchdog = tokio_test::watchdog();
        let res = block_on(async { 1 + 2 });
        assert_eq!(res, 3);
    }

    #[test]
    #[should_panic = "boom"]
    fn panic() {
        let _watchdog = tokio_test::watchdog();
        block_on(async {
            // This panic should get propagated into the parent thread.
            panic!("boom");
        });
    }

    // async-std runs this one only with its `unstable` feature.
    #[test]
    fn nested_block_on_local() {
        let _watchdog = tokio_test::watchdog();
        use edgeio::task::spawn_local;

        // Adapted: async-std's `block_on` runs `spawn_local` tasks by itself;
        // on edgeio's multi-thread runtime (as on tokio's) they need a
        // `LocalSet`, so the two outer calls run in one
        // (`LocalSet::block_on`); the nested ones are the runtime's.
        let local = edgeio::task::LocalSet::new();
        let x = local.block_on(super::task::runtime(), async {
            let a = block_on(async { block_on(async { ready(3).await }) });
            let b = spawn_local(async { block_on(async { ready(2).await }) })
                .await
                .unwrap(); // Adapted: edgeio's `JoinHandle` gives a `Result`.
            let c = block_on(async { block_on(async { ready(1).await }) });
            a + b + c
        });

        assert_eq!(x, 3 + 2 + 1);

        let y = local.block_on(super::task::runtime(), async {
            let a = block_on(async { block_on(async { ready(3).await }) });
            let b = spawn_local(async { block_on(async { ready(2).await }) })
                .await
                .unwrap();
            let c = block_on(async { block_on(async { ready(1).await }) });
            a + b + c
        });

        assert_eq!(y, 3 + 2 + 1);
    }

    #[test]
    fn nested_block_on() {
        let _watchdog = tokio_test::watchdog();
        let x = block_on(async {
            let a = block_on(async { block_on(async { ready(3).await }) });
            let b = block_on(async { block_on(async { ready(2).await }) });
            let c = block_on(async { block_on(async { ready(1).await }) });
            a + b + c
        });

        assert_eq!(x, 3 + 2 + 1);

        let y = block_on(async {
            let a = block_on(async { block_on(async { ready(3).await }) });
            let b = block_on(async { block_on(async { ready(2).await }) });
            let c = block_on(async { block_on(async { ready(1).await }) });
            a + b + c
        });

        assert_eq!(y, 3 + 2 + 1);
    }
}

mod task_local {
    use super::{task, tokio_test};
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::task::spawn;

    #[test]
    fn drop_local() {
        let _watchdog = tokio_test::watchdog();
        static DROP_LOCAL: AtomicBool = AtomicBool::new(false);

        struct Local;

        impl Drop for Local {
            fn drop(&mut self) {
                DROP_LOCAL.store(true, Ordering::SeqCst);
            }
        }

        // Adapted: async-std's task-locals have an initialiser, run lazily in
        // every task on first use; edgeio's (tokio's) have none and exist
        // only inside `LocalKey::scope`, so the task runs in a scope that
        // gives it the value.
        edgeio::task_local! {
            static LOCAL: Local;
        }

        // Spawn a task that just touches its task-local.
        let handle = spawn(LOCAL.scope(Local, async {
            LOCAL.with(|_| ());
        }));
        // Adapted: async-std's `handle.task().clone()` (a handle to the
        // task that outlives it) is an `AbortHandle`.
        let task = handle.abort_handle();

        // Wait for the task to finish and make sure its task-local has been dropped.
        task::block_on(async {
            handle.await.unwrap(); // Adapted: edgeio's `JoinHandle` gives a `Result`.
            assert!(DROP_LOCAL.load(Ordering::SeqCst));
            drop(task);
        });
    }
}

mod buf_writer {
    use super::{task, tokio_test};
    use edgeio::io::{self, AsyncSeekExt, AsyncWriteExt, BufWriter, SeekFrom};

    #[test]
    fn test_buffered_writer() {
        #![allow(clippy::cognitive_complexity)]
        #![allow(clippy::unused_io_amount)] // as async-std's test: each `write` is checked after
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let inner: Vec<u8> = Vec::new();
            let mut writer = BufWriter::<Vec<u8>>::with_capacity(2, inner);

            writer.write(&[0, 1]).await.unwrap();
            assert!(writer.buffer().is_empty());
            assert_eq!(*writer.get_ref(), [0, 1]);

            writer.write(&[2]).await.unwrap();
            assert_eq!(writer.buffer(), [2]);
            assert_eq!(*writer.get_ref(), [0, 1]);

            writer.write(&[3]).await.unwrap();
            assert_eq!(writer.buffer(), [2, 3]);
            assert_eq!(*writer.get_ref(), [0, 1]);

            writer.flush().await.unwrap();
            assert!(writer.buffer().is_empty());
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3]);

            writer.write(&[4]).await.unwrap();
            writer.write(&[5]).await.unwrap();
            assert_eq!(writer.buffer(), [4, 5]);
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3]);

            writer.write(&[6]).await.unwrap();
            assert_eq!(writer.buffer(), [6]);
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3, 4, 5]);

            writer.write(&[7, 8]).await.unwrap();
            assert!(writer.buffer().is_empty());
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);

            writer.write(&[9, 10, 11]).await.unwrap();
            assert!(writer.buffer().is_empty());
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

            writer.flush().await.unwrap();
            assert!(writer.buffer().is_empty());
            assert_eq!(*writer.get_ref(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        })
    }

    #[test]
    #[allow(clippy::unused_io_amount)] // as async-std's test
    fn test_buffered_writer_inner_into_inner_flushes() {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let mut w = BufWriter::with_capacity(3, Vec::<u8>::new());
            w.write(&[0, 1]).await.unwrap();
            assert!(w.get_ref().is_empty());
            // Adapted: async-std's `into_inner` is async and flushes first;
            // edgeio's `BufWriter` (futures-util's) drops unflushed bytes in
            // `into_inner`, as tokio's does ("any leftover data in the
            // internal buffer is lost"), so the flush is made explicit.
            w.flush().await.unwrap();
            let w = w.into_inner();
            assert_eq!(w, [0, 1]);
        })
    }

    #[test]
    fn test_buffered_writer_seek() {
        let _watchdog = tokio_test::watchdog();
        task::block_on(async {
            let mut w = BufWriter::with_capacity(3, io::Cursor::new(Vec::new()));
            w.write_all(&[0, 1, 2, 3, 4, 5]).await.unwrap();
            w.write_all(&[6, 7]).await.unwrap();
            assert_eq!(w.seek(SeekFrom::Current(0)).await.ok(), Some(8));
            assert_eq!(&w.get_ref().get_ref()[..], &[0, 1, 2, 3, 4, 5, 6, 7][..]);
            assert_eq!(w.seek(SeekFrom::Start(2)).await.ok(), Some(2));
        })
    }
}
