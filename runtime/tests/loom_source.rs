//! loom models of the per-fd readiness protocol in `source.rs`: the tick
//! CAS that keeps an `EAGAIN` from erasing a newer edge, and the waiter
//! lists that must wake every task waiting on a direction (and forget the
//! waits that were cancelled).
//!
//! Run (release: loom explores thousands of interleavings):
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test -p edgeio-runtime --release --test loom_source --test loom_idle
//! ```
#![cfg(loom)]

use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use edgeio_runtime::__loom::{Direction, Source, WaitKey, ERROR, READABLE, READ_CLOSED};
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::Arc;
use loom::thread;
use std::sync::atomic::Ordering::SeqCst;

/// A waker that counts its wake-ups (a loom atomic, so the model sees the
/// synchronization a real wake-up would bring).
struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: StdArc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn flag() -> (StdArc<Flag>, Waker) {
    let flag = StdArc::new(Flag(AtomicUsize::new(0)));
    let waker = Waker::from(flag.clone());
    (flag, waker)
}

/// Explores every interleaving (no preemption bound: these models are
/// small enough, ~2 s in release).
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(f);
}

/// The socket's receive buffer in the kernel: bytes written by the peer
/// (only the reactor's thread writes) and bytes consumed (only the reader).
/// The reader never stores to `written`, so a read that finds nothing
/// leaves no trace, as a real `recv` hitting `EAGAIN` does.
#[derive(Default)]
struct Kernel {
    written: AtomicUsize,
    consumed: AtomicUsize,
    /// The peer hung up: reads return `Ok(0)` from then on.
    closed: AtomicBool,
}

impl Kernel {
    /// A `recv`: true if it got data (or end of file), false for `EAGAIN`.
    fn read(&self) -> bool {
        if self.closed.load(SeqCst) {
            return true;
        }
        let consumed = self.consumed.load(SeqCst);
        if self.written.load(SeqCst) > consumed {
            self.consumed.store(consumed + 1, SeqCst);
            true
        } else {
            false
        }
    }
}

/// The reactor's side: the kernel receives data, then epoll reports the
/// edge; the collected wakers are called outside the lock.
fn deliver(source: &Source, kernel: &Kernel, bits: usize) {
    kernel.written.fetch_add(1, SeqCst);
    let mut wake = Vec::new();
    source.dispatch(bits, &mut wake);
    for waker in wake {
        waker.wake();
    }
}

/// `Registration::poll_io` for a read: wait for readiness, run the
/// syscall (the kernel buffer is `kernel_data`), and on `WouldBlock`
/// clear readiness with the tick the readiness was seen at.
fn poll_read(source: &Source, kernel: &Kernel, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        let event = match source.poll_ready(cx, Direction::Read) {
            Poll::Ready(event) => event,
            Poll::Pending => return Poll::Pending,
        };
        if kernel.read() {
            return Poll::Ready(());
        }
        // EAGAIN.
        source.clear_readiness(event);
    }
}

/// (a) A reader drains the socket (readiness from an earlier edge, the
/// syscall says `WouldBlock`, readiness is cleared with its tick) while the
/// reactor dispatches a new edge. No lost wake-up: the reader either got
/// the data, or it was woken and its next poll gets it.
#[test]
fn wouldblock_clear_races_new_edge() {
    model(|| {
        let source = Arc::new(Source::new());
        let data = Arc::new(Kernel::default());
        // An earlier edge whose data was already consumed: READABLE is set
        // but a read would hit EAGAIN.
        source.dispatch(READABLE, &mut Vec::new());

        let reactor = {
            let (source, data) = (source.clone(), data.clone());
            thread::spawn(move || deliver(&source, &data, READABLE))
        };

        let (flag, waker) = flag();
        let mut cx = Context::from_waker(&waker);
        let first = poll_read(&source, &data, &mut cx);
        reactor.join().unwrap();

        if first.is_pending() {
            assert!(
                flag.0.load(SeqCst) > 0,
                "lost wake-up: reader pending and never woken"
            );
            assert!(
                poll_read(&source, &data, &mut cx).is_ready(),
                "woken reader finds no readiness"
            );
        }
    });
}

/// (a'') A TCP read that comes back short clears readiness without a
/// confirming `EAGAIN` (`Registration::poll_read_stream`), while the
/// reactor delivers more data and its edge. Whatever the interleaving, the
/// data is never stranded: the next read gets it, or the reader is woken.
#[test]
fn short_read_clear_races_new_edge() {
    model(|| {
        let source = Arc::new(Source::new());
        let data = Arc::new(Kernel::default());
        data.written.store(1, SeqCst);
        source.dispatch(READABLE, &mut Vec::new());

        let reactor = {
            let (source, data) = (source.clone(), data.clone());
            thread::spawn(move || deliver(&source, &data, READABLE))
        };

        // The short read: everything queued right now, then the clear.
        let event = source.ready_event(Direction::Read).expect("edge was dispatched");
        let queued = data.written.load(SeqCst);
        data.consumed.store(queued, SeqCst);
        source.clear_readiness(event);

        let (flag, waker) = flag();
        let mut cx = Context::from_waker(&waker);
        let mut next = poll_read(&source, &data, &mut cx);
        reactor.join().unwrap();
        if next.is_pending() && flag.0.load(SeqCst) > 0 {
            next = poll_read(&source, &data, &mut cx);
        }
        if next.is_pending() {
            assert_eq!(
                data.written.load(SeqCst),
                data.consumed.load(SeqCst),
                "data stranded: reader pending, never woken"
            );
        }
    });
}

