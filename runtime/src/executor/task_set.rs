//! The runtime's unfinished tasks, so that shutdown reaches every one of
//! them and none is freed with its future still inside.
//!
//! `async-task` frees a task once nothing refers to it: no `JoinHandle`
//! (it was detached), no `Runnable` (it is not queued) and no `Waker`
//! (nothing will ever wake it). If its future has not finished by then, it
//! is freed without being dropped, and whatever it holds (sockets, files,
//! buffers) stays open or allocated for the life of the process. And at
//! shutdown, a task parked on something outside the runtime (a channel
//! whose sender lives on a plain thread) is known neither to the queues nor
//! to the reactor, so nothing would cancel it.
//!
//! So the set keeps one `Waker` per unfinished task, as `async-executor`
//! does: a reference that keeps the task alive until its future completes
//! or is dropped (`Tracked`, in `spawn.rs`, removes it then), and a way to wake it at
//! shutdown, when every task woken is cancelled.
//!
//! A `Tracked` future finds its set through the runtime the current
//! thread belongs to, not through a reference of its own: a task's future
//! completes on a worker, and is cancelled on a worker or during shutdown,
//! all of which have their runtime as the current one. A counted reference
//! (a `Weak` of the runtime) would add atomic operations on a cache line
//! that every worker shares to every task. A future dropped anywhere else
//! (its runtime is gone, say) leaves its entry behind, which frees the
//! task once the set itself goes.

use std::sync::{Mutex, MutexGuard};
use std::task::Waker;

use slab::Slab;

use async_task::Runnable;

/// Locks the set is split under. A task's shard is its spawn number modulo
/// this, so workers spawning and finishing tasks at the same time rarely
/// meet on one lock: with W workers each touching one shard at a time, two
/// collide with odds of about W/16 (async-executor splits its set the same
/// way).
const SHARDS: usize = 16;

pub(crate) struct TaskSet {
    shards: Box<[Shard]>,
}

/// One lock's share of the set, on its own cache lines.
#[derive(Default)]
#[repr(align(128))]
struct Shard {
    wakers: Mutex<Slab<Waker>>,
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, Slab<Waker>> {
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Where a task's waker sits in the set.
#[derive(Clone, Copy)]
pub(crate) struct TaskKey {
    shard: usize,
    slot: usize,
}

impl Default for TaskSet {
    fn default() -> TaskSet {
        TaskSet {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }
}

impl TaskSet {
    /// Creates the `number`th task spawned with `create`, which gets the
    /// task's key for its `Tracked` future, and adds it to the set.
    pub(crate) fn insert<M, T>(
        &self,
        number: u64,
        create: impl FnOnce(TaskKey) -> (Runnable<M>, T),
    ) -> (TaskKey, Runnable<M>, T) {
        let shard = (number % SHARDS as u64) as usize;
        let mut wakers = self.shards[shard].lock();
        let entry = wakers.vacant_entry();
        let key = TaskKey {
            shard,
            slot: entry.key(),
        };
        let (runnable, task) = create(key);
        entry.insert(runnable.waker());
        (key, runnable, task)
    }

    /// Takes a task's waker out of the set. The caller drops it after
    /// every lock is released: dropping a task's last reference can
    /// schedule it.
    pub(crate) fn remove(&self, key: TaskKey) -> Option<Waker> {
        self.shards[key.shard].lock().try_remove(key.slot)
    }

    /// Wakes every unfinished task (once the runtime has shut down, waking
    /// a task cancels it). The wakers stay in the set until each task's
    /// future is dropped.
    pub(crate) fn wake_all(&self) {
        for shard in self.shards.iter() {
            let wakers: Vec<Waker> = shard.lock().iter().map(|(_, waker)| waker.clone()).collect();
            for waker in wakers {
                waker.wake();
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.lock().len()).sum()
    }
}
