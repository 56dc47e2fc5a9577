//! A hierarchical timing wheel, as in tokio and the Linux kernel: six
//! levels of 64 slots, 1 ms per slot at level 0, 64 ms at level 1, and so
//! on up to about 2.2 years per rotation of level 5.
//!
//! A timer goes in the slot of the lowest level whose span still reaches
//! its deadline. Inserting and removing are O(1): a slot is a doubly
//! linked list threaded through the timer entries themselves (intrusive,
//! as tokio's), so filing a timer allocates nothing, touches only its
//! entry and the list's first entry, and removing needs no search. Finding
//! the next deadline is O(levels): one 64-bit bitmap per level tells which
//! slots are occupied. When a slot comes up, its timers are handed out one
//! by one; those not due yet (a slot of a higher level, or a deadline moved
//! later) are filed again by the driver, into a lower level now that their
//! deadline is close. Each timer is refiled at most once per level.
//!
//! The wheel knows deadlines only as ticks passed to [`Wheel::insert`] and
//! never reads an entry's state; the driver (`time/driver.rs`) decides
//! what a tick is (a millisecond), what firing means and whether a timer
//! handed out is due.

mod level;

use std::ptr;

use crate::time::entry::{EntryRef, TimerEntry, NOT_FILED};
use level::{level_for, level_range, slot_for, Level, MAX_DURATION};

pub(crate) use level::LEVELS;

pub(crate) struct Wheel {
    /// The tick the wheel has advanced to: every timer due at or before it
    /// has been handed out, or waits in the `expiring` slot.
    elapsed: u64,
    levels: [Level; LEVELS],
    /// The slot that came up at `elapsed` and whose timers
    /// [`Wheel::pop_expired`] is handing out.
    expiring: Option<(usize, usize)>,
    /// Timers filed.
    len: usize,
}

// SAFETY: the wheel's raw pointers are `EntryRef`s it holds (given up by
// `EntryRef::into_raw` as it links an entry, taken back as it unlinks
// one), and `EntryRef` is `Send`.
unsafe impl Send for Wheel {}

