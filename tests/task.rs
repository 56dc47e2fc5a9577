//! `edgeio::task`: abort handles, task ids, `JoinError`'s reports, and the
//! cooperative budget (`consume_budget`, `unconstrained`).

#[path = "support/multi_thread.rs"]
mod multi_thread;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use edgeio::sync::oneshot;
use edgeio::task;
use multi_thread::{each_runtime, wait_until};

struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn abort_handle_aborts_and_reports() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = DropCounter(dropped.clone());
        let handle = task::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let abort = handle.abort_handle();
        assert_eq!(abort.id(), handle.id());
        assert!(!abort.is_finished());
        let clone = abort.clone();
        clone.abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), abort.id());
        assert!(abort.is_finished());
        assert_eq!(dropped.load(Ordering::SeqCst), 1);
        // Aborting again, or a finished task, does nothing.
        abort.abort();
    });
}

#[test]
fn abort_handle_outlives_the_join_handle() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let (release, released) = oneshot::channel::<()>();
        let output = DropCounter(dropped.clone());
        let handle = task::spawn(async move {
            released.await.unwrap();
            output
        });
        let abort = handle.abort_handle();
        drop(handle);
        release.send(()).unwrap();
        // The detached task's output is dropped when it finishes, not when
        // the last AbortHandle goes.
        wait_until(|| dropped.load(Ordering::SeqCst) == 1).await;
        assert!(abort.is_finished());
        abort.abort();
    });
}

#[test]
fn detached_outputs_are_dropped_while_abort_handles_live() {
    each_runtime(|| async {
        const TASKS: usize = 500;
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut aborts = Vec::new();
        for i in 0..TASKS {
            // Dropped exactly once: with the future if aborted before it
            // finishes, else as the output of the detached task.
            let output = DropCounter(dropped.clone());
            let handle = task::spawn(async move {
                if i % 3 == 0 {
                    task::yield_now().await;
                }
                output
            });
            aborts.push(handle.abort_handle());
            if i % 2 == 0 {
                task::yield_now().await;
            }
            drop(handle);
            if i % 5 == 0 {
                aborts[i].abort();
            }
            if i % 7 == 0 {
                let _ = aborts[i].is_finished();
            }
        }
        wait_until(|| dropped.load(Ordering::SeqCst) == TASKS).await;
        for abort in &aborts {
            wait_until(|| abort.is_finished()).await;
        }
    });
}

#[test]
fn abort_handle_stops_a_detached_task() {
    each_runtime(|| async {
        let dropped = Arc::new(AtomicUsize::new(0));
        let guard = DropCounter(dropped.clone());
        let handle = task::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let abort = handle.abort_handle();
        drop(handle);
        abort.abort();
        wait_until(|| dropped.load(Ordering::SeqCst) == 1).await;
        wait_until(|| abort.is_finished()).await;
    });
}

#[test]
fn abort_after_completion_keeps_the_output() {
    each_runtime(|| async {
        let handle = task::spawn(async { 3 });
        let abort = handle.abort_handle();
        wait_until(|| abort.is_finished()).await;
        abort.abort();
        assert_eq!(handle.await.unwrap(), 3);
    });
}

#[test]
fn an_abort_during_the_last_poll_keeps_the_output() {
    each_runtime(|| async {
        // The task aborts itself in the poll that completes it: as in
        // tokio, a task that completes is not cancelled.
        let (tx, rx) = oneshot::channel::<task::AbortHandle>();
        let handle = task::spawn(async move {
            rx.await.unwrap().abort();
            7
        });
        tx.send(handle.abort_handle()).unwrap();
        assert_eq!(handle.await.unwrap(), 7);

        // A blocking job that has started runs to its end, and its
        // output is the handle's (tokio: the abort "will not have any
        // effect" then).
        let (started_tx, started_rx) = oneshot::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let job = task::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            5
        });
        started_rx.await.unwrap();
        job.abort();
        go_tx.send(()).unwrap();
        assert_eq!(job.await.unwrap(), 5);

        // An abort before the task completes still cancels it.
        let pending = task::spawn(std::future::pending::<()>());
        pending.abort();
        assert!(pending.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn a_future_whose_poll_and_drop_both_panic_reports_the_first_panic() {
    /// Panics when polled, and again when dropped (its field, which the
    /// unwinding poll does not drop: the runtime does).
    struct PanicsTwice(PanicsOnDrop);

    struct PanicsOnDrop;

    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            // Dropped during the poll's unwind, as tokio does.
            assert!(std::thread::panicking(), "dropped after the unwind");
            panic!("second, from drop");
        }
    }

    impl Future for PanicsTwice {
        type Output = ();

        fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
            panic!("first, from poll");
        }
    }

    each_runtime(|| async {
        let err = task::spawn(PanicsTwice(PanicsOnDrop)).await.unwrap_err();
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"first, from poll"));
        // The worker lives on.
        assert_eq!(task::spawn(async { 3 }).await.unwrap(), 3);
    });
}

