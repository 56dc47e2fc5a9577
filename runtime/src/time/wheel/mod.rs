//! A hierarchical timing wheel, as in tokio and the Linux kernel: six
//! levels of 64 slots, 1 ms per slot at level 0, 64 ms at level 1, and so
//! on up to about 2.2 years per rotation of level 5.
//!
//! A timer goes in the slot of the lowest level whose span still reaches
//! its deadline. Inserting and removing are O(1): a slot is a doubly
//! linked list of nodes kept in a [`Slab`], so a node's key stays valid
//! until it is removed and removing needs no search. Finding the next
//! deadline is O(levels): one 64-bit bitmap per level tells which slots
//! are occupied. When a slot of a higher level comes up, its timers are
//! *cascaded*: filed again, into lower levels, now that their deadline is
//! close. Each timer is cascaded at most once per level.
//!
//! The wheel only stores values and deadlines in ticks; the driver
//! (`time/driver.rs`) decides what a tick is (a millisecond) and what
//! firing means.

mod level;

use slab::Slab;

use level::{level_for, level_range, slot_for, Level, MAX_DURATION, NIL};

pub(crate) use level::LEVELS;

pub(crate) struct Wheel<T> {
    /// The tick the wheel has advanced to: every timer due at or before it
    /// has been handed out, or waits in `pending`.
    elapsed: u64,
    levels: [Level; LEVELS],
    /// Timers due at `elapsed`, taken from their slot but not yet handed
    /// out by [`Wheel::pop_expired`].
    pending: u32,
    nodes: Slab<Node<T>>,
}

struct Node<T> {
    value: T,
    /// The tick the node is filed for.
    when: u64,
    prev: u32,
    next: u32,
    /// The level the node is in, or [`IN_PENDING`]; with `slot`, which
    /// list to unlink it from.
    level: u8,
    slot: u8,
}

/// [`Node::level`] of a node in the pending list.
const IN_PENDING: u8 = u8::MAX;

impl<T> Wheel<T> {
    pub(crate) fn new() -> Wheel<T> {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level::new()),
            pending: NIL,
            nodes: Slab::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Files `value` for tick `when` and returns its key, or gives it back
    /// if `when` is not after the wheel's current tick (it is due now).
    pub(crate) fn insert(&mut self, when: u64, value: T) -> Result<u32, T> {
        if when <= self.elapsed {
            return Err(value);
        }
        // Beyond one rotation of the top level: wait at the end of it and
        // be filed again from there.
        let when = when.min(self.elapsed + MAX_DURATION - 1);
        let entry = self.nodes.vacant_entry();
        let key = u32::try_from(entry.key()).expect("more than 4 billion timers");
        entry.insert(Node {
            value,
            when,
            prev: NIL,
            next: NIL,
            level: 0,
            slot: 0,
        });
        self.file(key);
        Ok(key)
    }

    /// The tick `key` is filed for.
    pub(crate) fn when(&self, key: u32) -> u64 {
        self.nodes[key as usize].when
    }

    /// Takes `key` out of the wheel.
    pub(crate) fn remove(&mut self, key: u32) -> T {
        self.unlink(key);
        let node = self.nodes.remove(key as usize);
        self.shrink_if_empty();
        node.value
    }

