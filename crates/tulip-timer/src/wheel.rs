//! The slot lists of the hierarchical timing wheel behind
//! [`TimerQueue`](crate::TimerQueue).
//!
//! Six levels of 64 slots; a slot of level `L` spans `64^L` ticks (ms), so
//! the wheel covers 64^6 ms (about 2.2 years). An entry's level is decided by
//! the highest bit in which its tick differs from the wheel's current tick
//! (`elapsed`): every entry of level `L` then lies in a later level-`L` slot
//! than `elapsed`, and inside the level-`L+1` slot `elapsed` is in, so the
//! lowest occupied level always holds the earliest slot. Deadlines beyond
//! the top level wait in an overflow list treated as one more slot.
//!
//! Entries live in a slab and are linked into their slot through indices: no
//! `unsafe`, and link and unlink allocate nothing once the slab has grown.

use slab::Slab;

const LEVELS: usize = 6;
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS as u64 - 1;
/// List id of the overflow list (after the `LEVELS * SLOTS` slot lists).
const OVERFLOW: u16 = (LEVELS * SLOTS) as u16;
/// List id of entries that are in the queue's due buffer, in no list here.
pub(crate) const DUE: u16 = u16::MAX;
pub(crate) const NIL: u32 = u32::MAX;

/// A deadline in nanoseconds after the queue's origin (negative: before
/// it), saturating some 292 years either side: 8 bytes where an `Instant`
/// and its tick took 24 (200,000 pending timers: 3.2 MB less).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Nanos(pub(crate) i64);

impl Nanos {
    /// The ceiling of the deadline in ms since origin (0 before it): a slot
    /// never comes due before the deadlines it holds.
    pub(crate) fn tick(self) -> u64 {
        u64::try_from(self.0).map_or(0, |n| n.div_ceil(1_000_000))
    }

    /// The floor of the instant in ms since origin (0 before it): the last
    /// tick that has fully begun.
    pub(crate) fn floor_tick(self) -> u64 {
        u64::try_from(self.0).map_or(0, |n| n / 1_000_000)
    }
}

pub(crate) struct Entry<T> {
    pub(crate) deadline: Nanos,
    /// Insertion sequence: orders ties and makes keys generation-checked.
    pub(crate) seq: u64,
    pub(crate) list: u16,
    pub(crate) prev: u32,
    pub(crate) next: u32,
    /// The slot its key names (where it was inserted): a compaction may move
    /// it elsewhere.
    pub(crate) home: u32,
    pub(crate) value: T,
}

/// A slot that comes due at `start`: all its entries have `tick >= start`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NextSlot {
    /// `LEVELS` for the overflow list.
    pub(crate) level: usize,
    list: u16,
    pub(crate) start: u64,
}

pub(crate) struct Wheel {
    heads: [u32; LEVELS * SLOTS + 1],
    occupied: [u64; LEVELS],
    /// A lower bound of the overflow list's ticks (exact until a cancel).
    overflow_min: u64,
}

impl Wheel {
    pub(crate) fn new() -> Self {
        Wheel { heads: [NIL; LEVELS * SLOTS + 1], occupied: [0; LEVELS], overflow_min: u64::MAX }
    }

    fn level_for(elapsed: u64, tick: u64) -> usize {
        let masked = (elapsed ^ tick) | SLOT_MASK;
        let significant = 63 - masked.leading_zeros();
        (significant / SLOT_BITS) as usize
    }

    /// Links entry `index` (whose tick must be after `elapsed`) into its slot.
    pub(crate) fn link<T>(&mut self, entries: &mut Slab<Entry<T>>, index: u32, elapsed: u64) {
        let tick = entries[index as usize].deadline.tick();
        debug_assert!(tick > elapsed);
        let level = Self::level_for(elapsed, tick);
        let list = if level >= LEVELS {
            self.overflow_min = self.overflow_min.min(tick);
            OVERFLOW
        } else {
            let slot = (tick >> (SLOT_BITS as usize * level)) & SLOT_MASK;
            self.occupied[level] |= 1 << slot;
            (level * SLOTS) as u16 + slot as u16
        };
        let head = self.heads[list as usize];
        let e = &mut entries[index as usize];
        e.list = list;
        e.prev = NIL;
        e.next = head;
        if head != NIL {
            entries[head as usize].prev = index;
        }
        self.heads[list as usize] = index;
    }

