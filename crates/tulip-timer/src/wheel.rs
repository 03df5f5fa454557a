//! The hierarchical timing wheel behind [`TimerQueue`].
//!
//! Six levels of 64 slots; a slot of level `L` spans `64^L` ms, so the wheel
//! covers 64^6 ms (about 2.2 years) ahead of its current tick, and later
//! deadlines wait in an overflow list. Entries live in a slab and are linked
//! into their slot through indices, so insert and cancel are O(1) and
//! allocate nothing once the slab has grown. When a slot of a higher level
//! comes due, its entries cascade to lower levels; a level-0 slot that comes
//! due moves its entries to a small `due` queue sorted by exact deadline and
//! insertion sequence, which is what makes ties fire in insertion order.

use slab::Slab;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

const LEVELS: usize = 6;
const SLOT_BITS: u32 = 6;
const SLOTS: u64 = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS - 1;
/// Ticks (ms) the wheel covers ahead of `elapsed`.
const WHEEL_RANGE: u64 = 1 << (SLOT_BITS as u64 * LEVELS as u64);
const NIL: u32 = u32::MAX;

/// Identifies a timer in a [`TimerQueue`], to cancel it. A key stays valid
/// until its timer fires or is cancelled; a stale key never matches a timer
/// that reused its storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey {
    index: u32,
    generation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Slot { level: u8, slot: u8 },
    Due,
    Overflow,
}

struct Entry<T> {
    deadline: Instant,
    tick: u64,
    seq: u64,
    generation: u32,
    place: Place,
    prev: u32,
    next: u32,
    value: T,
}

/// A timer queue with O(1) insert and cancel: a hierarchical timing wheel
/// with 1 ms slots. Timers pop in deadline order, ties in insertion order
/// (asyncio's heap of `(when, sequence)`), and never before their deadline.
///
/// ```
/// use std::time::{Duration, Instant};
/// use tulip_timer::TimerQueue;
///
/// let t0 = Instant::now();
/// let mut q = TimerQueue::new(t0);
/// q.insert(t0 + Duration::from_millis(20), "late");
/// let k = q.insert(t0 + Duration::from_millis(5), "cancelled");
/// q.insert(t0 + Duration::from_millis(10), "early");
/// assert_eq!(q.cancel(k), Some("cancelled"));
/// assert!(q.next_deadline().unwrap() <= t0 + Duration::from_millis(10));
/// let now = t0 + Duration::from_millis(30);
/// let fired: Vec<_> = std::iter::from_fn(|| q.pop_expired(now).map(|(_, v)| v)).collect();
/// assert_eq!(fired, ["early", "late"]);
/// ```
pub struct TimerQueue<T> {
    origin: Instant,
    entries: Slab<Entry<T>>,
    heads: [[u32; SLOTS as usize]; LEVELS],
    occupied: [u64; LEVELS],
    due: VecDeque<u32>,
    /// Entries were appended to `due` since it was last sorted. A level-0
    /// slot coming due moves thousands of timers at once under load: one
    /// sort of the batch beats a sorted insert each.
    due_unsorted: bool,
    overflow: Vec<u32>,
    /// Every level-0 slot before this tick has been emptied.
    elapsed: u64,
    seq: u64,
    generation: u32,
}

impl<T> TimerQueue<T> {
    /// An empty queue whose tick 0 is `origin`; deadlines before it count as `origin`.
    pub fn new(origin: Instant) -> Self {
        TimerQueue {
            origin,
            entries: Slab::new(),
            heads: [[NIL; SLOTS as usize]; LEVELS],
            occupied: [0; LEVELS],
            due: VecDeque::new(),
            due_unsorted: false,
            overflow: Vec::new(),
            elapsed: 0,
            seq: 0,
            generation: 0,
        }
    }

