//! One level of the wheel: 64 slots, each the head of a list of timers,
//! and a bitmap of the slots that are occupied.

use std::ptr;

use crate::time::entry::TimerEntry;

/// Slots per level: one bit each in a `u64` bitmap.
pub(super) const SLOTS: usize = 64;
/// log2 of [`SLOTS`].
pub(super) const SLOT_BITS: u32 = 6;
/// Levels: 64^6 ms is about 2.2 years, the longest distance one rotation
/// of the top level covers (later timers wait in the top level and are
/// filed again when reached). Six is tokio's number.
pub(crate) const LEVELS: usize = 6;
/// Ticks one rotation of the top level spans.
pub(super) const MAX_DURATION: u64 = 1 << (SLOT_BITS * LEVELS as u32);

pub(super) struct Level {
    /// Bit `i` is set when slot `i` holds at least one timer.
    occupied: u64,
    /// First entry of each slot's list, or null.
    pub(super) heads: [*mut TimerEntry; SLOTS],
}

impl Level {
    pub(super) fn new() -> Level {
        Level {
            occupied: 0,
            heads: [ptr::null_mut(); SLOTS],
        }
    }

    pub(super) fn set_occupied(&mut self, slot: usize, occupied: bool) {
        if occupied {
            self.occupied |= 1 << slot;
        } else {
            self.occupied &= !(1 << slot);
        }
    }

    /// The first occupied slot at or after the one `elapsed` is in, going
    /// round; `None` if the level is empty.
    pub(super) fn next_occupied(&self, level: usize, elapsed: u64) -> Option<usize> {
        if self.occupied == 0 {
            return None;
        }
        // `rotate_right` takes its amount modulo 64: the slot index.
        let now_slot = (elapsed / slot_range(level)) as u32;
        let rotated = self.occupied.rotate_right(now_slot);
        Some(((rotated.trailing_zeros() + now_slot) % SLOTS as u32) as usize)
    }
}

/// Ticks one slot of `level` spans.
pub(super) fn slot_range(level: usize) -> u64 {
    1 << (SLOT_BITS * level as u32)
}

/// Ticks all of `level` spans.
pub(super) fn level_range(level: usize) -> u64 {
    1 << (SLOT_BITS * (level as u32 + 1))
}

/// The level a timer due at `when` goes in, seen from `elapsed`: the
/// highest 6-bit digit in which the two differ. Timers in the same
/// 64-tick block as `elapsed` go in level 0, and so on up.
pub(super) fn level_for(elapsed: u64, when: u64) -> usize {
    const SLOT_MASK: u64 = SLOTS as u64 - 1;
    // The low bits are masked in so that `when == elapsed` is level 0.
    let mut masked = (elapsed ^ when) | SLOT_MASK;
    if masked >= MAX_DURATION {
        // Farther than the top level reaches: the top level's slots are a
        // ring, and the timer is filed again when its slot comes up.
        masked = MAX_DURATION - 1;
    }
    let significant = 63 - masked.leading_zeros();
    (significant / SLOT_BITS) as usize
}

/// The slot of `level` a timer due at `when` goes in.
pub(super) fn slot_for(level: usize, when: u64) -> usize {
    ((when >> (SLOT_BITS * level as u32)) % SLOTS as u64) as usize
}