#[test]
fn task_ids_are_unique_and_current() {
    each_runtime(|| async {
        assert_eq!(task::try_id(), None, "block_on's future is not a task");
        let handles: Vec<_> = (0..50).map(|_| task::spawn(async { task::id() })).collect();
        let mut seen = std::collections::HashSet::new();
        for handle in handles {
            let id = handle.id();
            assert_eq!(handle.await.unwrap(), id);
            assert!(seen.insert(id));
        }
        let blocking = task::spawn_blocking(task::id);
        let id = blocking.id();
        assert_eq!(blocking.await.unwrap(), id);
        // The id is restored after a nested poll and across awaits.
        let outer = task::spawn(async {
            let me = task::id();
            task::yield_now().await;
            let inner = task::spawn(async { task::id() }).await.unwrap();
            assert_ne!(inner, me);
            assert_eq!(task::id(), me);
            me
        });
        let id = outer.id();
        assert_eq!(outer.await.unwrap(), id);
    });
    let plain = std::thread::spawn(task::try_id).join().unwrap();
    assert_eq!(plain, None);
}

#[test]
fn task_id_is_set_while_the_future_is_dropped() {
    each_runtime(|| async {
        struct RecordId(Arc<std::sync::Mutex<Option<task::Id>>>);
        impl Drop for RecordId {
            fn drop(&mut self) {
                *self.0.lock().unwrap() = task::try_id();
            }
        }
        let seen = Arc::new(std::sync::Mutex::new(None));
        let record = RecordId(seen.clone());
        let handle = task::spawn(async move {
            let _record = record;
            std::future::pending::<()>().await;
        });
        let id = handle.id();
        handle.abort();
        assert!(handle.await.unwrap_err().is_cancelled());
        assert_eq!(*seen.lock().unwrap(), Some(id));
    });
}

/// Sends `task::try_id()` from its `Drop`.
struct SendsIdOnDrop(Option<oneshot::Sender<Option<task::Id>>>);

impl Drop for SendsIdOnDrop {
    fn drop(&mut self) {
        let _ = self.0.take().unwrap().send(task::try_id());
    }
}

#[test]
fn task_id_is_set_while_an_unawaited_output_is_dropped() {
    each_runtime(|| async {
        // Handle dropped before the task finishes: the runtime drops the
        // output.
        let (tx, rx) = oneshot::channel();
        let (go_tx, go_rx) = oneshot::channel::<()>();
        let handle = task::spawn(async move {
            go_rx.await.unwrap();
            SendsIdOnDrop(Some(tx))
        });
        let id = handle.id();
        drop(handle);
        go_tx.send(()).unwrap();
        assert_eq!(rx.await.unwrap(), Some(id));

        // Handle dropped after: dropping the handle drops the output.
        let (tx, rx) = oneshot::channel();
        let handle = task::spawn(async move { SendsIdOnDrop(Some(tx)) });
        let id = handle.id();
        wait_until(|| handle.is_finished()).await;
        drop(handle);
        assert_eq!(rx.await.unwrap(), Some(id));
    });
}

#[test]
fn task_id_outside_a_task_panics_at_the_caller() {
    let panic = std::panic::catch_unwind(task::id).unwrap_err();
    let message = panic.downcast_ref::<String>().map(String::as_str);
    assert_eq!(message, Some("`task::id()` called outside a task"));
}

