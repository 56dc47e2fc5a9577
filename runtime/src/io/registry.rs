//! The table of registered fds: a slab of [`Source`]s indexed by the epoll
//! token.
//!
//! A token is `generation << 32 | slab key`. Slab keys are reused as soon as
//! an fd is deregistered, and the kernel reuses fd numbers just as quickly,
//! so an event already sitting in the reactor's batch can name a slot that
//! now belongs to a different socket. The generation, fresh for every
//! registration, makes such a stale event match nothing.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use slab::Slab;

use crate::io::source::Source;
use crate::sys::Event;

/// Token of the reactor's own eventfd; no registration can produce it
/// because slab keys stay far below `u32::MAX`.
pub(crate) const NOTIFY_TOKEN: u64 = u64::MAX;

pub(crate) struct Registry {
    sources: Mutex<Slab<Arc<Source>>>,
    next_generation: AtomicU32,
}

fn token(key: usize, generation: u32) -> u64 {
    (u64::from(generation) << 32) | key as u64
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            sources: Mutex::new(Slab::new()),
            next_generation: AtomicU32::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slab<Arc<Source>>> {
        self.sources.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocates a slot and returns its token and state.
    pub(crate) fn insert(&self) -> (u64, Arc<Source>) {
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        let source = Arc::new(Source::new(generation));
        let key = self.lock().insert(source.clone());
        (token(key, generation), source)
    }

    /// Frees the slot behind `token`, if it is still that registration's.
    pub(crate) fn remove(&self, token: u64) {
        let key = (token & u64::from(u32::MAX)) as usize;
        let mut sources = self.lock();
        if sources
            .get(key)
            .is_some_and(|s| u64::from(s.generation) == token >> 32)
        {
            sources.remove(key);
        }
    }

    /// Records a batch of events under one lock; returns the wakers to call.
    pub(crate) fn dispatch(&self, events: impl Iterator<Item = Event>, wake: &mut Vec<Waker>) {
        let sources = self.lock();
        for event in events {
            let key = (event.token & u64::from(u32::MAX)) as usize;
            match sources.get(key) {
                Some(source) if u64::from(source.generation) == event.token >> 32 => {
                    source.dispatch(&event, wake)
                }
                // Stale: the fd was deregistered after the kernel queued it.
                _ => {}
            }
        }
    }

    /// Number of fds registered right now.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Takes every stored waker, for shutdown: the tasks behind them are
    /// then woken and find the runtime gone.
    pub(crate) fn take_all_waiters(&self, out: &mut Vec<Waker>) {
        for (_, source) in self.lock().iter() {
            source.take_waiters(out);
        }
    }
}