/// The entry a list pointer of the wheel designates.
///
/// # Safety
///
/// `ptr` is non-null and linked in the wheel, which holds a handle to it
/// until it unlinks it, so the entry lives at least as long as the wheel
/// keeps it; the caller must not use the reference after unlinking it.
unsafe fn linked<'a>(ptr: *mut TimerEntry) -> &'a TimerEntry {
    // SAFETY: the caller's contract.
    unsafe { &*ptr }
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level::new()),
            expiring: None,
            len: 0,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The tick the wheel has advanced to: a timer due at or before it is
    /// due now, and [`Wheel::insert`] refuses it.
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Files `entry` (in no list) for tick `tick`, or gives it back if
    /// `tick` is not after the wheel's current tick (it is due now).
    ///
    /// # Panics
    ///
    /// If `entry` is already filed: linking it again would corrupt the
    /// list that holds it (a relaxed load, checked in release builds too).
    pub(crate) fn insert(&mut self, entry: EntryRef, tick: u64) -> Result<(), EntryRef> {
        if tick <= self.elapsed {
            return Err(entry);
        }
        assert!(!Wheel::is_filed(&entry), "a timer entry filed twice");
        let (level, slot) = self.slot_of(tick);
        self.link(entry.into_raw(), level, slot);
        self.len += 1;
        Ok(())
    }

    /// Whether `entry` is in one of the wheel's lists.
    pub(crate) fn is_filed(entry: &TimerEntry) -> bool {
        entry.position().0 != NOT_FILED
    }

    /// Whether `entry`, filed, sits where a timer due at `tick` goes now:
    /// its slot comes up at or before `tick`, so a deadline moved to `tick`
    /// needs no refiling.
    pub(crate) fn files_at(&self, entry: &TimerEntry, tick: u64) -> bool {
        if tick <= self.elapsed {
            return false;
        }
        let (level, slot) = self.slot_of(tick);
        entry.position() == (level as u8, slot as u8)
    }

    /// Takes `entry`, filed, out of the wheel, with the wheel's handle.
    ///
    /// # Safety
    ///
    /// `entry` is filed in *this* wheel ([`Wheel::is_filed`] tells that it
    /// is filed; that it is this wheel is the caller's knowledge: each
    /// entry belongs to one runtime's driver). Unlinking it from another
    /// wheel's list would race with that wheel's owner.
    pub(crate) unsafe fn remove(&mut self, entry: &TimerEntry) -> EntryRef {
        debug_assert!(Wheel::is_filed(entry));
        self.unlink(entry);
        self.len -= 1;
        // SAFETY: a filed entry's handle was given up by `insert` as it
        // linked it (in this wheel: the caller's contract); unlinking it
        // takes that handle back, once.
        unsafe { EntryRef::from_raw((entry as *const TimerEntry).cast_mut()) }
    }

    /// The tick at which [`Wheel::pop_expired`] will next have something
    /// to hand out, if any timer is filed.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        if let Some((level, slot)) = self.expiring {
            if !self.levels[level].heads[slot].is_null() {
                return Some(self.elapsed);
            }
        }
        self.next_slot().map(|(_, _, deadline)| deadline)
    }

    /// Hands out one timer of a slot that comes up at or before `now`,
    /// advancing the wheel as far as `now`. Slots come out in the order of
    /// their ticks; the timers of one slot in no particular order, and
    /// those of a higher level's slot may not be due yet.
    pub(crate) fn pop_expired(&mut self, now: u64) -> Option<EntryRef> {
        loop {
            if let Some((level, slot)) = self.expiring {
                let head = self.levels[level].heads[slot];
                if !head.is_null() {
                    // SAFETY: `head` is linked in this wheel; it is not
                    // used after `remove` unlinks it.
                    return Some(unsafe { self.remove(linked(head)) });
                }
                self.expiring = None;
            }
            match self.next_slot() {
                Some((level, slot, deadline)) if deadline <= now => {
                    // No timer is filed before `deadline`, so the slots
                    // every other timer occupies stay valid; the timers
                    // filed again meanwhile go to lower levels (or later
                    // slots), never back in this one.
                    self.elapsed = deadline;
                    self.expiring = Some((level, slot));
                }
                _ => {
                    self.elapsed = self.elapsed.max(now);
                    return None;
                }
            }
        }
    }

    /// Empties the wheel.
    pub(crate) fn drain(&mut self) -> Vec<EntryRef> {
        let mut all = Vec::with_capacity(self.len);
        for level in 0..LEVELS {
            for slot in 0..level::SLOTS {
                loop {
                    let head = self.levels[level].heads[slot];
                    if head.is_null() {
                        break;
                    }
                    // SAFETY: `head` is linked in this wheel; it is not
                    // used after `remove` unlinks it.
                    all.push(unsafe { self.remove(linked(head)) });
                }
            }
        }
        self.expiring = None;
        all
    }

    /// The level and slot a timer due at `tick` (after `elapsed`) goes in.
    fn slot_of(&self, tick: u64) -> (usize, usize) {
        // Beyond one rotation of the top level: wait at the end of it and
        // be filed again from there.
        let tick = tick.min(self.elapsed + MAX_DURATION - 1);
        let level = level_for(self.elapsed, tick);
        (level, slot_for(level, tick))
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

    /// Links `ptr` (a handle given up, in no list) at the head of a slot's
    /// list.
    fn link(&mut self, ptr: *mut TimerEntry, level: usize, slot: usize) {
        // SAFETY: the caller gave up a handle to `ptr`, which the list now
        // holds.
        let entry = unsafe { linked(ptr) };
        let list = &mut self.levels[level];
        let old_head = std::mem::replace(&mut list.heads[slot], ptr);
        if old_head.is_null() {
            list.set_occupied(slot, true);
        } else {
            // SAFETY: `old_head` is linked.
            unsafe { linked(old_head) }.set_prev(ptr);
        }
        entry.set_prev(ptr::null_mut());
        entry.set_next(old_head);
        // `LEVELS` and `SLOTS` fit in a byte.
        entry.set_position(level as u8, slot as u8);
    }

    /// Takes `entry` out of its list; its handle stays given up.
    fn unlink(&mut self, entry: &TimerEntry) {
        let (level, slot) = entry.position();
        let (prev, next) = (entry.prev(), entry.next());
        if !next.is_null() {
            // SAFETY: `next` is linked.
            unsafe { linked(next) }.set_prev(prev);
        }
        if prev.is_null() {
            let list = &mut self.levels[level as usize];
            list.heads[slot as usize] = next;
            if next.is_null() {
                list.set_occupied(slot as usize, false);
            }
        } else {
            // SAFETY: `prev` is linked.
            unsafe { linked(prev) }.set_next(next);
        }
        entry.set_position(NOT_FILED, 0);
    }
}