    /// Unlinks entry `index` from its slot list (it must be in one).
    pub(crate) fn unlink<T>(&mut self, entries: &mut Slab<Entry<T>>, index: u32) {
        let (list, prev, next) = {
            let e = &entries[index as usize];
            (e.list as usize, e.prev, e.next)
        };
        if prev == NIL {
            self.heads[list] = next;
        } else {
            entries[prev as usize].next = next;
        }
        if next != NIL {
            entries[next as usize].prev = prev;
        }
        if self.heads[list] == NIL {
            self.clear_list(list);
        }
    }

    fn clear_list(&mut self, list: usize) {
        if list == OVERFLOW as usize {
            self.overflow_min = u64::MAX;
        } else {
            self.occupied[list / SLOTS] &= !(1 << (list % SLOTS));
        }
    }

    /// The earliest slot holding entries, given the wheel's current tick.
    pub(crate) fn next_slot(&self, elapsed: u64) -> Option<NextSlot> {
        for level in 0..LEVELS {
            let occupied = self.occupied[level];
            if occupied == 0 {
                continue;
            }
            let shift = SLOT_BITS as usize * level;
            let now_slot = (elapsed >> shift) & SLOT_MASK;
            // Entries sit strictly after elapsed's own slot at their level.
            let later = occupied & (u64::MAX << now_slot << 1);
            debug_assert_eq!(later, occupied, "timer wheel slot behind its level's position");
            let slot = u64::from(later.trailing_zeros());
            let level_start = elapsed & !((1u64 << (shift + SLOT_BITS as usize)) - 1);
            return Some(NextSlot {
                level,
                list: (level * SLOTS) as u16 + slot as u16,
                start: level_start + (slot << shift),
            });
        }
        if self.heads[OVERFLOW as usize] == NIL {
            return None;
        }
        // Overflow entries can enter the wheel once elapsed shares their bits
        // above the top level: at the start of that top-level span.
        let span_bits = SLOT_BITS as usize * LEVELS;
        let start = (self.overflow_min >> span_bits) << span_bits;
        Some(NextSlot { level: LEVELS, list: OVERFLOW, start: start.max(elapsed + 1) })
    }

    /// Renames every list head after the entries moved (`map`: old slot to
    /// new; entries' own links are the caller's).
    pub(crate) fn remap(&mut self, map: impl Fn(u32) -> u32) {
        for head in &mut self.heads {
            *head = map(*head);
        }
    }

    /// Empties a slot list and returns its first entry; the rest follow
    /// through `next` (read it before relinking an entry).
    pub(crate) fn take(&mut self, slot: NextSlot) -> u32 {
        let head = std::mem::replace(&mut self.heads[slot.list as usize], NIL);
        self.clear_list(slot.list as usize);
        head
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_highest_differing_bit() {
        assert_eq!(Wheel::level_for(0, 1), 0);
        assert_eq!(Wheel::level_for(0, 63), 0);
        assert_eq!(Wheel::level_for(0, 64), 1);
        assert_eq!(Wheel::level_for(60, 70), 1);
        assert_eq!(Wheel::level_for(64, 127), 0);
        assert_eq!(Wheel::level_for(0, (1 << 36) - 1), 5);
        assert_eq!(Wheel::level_for(0, 1 << 36), LEVELS);
    }

    #[test]
    fn floor_ticks_are_whole_milliseconds_begun_and_zero_before_origin() {
        assert_eq!((Nanos(-5).floor_tick(), Nanos(999_999).floor_tick(), Nanos(1_000_000).floor_tick()), (0, 0, 1));
    }

    #[test]
    fn ticks_are_ceilings_of_milliseconds_and_zero_before_origin() {
        assert_eq!(Nanos(0).tick(), 0);
        assert_eq!(Nanos(-5).tick(), 0);
        assert_eq!(Nanos(1).tick(), 1);
        assert_eq!(Nanos(1_000_000).tick(), 1);
        assert_eq!(Nanos(1_000_001).tick(), 2);
        assert_eq!(Nanos(i64::MAX).tick(), (i64::MAX as u64).div_ceil(1_000_000));
    }

    #[test]
    fn next_slot_is_the_earliest_and_take_empties_it() {
        let mut entries = Slab::new();
        let mut wheel = Wheel::new();
        for tick in [5_000i64, 70, 3] {
            let deadline = Nanos(tick * 1_000_000);
            let e = Entry { deadline, seq: 0, list: DUE, prev: NIL, next: NIL, home: 0, value: () };
            let index = entries.insert(e) as u32;
            wheel.link(&mut entries, index, 0);
        }
        let slot = wheel.next_slot(0).unwrap();
        assert_eq!((slot.level, slot.start), (0, 3));
        wheel.take(slot);
        let slot = wheel.next_slot(0).unwrap();
        assert_eq!((slot.level, slot.start), (1, 64));
    }
}