#[test]
fn join_error_reports_name_the_task() {
    each_runtime(|| async {
        let n = std::hint::black_box(5);
        let handle = task::spawn(async move { panic!("with {n}") });
        let id = handle.id();
        let err = handle.await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("task {id} panicked with message \"with 5\"")
        );
        let err = err.try_into_panic().unwrap();
        assert_eq!(err.downcast_ref::<String>().unwrap(), "with 5");

        let handle = task::spawn(async { std::panic::panic_any(5u32) });
        let id = handle.id();
        let err = handle.await.unwrap_err();
        assert_eq!(err.to_string(), format!("task {id} panicked"));

        let handle = task::spawn(std::future::pending::<()>());
        let id = handle.id();
        handle.abort();
        let err = handle.await.unwrap_err();
        assert_eq!(format!("{err:?}"), format!("JoinError::Cancelled({id:?})"));
        assert_eq!(format!("{id:?}"), format!("Id({id})"));
        let err = err.try_into_panic().unwrap_err();
        assert!(err.is_cancelled());
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::Other);
    });
}

/// Counts the polls of the future it wraps.
struct CountPolls<F> {
    future: Pin<Box<F>>,
    polls: usize,
}

impl<F: Future> Future for CountPolls<F> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls += 1;
        match self.future.as_mut().poll(cx) {
            Poll::Ready(_) => Poll::Ready(self.polls),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn count_polls<F: Future>(future: F) -> CountPolls<F> {
    CountPolls {
        future: Box::pin(future),
        polls: 0,
    }
}

async fn spend(units: usize) {
    for _ in 0..units {
        task::consume_budget().await;
    }
}

#[test]
fn consume_budget_yields_once_the_budget_is_spent() {
    each_runtime(|| async {
        // Inside a task: 1000 units cannot all fit in one poll's budget.
        let polls = task::spawn(count_polls(spend(1000))).await.unwrap();
        assert!(polls > 1, "consume_budget never yielded");
        assert!(polls < 1000, "consume_budget yielded on every call");
        // Unconstrained, it never has to.
        let polls = task::spawn(count_polls(task::unconstrained(spend(1000))))
            .await
            .unwrap();
        assert_eq!(polls, 1);
        // Outside a task of ours there is no budget.
        let polls = std::thread::spawn(|| futures_util::FutureExt::now_or_never(count_polls(spend(1000))))
            .join()
            .unwrap();
        assert_eq!(polls, Some(1));
    });
}

#[test]
fn cooperative_makes_a_channel_loop_yield() {
    each_runtime(|| async {
        // An always-full channel: without the wrapper, the loop would
        // drain it all in one poll.
        let (tx, mut rx) = edgeio::sync::mpsc::unbounded_channel();
        for i in 0..1000 {
            tx.send(i).unwrap();
        }
        drop(tx);
        let drain = async move {
            let mut n = 0;
            while task::coop::cooperative(rx.recv()).await.is_some() {
                n += 1;
            }
            assert_eq!(n, 1000);
        };
        let polls = task::spawn(count_polls(drain)).await.unwrap();
        assert!(polls > 1, "cooperative never yielded");
        let budget = task::spawn(async {
            let before = task::coop::has_budget_remaining();
            spend(10_000).await;
            let unconstrained = task::unconstrained(async { task::coop::has_budget_remaining() }).await;
            (before, unconstrained)
        });
        assert_eq!(budget.await.unwrap(), (true, true));
        let plain = std::thread::spawn(task::coop::has_budget_remaining)
            .join()
            .unwrap();
        assert!(plain, "a plain thread is never out of budget");
    });
}

/// Calls `poll_proceed` in one poll until it says `Pending`: how many units
/// the budget had, giving back (`made_progress` not called) every other
/// unit when `give_back` is set.
fn units_until_pending(give_back: bool) -> impl Future<Output = usize> {
    let mut counted = None;
    std::future::poll_fn(move |cx| {
        if let Some(units) = counted {
            return Poll::Ready(units);
        }
        let mut units = 0;
        while let Poll::Ready(restore) = task::coop::poll_proceed(cx) {
            if give_back && units % 2 == 1 {
                drop(restore);
                // The unit given back is taken again, for good.
                let Poll::Ready(again) = task::coop::poll_proceed(cx) else {
                    panic!("a unit given back was not there");
                };
                again.made_progress();
            } else {
                restore.made_progress();
            }
            units += 1;
            assert!(units <= 10_000, "poll_proceed never ran out");
        }
        counted = Some(units);
        Poll::Pending
    })
}

#[test]
fn poll_proceed_spends_units_that_made_progress_only() {
    each_runtime(|| async {
        let spent = task::spawn(units_until_pending(false)).await.unwrap();
        assert_eq!(spent, 128, "tokio's budget is 128 operations a poll");
        let spent = task::spawn(units_until_pending(true)).await.unwrap();
        assert_eq!(spent, 128, "a guard dropped without progress gives its unit back");
        // Outside a task of ours there is no budget: always ready.
        let ready = std::thread::spawn(|| {
            let waker = futures_util::task::noop_waker();
            let mut cx = Context::from_waker(&waker);
            (0..1000).all(|_| match task::coop::poll_proceed(&mut cx) {
                Poll::Ready(restore) => {
                    restore.made_progress();
                    true
                }
                Poll::Pending => false,
            })
        })
        .join()
        .unwrap();
        assert!(ready);
    });
}

#[test]
fn a_restore_guard_kept_past_its_poll_gives_no_budget_to_the_thread() {
    // Taken inside the `block_on` future's poll (which has a budget),
    // dropped unused after the call, on a thread that runs no task.
    let runtime = edgeio::runtime::Builder::new_current_thread().build().unwrap();
    let guard = runtime.block_on(std::future::poll_fn(task::coop::poll_proceed));
    drop(runtime);
    drop(guard);
    // The thread has no budget: nothing here ever yields for one.
    let polls = futures_util::FutureExt::now_or_never(count_polls(spend(1000)));
    assert_eq!(polls, Some(1));
}

#[test]
fn select_yields_while_the_budget_is_spent() {
    each_runtime(|| async {
        // A loop over a `select!` with a branch that is always ready: the
        // budget, spent by the first branch, must still make it yield
        // (tokio's `select_is_budget_aware`, as a loop).
        let spin = async {
            for _ in 0..1000 {
                edgeio::select! {
                    biased;
                    () = task::consume_budget() => {}
                    () = std::future::ready(()) => {}
                }
            }
        };
        let polls = task::spawn(count_polls(spin)).await.unwrap();
        assert!(polls > 1, "the select! loop never yielded");
    });
}

#[test]
fn consume_budget_lets_other_tasks_run() {
    each_runtime(|| async {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let spinner = {
            let (stop, started) = (stop.clone(), started.clone());
            task::spawn(async move {
                let mut turns = 0u64;
                loop {
                    turns += 1;
                    started.store(true, Ordering::SeqCst);
                    task::consume_budget().await;
                    if stop.load(Ordering::SeqCst) {
                        break turns;
                    }
                }
            })
        };
        // Spawned once the spinner spins: with several workers another one
        // could otherwise run the stopper first.
        while !started.load(Ordering::SeqCst) {
            task::yield_now().await;
        }
        // With one worker this task runs only if the spinner yields.
        let stopper = task::spawn(async move { stop.store(true, Ordering::SeqCst) });
        stopper.await.unwrap();
        assert!(spinner.await.unwrap() > 0);
    });
}

#[test]
fn handles_are_send_sync_and_unwind_safe_as_in_tokio() {
    fn send_sync<T: Send + Sync>() {}
    fn unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    fn unpin<T: Unpin>() {}
    send_sync::<task::AbortHandle>();
    send_sync::<task::JoinHandle<u8>>();
    send_sync::<task::JoinSet<u8>>();
    send_sync::<task::JoinError>();
    send_sync::<task::Id>();
    send_sync::<task::futures::TaskLocalFuture<u8, std::future::Ready<()>>>();
    unwind_safe::<task::AbortHandle>();
    unwind_safe::<task::JoinHandle<u8>>();
    unpin::<task::AbortHandle>();
    unpin::<task::JoinHandle<u8>>();
    unpin::<task::JoinSet<u8>>();
}

#[test]
fn misuse_panics_point_at_the_caller() {
    edgeio::task_local! {
        static KEY: u32;
    }

    /// The file a panic of `f` reports. The hook is global: panics of
    /// tests running on other threads go on to the previous hook.
    fn panic_file(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let (tx, rx) = std::sync::mpsc::channel();
        let me = std::thread::current().id();
        let previous: Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync> =
            std::panic::take_hook().into();
        let chained = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == me {
                let _ = tx.send(info.location().unwrap().file().to_owned());
            } else {
                chained(info);
            }
        }));
        let result = std::panic::catch_unwind(f);
        std::panic::set_hook(Box::new(move |info| previous(info)));
        assert!(result.is_err());
        rx.recv().unwrap()
    }

    let file = file!();
    assert_eq!(panic_file(|| drop(task::spawn(async {}))), file);
    assert_eq!(panic_file(|| drop(task::spawn_blocking(|| {}))), file);
    assert_eq!(
        panic_file(|| drop(task::JoinSet::<()>::new().spawn(async {}))),
        file
    );
    assert_eq!(
        panic_file(|| {
            let _ = task::id();
        }),
        file
    );
    assert_eq!(panic_file(|| KEY.with(|_| ())), file);
    assert_eq!(
        panic_file(|| {
            let _ = KEY.get();
        }),
        file
    );
    assert_eq!(
        panic_file(|| KEY.sync_scope(1, || KEY.with(|_| KEY.sync_scope(2, || ())))),
        file
    );
}