    /// The tick at which [`Wheel::pop_expired`] will next have something
    /// to do (a timer due, or a slot to cascade), if any timer is filed.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        if self.pending != NIL {
            return Some(self.elapsed);
        }
        self.next_slot().map(|(_, _, deadline)| deadline)
    }

    /// Hands out one timer due at or before `now`, with the tick it was
    /// filed for, advancing the wheel as far as `now`. Timers come out in
    /// the order of their ticks; those of one tick in no particular order.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<(u64, T)> {
        loop {
            if self.pending != NIL {
                let key = self.pending;
                self.unlink(key);
                let node = self.nodes.remove(key as usize);
                self.shrink_if_empty();
                return Some((node.when, node.value));
            }
            match self.next_slot() {
                Some((level, slot, deadline)) if deadline <= now => self.expire_slot(level, slot, deadline),
                _ => {
                    // Nothing is filed between `elapsed` and `now`, so the
                    // slots every node occupies stay valid.
                    self.elapsed = self.elapsed.max(now);
                    return None;
                }
            }
        }
    }

    /// Empties the wheel.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.levels = std::array::from_fn(|_| Level::new());
        self.pending = NIL;
        self.nodes.drain().map(|node| node.value)
    }

    /// The first occupied slot and the tick it comes up at.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        // A lower level's slots all come up before any higher level's
        // next one, so the first level with a timer has the answer.
        (0..LEVELS).find_map(|level| {
            let slot = self.levels[level].next_occupied(level, self.elapsed)?;
            let range = level_range(level);
            let level_start = self.elapsed & !(range - 1);
            let mut deadline = level_start + slot as u64 * level::slot_range(level);
            if deadline <= self.elapsed {
                // Only the top level wraps (see `level_for`): a slot behind
                // the current one is one rotation ahead.
                debug_assert_eq!(level, LEVELS - 1);
                deadline += range;
            }
            Some((level, slot, deadline))
        })
    }

    /// Moves the wheel to `deadline` and files the timers of the slot that
    /// comes up then again: into `pending` if due, else a lower level.
    fn expire_slot(&mut self, level: usize, slot: usize, deadline: u64) {
        let mut key = std::mem::replace(&mut self.levels[level].heads[slot], NIL);
        self.levels[level].set_occupied(slot, false);
        self.elapsed = deadline;
        while key != NIL {
            let next = self.nodes[key as usize].next;
            self.file(key);
            key = next;
        }
    }

    /// Links `key` (in no list) into the list its tick belongs to.
    fn file(&mut self, key: u32) {
        let when = self.nodes[key as usize].when;
        let (level, slot, head) = if when <= self.elapsed {
            (IN_PENDING, 0, &mut self.pending)
        } else {
            let level = level_for(self.elapsed, when);
            let slot = slot_for(level, when);
            self.levels[level].set_occupied(slot, true);
            (level as u8, slot as u8, &mut self.levels[level].heads[slot])
        };
        let old_head = std::mem::replace(head, key);
        if old_head != NIL {
            self.nodes[old_head as usize].prev = key;
        }
        let node = &mut self.nodes[key as usize];
        node.prev = NIL;
        node.next = old_head;
        node.level = level;
        node.slot = slot;
    }

    /// Takes `key` out of its list.
    fn unlink(&mut self, key: u32) {
        let Node {
            prev,
            next,
            level,
            slot,
            ..
        } = self.nodes[key as usize];
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        }
        if prev != NIL {
            self.nodes[prev as usize].next = next;
            return;
        }
        if level == IN_PENDING {
            self.pending = next;
        } else {
            let level = &mut self.levels[level as usize];
            level.heads[slot as usize] = next;
            if next == NIL {
                level.set_occupied(slot as usize, false);
            }
        }
    }

    /// Gives the memory of a burst of timers back once they are all gone
    /// (a slab keeps its capacity otherwise).
    fn shrink_if_empty(&mut self) {
        if self.nodes.is_empty() && self.nodes.capacity() > 1024 {
            self.nodes = Slab::new();
        }
    }
}

/// Bytes of one node. The wheel holds one slab slot per filed timer: the
/// node, or, when vacant, a free-list link; an enum of the two is at most
/// a word larger.
#[cfg(test)]
pub(crate) const fn node_size<T>() -> usize {
    std::mem::size_of::<Node<T>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain_due(wheel: &mut Wheel<u64>, now: u64) -> Vec<u64> {
        std::iter::from_fn(|| wheel.pop_expired(now).map(|(_, v)| v)).collect()
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let mut wheel = Wheel::new();
        let deadlines = [5_000_000, 1, 63, 64, 65, 4095, 4096, 300_000, 70, 2];
        for &d in &deadlines {
            wheel.insert(d, d).unwrap();
        }
        let mut fired = Vec::new();
        let mut now = 0;
        while let Some(next) = wheel.next_expiration() {
            assert!(next >= now);
            now = next;
            fired.extend(drain_due(&mut wheel, now));
        }
        let mut sorted = deadlines.to_vec();
        sorted.sort_unstable();
        assert_eq!(fired, sorted);
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn nothing_fires_early_and_jumps_fire_everything_due() {
        let mut wheel = Wheel::new();
        for d in [10, 100, 1000, 10_000] {
            wheel.insert(d, d).unwrap();
        }
        assert!(drain_due(&mut wheel, 9).is_empty());
        assert_eq!(drain_due(&mut wheel, 5000), vec![10, 100, 1000]);
        assert_eq!(wheel.next_expiration().map(|t| t <= 10_000), Some(true));
        assert!(wheel.insert(5000, 1).is_err(), "due already");
        assert_eq!(drain_due(&mut wheel, u64::MAX / 2), vec![10_000]);
    }

    #[test]
    fn removal_from_any_position() {
        let mut wheel = Wheel::new();
        let keys: Vec<u32> = (1..=200).map(|d| wheel.insert(d * 37, d).unwrap()).collect();
        for (i, &key) in keys.iter().enumerate() {
            if i % 3 != 0 {
                wheel.remove(key);
            }
        }
        let fired = drain_due(&mut wheel, 1_000_000);
        let expected: Vec<u64> = (1..=200).filter(|d| (d - 1) % 3 == 0).collect();
        assert_eq!(fired, expected);
    }

    #[test]
    fn deadlines_beyond_the_top_level_wait_and_refile() {
        let mut wheel = Wheel::new();
        let far = MAX_DURATION * 3 + 17;
        let key = wheel.insert(far, 1).unwrap();
        assert!(wheel.when(key) < far, "clamped to one rotation");
        let mut now = 0;
        // The driver files a clamped timer again when it comes out early.
        while let Some(next) = wheel.next_expiration() {
            now = next;
            while let Some((_, v)) = wheel.pop_expired(now) {
                assert_eq!(v, 1);
                if now < far {
                    wheel.insert(far, v).unwrap();
                } else {
                    return;
                }
            }
        }
        panic!("the far timer never fired (now = {now})");
    }
}