impl Drop for Wheel {
    fn drop(&mut self) {
        // The handles of the entries still filed.
        drop(self.drain());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::entry::armed;

    /// An entry armed for `tick`, as the driver files them.
    fn timer(tick: u64) -> EntryRef {
        let entry = EntryRef::new();
        entry.swap(tick);
        entry
    }

    fn insert(wheel: &mut Wheel, tick: u64) -> EntryRef {
        let entry = timer(tick);
        assert!(wheel.insert(entry.clone(), tick).is_ok());
        entry
    }

    /// What the driver does: the ticks due at `now`; the rest of what
    /// comes out is filed again.
    fn drain_due(wheel: &mut Wheel, now: u64) -> Vec<u64> {
        let mut fired = Vec::new();
        while let Some(entry) = wheel.pop_expired(now) {
            let tick = armed(entry.state()).unwrap();
            if tick <= now {
                fired.push(tick);
            } else {
                assert!(wheel.insert(entry, tick).is_ok());
            }
        }
        fired
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let mut wheel = Wheel::new();
        let deadlines = [5_000_000, 1, 63, 64, 65, 4095, 4096, 300_000, 70, 2];
        let entries: Vec<_> = deadlines.iter().map(|&d| insert(&mut wheel, d)).collect();
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
        assert!(entries.iter().all(|e| !Wheel::is_filed(e)));
    }

    #[test]
    fn nothing_fires_early_and_jumps_fire_everything_due() {
        let mut wheel = Wheel::new();
        for d in [10, 100, 1000, 10_000] {
            insert(&mut wheel, d);
        }
        assert!(drain_due(&mut wheel, 9).is_empty());
        assert_eq!(drain_due(&mut wheel, 5000), vec![10, 100, 1000]);
        assert_eq!(wheel.next_expiration().map(|t| t <= 10_000), Some(true));
        assert!(wheel.insert(timer(5000), 5000).is_err(), "due already");
        assert_eq!(drain_due(&mut wheel, u64::MAX / 2), vec![10_000]);
    }

    #[test]
    fn removal_from_any_position() {
        let mut wheel = Wheel::new();
        let entries: Vec<EntryRef> = (1..=200).map(|d| insert(&mut wheel, d * 37)).collect();
        for (i, entry) in entries.iter().enumerate() {
            if i % 3 != 0 {
                // SAFETY: filed in this wheel by `insert` above.
                drop(unsafe { wheel.remove(entry) });
                assert!(!Wheel::is_filed(entry));
            }
        }
        // One pass fires them all, in no particular order.
        let mut fired = drain_due(&mut wheel, 1_000_000);
        fired.sort_unstable();
        let expected: Vec<u64> = (1..=200).filter(|d| (d - 1) % 3 == 0).map(|d| d * 37).collect();
        assert_eq!(fired, expected);
    }

    #[test]
    fn a_filed_entry_stays_in_place_for_a_deadline_in_its_slot() {
        let mut wheel = Wheel::new();
        // Level 1, slot 2: ticks 128..192.
        let entry = insert(&mut wheel, 150);
        assert!(wheel.files_at(&entry, 130));
        assert!(!wheel.files_at(&entry, 100));
        assert!(!wheel.files_at(&entry, 200));
    }

    #[test]
    fn dropping_the_wheel_releases_its_entries() {
        let mut wheel = Wheel::new();
        let entry = insert(&mut wheel, 1_000);
        drop(wheel);
        assert!(!Wheel::is_filed(&entry));
    }

    #[test]
    fn deadlines_beyond_the_top_level_wait_and_refile() {
        let mut wheel = Wheel::new();
        let far = MAX_DURATION * 3 + 17;
        let _entry = insert(&mut wheel, far);
        let mut now = 0;
        while let Some(next) = wheel.next_expiration() {
            assert!(next < far + 1);
            now = next;
            if drain_due(&mut wheel, now) == vec![far] {
                return;
            }
        }
        panic!("the far timer never fired (now = {now})");
    }
}