    /// How many timers are pending.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tick (ms since origin) a deadline belongs to, rounded up so a slot
    /// never comes due before the deadlines it holds.
    fn tick_of(&self, deadline: Instant) -> u64 {
        let d = deadline.saturating_duration_since(self.origin);
        let ms = d.as_millis();
        let ms = if d > Duration::from_millis(ms as u64) { ms + 1 } else { ms };
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    fn floor_tick(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.origin).as_millis()).unwrap_or(u64::MAX)
    }

    fn instant_of(&self, tick: u64) -> Instant {
        self.origin.checked_add(Duration::from_millis(tick)).unwrap_or(self.origin + Duration::from_secs(1 << 40))
    }

    /// Schedules `value` at `deadline`; returns the key that cancels it.
    pub fn insert(&mut self, deadline: Instant, value: T) -> TimerKey {
        let tick = self.tick_of(deadline);
        self.seq += 1;
        self.generation = self.generation.wrapping_add(1);
        let generation = self.generation;
        let entry = Entry { deadline, tick, seq: self.seq, generation, place: Place::Due, prev: NIL, next: NIL, value };
        let index = self.entries.insert(entry) as u32;
        self.place(index);
        TimerKey { index, generation }
    }

    /// Removes a pending timer; `None` if it already fired or was cancelled.
    pub fn cancel(&mut self, key: TimerKey) -> Option<T> {
        match self.entries.get(key.index as usize) {
            Some(e) if e.generation == key.generation => {}
            _ => return None,
        }
        self.unlink(key.index);
        Some(self.entries.remove(key.index as usize).value)
    }

    fn level_for(&self, tick: u64) -> usize {
        let masked = (self.elapsed ^ tick) | SLOT_MASK;
        let significant = 63 - masked.leading_zeros();
        (significant / SLOT_BITS) as usize
    }

    fn place(&mut self, index: u32) {
        let tick = self.entries[index as usize].tick;
        if tick <= self.elapsed {
            self.insert_due(index);
            return;
        }
        let level = self.level_for(tick);
        if level >= LEVELS {
            self.entries[index as usize].place = Place::Overflow;
            self.overflow.push(index);
            return;
        }
        let slot = ((tick >> (SLOT_BITS as usize * level)) & SLOT_MASK) as usize;
        let head = self.heads[level][slot];
        {
            let e = &mut self.entries[index as usize];
            e.place = Place::Slot { level: level as u8, slot: slot as u8 };
            e.prev = NIL;
            e.next = head;
        }
        if head != NIL {
            self.entries[head as usize].prev = index;
        }
        self.heads[level][slot] = index;
        self.occupied[level] |= 1 << slot;
    }

    fn insert_due(&mut self, index: u32) {
        self.entries[index as usize].place = Place::Due;
        self.due.push_back(index);
        self.due_unsorted = true;
    }

    /// The first entry of `due` in (deadline, insertion) order.
    fn due_front(&mut self) -> Option<u32> {
        if self.due_unsorted {
            let entries = &self.entries;
            self.due.make_contiguous().sort_unstable_by_key(|&i| {
                let e = &entries[i as usize];
                (e.deadline, e.seq)
            });
            self.due_unsorted = false;
        }
        self.due.front().copied()
    }

    fn unlink(&mut self, index: u32) {
        let (place, prev, next) = {
            let e = &self.entries[index as usize];
            (e.place, e.prev, e.next)
        };
        match place {
            Place::Due => {
                if let Some(pos) = self.due.iter().position(|&i| i == index) {
                    self.due.remove(pos);
                }
            }
            Place::Overflow => {
                if let Some(pos) = self.overflow.iter().position(|&i| i == index) {
                    self.overflow.swap_remove(pos);
                }
            }
            Place::Slot { level, slot } => {
                let (level, slot) = (level as usize, slot as usize);
                if prev == NIL {
                    self.heads[level][slot] = next;
                } else {
                    self.entries[prev as usize].next = next;
                }
                if next != NIL {
                    self.entries[next as usize].prev = prev;
                }
                if self.heads[level][slot] == NIL {
                    self.occupied[level] &= !(1 << slot);
                }
            }
        }
    }

    /// The earliest occupied slot: (level, slot, first tick it covers).
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        let mut best: Option<(usize, usize, u64)> = None;
        for level in 0..LEVELS {
            let occupied = self.occupied[level];
            if occupied == 0 {
                continue;
            }
            let shift = SLOT_BITS as usize * level;
            let now_slot = (self.elapsed >> shift) & SLOT_MASK;
            let distance = u64::from(occupied.rotate_right(now_slot as u32).trailing_zeros());
            let slot = (now_slot + distance) & SLOT_MASK;
            let level_range = SLOTS << shift;
            let level_start = self.elapsed & !(level_range - 1);
            let mut start = level_start + (slot << shift);
            if slot < now_slot {
                start += level_range;
            }
            // A slot of a higher level that starts at the same tick cascades
            // first, so that every timer of that tick is sorted together.
            if best.is_none_or(|(_, _, s)| start <= s) {
                best = Some((level, slot as usize, start));
            }
        }
        best
    }

    fn overflow_min_tick(&self) -> Option<u64> {
        self.overflow.iter().map(|&i| self.entries[i as usize].tick).min()
    }

    /// Moves the entries of a slot that has come due one level down (or to
    /// the due queue), and the wheel's position to the slot's start.
    fn process_slot(&mut self, level: usize, slot: usize, start: u64) {
        self.elapsed = self.elapsed.max(start);
        let mut index = std::mem::replace(&mut self.heads[level][slot], NIL);
        self.occupied[level] &= !(1 << slot);
        while index != NIL {
            let next = self.entries[index as usize].next;
            self.place(index);
            index = next;
        }
    }

    fn process_overflow(&mut self) {
        let pending = std::mem::take(&mut self.overflow);
        for index in pending {
            self.place(index);
        }
    }

    /// The earliest pending deadline: exact for timers due within the next
    /// few milliseconds; for later ones it may be earlier than the true
    /// deadline (the start of their slot), never later. Once that instant has
    /// passed, [`pop_expired`](Self::pop_expired) advances the wheel, so the
    /// value moves forward: a loop that sleeps until it never spins.
    pub fn next_deadline(&mut self) -> Option<Instant> {
        let mut best = self.due_front().map(|i| self.entries[i as usize].deadline);
        if let Some((level, slot, start)) = self.next_slot() {
            let bound = if level == 0 {
                let mut index = self.heads[level][slot];
                let mut min = None::<Instant>;
                while index != NIL {
                    let e = &self.entries[index as usize];
                    min = Some(min.map_or(e.deadline, |m| m.min(e.deadline)));
                    index = e.next;
                }
                min.unwrap_or_else(|| self.instant_of(start))
            } else {
                // Entries of this slot have ticks >= start: deadlines after start - 1 ms.
                self.instant_of(start.saturating_sub(1))
            };
            best = Some(best.map_or(bound, |b| b.min(bound)));
        }
        if let Some(tick) = self.overflow_min_tick() {
            let bound = self.instant_of(tick.saturating_sub(WHEEL_RANGE));
            best = Some(best.map_or(bound, |b| b.min(bound)));
        }
        best
    }

    /// Removes and returns the next timer whose deadline is at or before
    /// `now`, in (deadline, insertion) order; `None` when none is due.
    pub fn pop_expired(&mut self, now: Instant) -> Option<(Instant, T)> {
        // Slots are cascaded up to one tick ahead: their entries are then
        // checked against their exact deadline before they are returned.
        let horizon = self.floor_tick(now).saturating_add(1);
        loop {
            if let Some(tick) = self.overflow_min_tick() {
                if tick.saturating_sub(self.elapsed) < WHEEL_RANGE || tick <= horizon {
                    self.process_overflow();
                }
            }
            let due_tick = self.due_front().map(|i| self.entries[i as usize].tick);
            match self.next_slot() {
                Some((level, slot, start)) if start <= horizon && due_tick.is_none_or(|t| start <= t) => {
                    self.process_slot(level, slot, start);
                    continue;
                }
                _ => {}
            }
            let front = self.due_front()?;
            if self.entries[front as usize].deadline > now {
                return None;
            }
            self.due.pop_front();
            let e = self.entries.remove(front as usize);
            return Some((e.deadline, e.value));
        }
    }
}

impl<T> TimerQueue<T> {
    /// The value of a pending timer.
    pub fn get_mut(&mut self, key: TimerKey) -> Option<&mut T> {
        match self.entries.get_mut(key.index as usize) {
            Some(e) if e.generation == key.generation => Some(&mut e.value),
            _ => None,
        }
    }
}