/// A guard that aborts its task when dropped, written generically as
/// tokio code writes it: `JoinHandle::abort` asks for no bound on `T`.
struct AbortOnDrop<T>(task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[edgeio::test]
async fn a_generic_abort_on_drop_guard_stops_its_task() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(dropped.clone());
    let guard = AbortOnDrop(edgeio::spawn(async move {
        let _counter = counter;
        std::future::pending::<()>().await;
    }));
    drop(guard);
    wait_until(|| dropped.load(Ordering::SeqCst) == 1).await;
}

/// A `spawn_local` task whose output is not `Send` can be aborted through
/// its handle, as in tokio.
#[edgeio::test]
async fn a_local_task_with_a_non_send_output_aborts() {
    let local = task::LocalSet::new();
    local
        .run_until(async {
            let dropped = Arc::new(AtomicUsize::new(0));
            let counter = DropCounter(dropped.clone());
            let handle = task::spawn_local(async move {
                let _counter = counter;
                std::future::pending::<()>().await;
                std::rc::Rc::new(1)
            });
            task::yield_now().await;
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled());
            assert_eq!(dropped.load(Ordering::SeqCst), 1);

            // Finished first: the output stays, as for any task.
            let done = task::spawn_local(async { std::rc::Rc::new(7) });
            while !done.is_finished() {
                task::yield_now().await;
            }
            done.abort();
            assert_eq!(*done.await.unwrap(), 7);
        })
        .await;
}