/// (a') The same race with the reader in its own thread and the reactor's
/// edge being a hang-up (`READ_CLOSED`), which an `EAGAIN` seen before it
/// must not erase.
#[test]
fn wouldblock_clear_races_hangup() {
    model(|| {
        let source = Arc::new(Source::new());
        let data = Arc::new(Kernel::default());
        source.dispatch(READABLE, &mut Vec::new());
        let (flag, waker) = flag();

        let reader = {
            let (source, data) = (source.clone(), data.clone());
            let waker = waker.clone();
            thread::spawn(move || {
                let mut cx = Context::from_waker(&waker);
                poll_read(&source, &data, &mut cx).is_ready()
            })
        };
        data.closed.store(true, SeqCst);
        let mut wake = Vec::new();
        source.dispatch(READ_CLOSED, &mut wake);
        for w in wake {
            w.wake();
        }
        let ready = reader.join().unwrap();
        if !ready {
            assert!(flag.0.load(SeqCst) > 0, "lost wake-up on hang-up");
        }
        // A hang-up is final: readiness stays.
        assert!(source.ready_event(Direction::Read).is_some());
    });
}

/// (a''') An error edge (`EPOLLERR`, which wakes both directions) races a
/// reader whose read reports `EAGAIN` (a connected UDP socket whose error
/// was already taken) and a writer waiting on a full send buffer. The
/// reader's `EAGAIN` must not erase the error for the writer: the writer is
/// woken, and its next poll finds the fd ready (issue 19, item 7).
#[test]
fn read_eagain_races_error_edge_writer_still_sees_it() {
    model(|| {
        let source = Arc::new(Source::new());
        let (_reader_flag, reader_waker) = flag();
        let (flag, waker) = flag();

        let reader = {
            let source = source.clone();
            thread::spawn(move || {
                let waker = reader_waker;
                let mut cx = Context::from_waker(&waker);
                // One attempt: the read says EAGAIN whenever it runs.
                if let Poll::Ready(event) = source.poll_ready(&mut cx, Direction::Read) {
                    source.clear_readiness(event);
                }
            })
        };
        let writer = {
            let source = source.clone();
            thread::spawn(move || {
                let mut cx = Context::from_waker(&waker);
                source.poll_ready(&mut cx, Direction::Write).is_ready()
            })
        };
        let mut wake = Vec::new();
        source.dispatch(ERROR, &mut wake);
        for w in wake {
            w.wake();
        }
        reader.join().unwrap();
        let ready = writer.join().unwrap();
        assert!(
            ready || flag.0.load(SeqCst) > 0,
            "writer never woken by the error"
        );
        assert!(
            source.ready_event(Direction::Write).is_some(),
            "a read's EAGAIN erased the error the writer was woken for"
        );
    });
}

/// (b) Two tasks wait on the same direction of one socket (two `accept`
/// loops, two `recv`s on one UDP socket) while an edge arrives: both must
/// be woken, or see the readiness themselves.
#[test]
fn two_waiters_same_direction_both_woken() {
    model(|| {
        let source = Arc::new(Source::new());
        let mut tasks = Vec::new();
        let mut flags = Vec::new();
        for _ in 0..2 {
            let (flag, waker) = flag();
            flags.push(flag);
            let source = source.clone();
            tasks.push(thread::spawn(move || {
                let mut cx = Context::from_waker(&waker);
                source.poll_ready(&mut cx, Direction::Read).is_ready()
            }));
        }
        let mut wake = Vec::new();
        source.dispatch(READABLE, &mut wake);
        for w in wake {
            w.wake();
        }
        for (task, flag) in tasks.into_iter().zip(&flags) {
            let ready = task.join().unwrap();
            assert!(ready || flag.0.load(SeqCst) > 0, "a waiter was forgotten");
        }
        // A later edge must still find readiness set (nothing cleared it).
        assert!(source.ready_event(Direction::Read).is_some());
    });
}

/// (c) Two futures wait on one direction, each in its own slot; one is
/// cancelled (releases its slot) while an edge arrives. The other must be
/// woken or see the readiness, and the cancelled one's waker must not stay
/// behind in the source.
#[test]
fn owned_waiter_cancelled_while_edge_arrives() {
    model(|| {
        let source = Arc::new(Source::new());
        let (kept_flag, kept_waker) = flag();
        let (gone_flag, gone_waker) = flag();

        let kept = {
            let source = source.clone();
            thread::spawn(move || {
                let mut key = WaitKey::default();
                let mut cx = Context::from_waker(&kept_waker);
                let ready = source
                    .poll_ready_owned(&mut cx, Direction::Read, &mut key)
                    .is_ready();
                (ready, key)
            })
        };
        let cancelled = {
            let source = source.clone();
            thread::spawn(move || {
                let mut key = WaitKey::default();
                let mut cx = Context::from_waker(&gone_waker);
                let _ = source.poll_ready_owned(&mut cx, Direction::Read, &mut key);
                source.release(Direction::Read, &mut key);
            })
        };
        let mut wake = Vec::new();
        source.dispatch(READABLE, &mut wake);
        for w in wake {
            w.wake();
        }

        let (ready, mut key) = kept.join().unwrap();
        cancelled.join().unwrap();
        assert!(
            ready || kept_flag.0.load(SeqCst) > 0,
            "an owned waiter was forgotten"
        );
        assert_eq!(
            StdArc::strong_count(&gone_flag),
            1,
            "a cancelled wait's waker stayed in the source"
        );
        source.release(Direction::Read, &mut key);
        assert_eq!(
            StdArc::strong_count(&kept_flag),
            1,
            "a released slot kept its waker"
        );
    });
}