/// What the type system keeps: a handle to a task with a `!Send` output
/// stays on its thread, which is what makes aborting it through the
/// handle sound.
#[test]
fn a_join_handle_with_a_non_send_output_is_not_send() {
    trybuild::TestCases::new().compile_fail("tests/send_safety/*.rs");
}

struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("boom on drop");
    }
}

/// A future that panics while an abort drops it makes the task a panicked
/// one, whichever handle aborted it, as in tokio; in a `JoinSet` too.
#[test]
fn an_abort_whose_drop_panics_reports_the_panic() {
    each_runtime(|| async {
        // Moved in, so dropped with the future whether or not it ran.
        let panics = PanicOnDrop;
        let handle = edgeio::spawn(async move {
            let _panics = panics;
            std::future::pending::<()>().await;
        });
        handle.abort_handle().abort();
        let err = handle.await.unwrap_err();
        assert!(err.is_panic(), "{err:?}");
        assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"boom on drop"));

        let mut set = task::JoinSet::new();
        let panics = PanicOnDrop;
        set.spawn(async move {
            let _panics = panics;
            std::future::pending::<()>().await;
        });
        set.abort_all();
        let err = set.join_next().await.unwrap().unwrap_err();
        assert!(err.is_panic(), "{err:?}");
    });
}
