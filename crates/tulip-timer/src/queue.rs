//! [`TimerQueue`]: the wheel's slot lists plus a small sorted "due" buffer.
//!
//! A level-0 slot that comes due moves its entries to `due`, sorted once by
//! exact deadline and insertion sequence: that is what makes timers sharing
//! a millisecond pop in (deadline, insertion) order. Every entry in `due`
//! has a tick at or before the wheel's current tick and every entry in the
//! wheel one after it, so `due` always holds the earliest timers.

mod compact;
mod live;

use crate::wheel::{Entry, Nanos, NextSlot, Wheel, DUE, NIL};
use live::LiveSlots;
use slab::Slab;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Identifies a timer in a [`TimerQueue`], to cancel it. A key stays valid
/// until its timer fires or is cancelled; a stale key never matches a timer
/// that reused its storage (keys carry the timer's unique sequence number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey {
    index: u32,
    seq: u64,
}

/// A timer queue with O(1) insert and cancel: a hierarchical timing wheel
/// (6 levels × 64 slots, 1 ms resolution, an overflow list beyond ~2.2
/// years). Deadlines keep their exact `Instant` (to the nanosecond, within
/// ~292 years of the origin); timers pop in deadline
/// order, ties in insertion order (asyncio's heap of `(when, sequence)`),
/// and never before their deadline.
///
/// Cancelling a timer that is already in the due buffer (due within about
/// a millisecond) is a binary search there rather than O(1).
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
    /// Which slots of `entries` are occupied, read before the slab itself.
    live: LiveSlots,
    wheel: Wheel,
    due: VecDeque<Due>,
    /// Entries were appended to `due` since it was last sorted: a slot
    /// coming due moves its whole batch at once, and one sort beats a
    /// sorted insert each.
    due_unsorted: bool,
    /// The wheel's current tick: every slot before it has been emptied.
    elapsed: u64,
    seq: u64,
    /// Where the entries that a compaction moved out of the slot their key
    /// names are now, by sequence number (see `compact.rs`).
    moved: HashMap<u64, u32>,
    /// Every pending deadline is after this instant (when set): a loop asks
    /// `pop_expired` at each iteration, and between two timers due far
    /// apart the answer is `None` without scanning the wheel's levels. Set
    /// by a `pop_expired` that found nothing due; an earlier insert unsets
    /// it (cancelling and cascading keep it true).
    quiet_until: Option<Instant>,
}

impl<T> TimerQueue<T> {
    /// An empty queue whose tick 0 is `origin`; deadlines before it count as
    /// `origin` for placement (they are due at once) and keep their value.
    ///
    /// ```
    /// let q = tulip_timer::TimerQueue::<()>::new(std::time::Instant::now());
    /// assert!(q.is_empty());
    /// ```
    pub fn new(origin: Instant) -> Self {
        TimerQueue {
            origin,
            entries: Slab::new(),
            live: LiveSlots::default(),
            wheel: Wheel::new(),
            due: VecDeque::new(),
            due_unsorted: false,
            elapsed: 0,
            seq: 0,
            moved: HashMap::new(),
            quiet_until: None,
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

    /// How many timers the queue has room for without allocating: it grows
    /// with the number of pending timers and shrinks again once most of
    /// them are gone.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// let keys: Vec<_> = (0..10_000).map(|i| q.insert(t0 + Duration::from_secs(10), i)).collect();
    /// assert!(q.capacity() >= 10_000);
    /// keys.into_iter().for_each(|k| { q.cancel(k); });
    /// assert!(q.capacity() < 10_000);
    /// ```
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// `t` as stored: nanoseconds after the origin, saturating.
    fn nanos_of(&self, t: Instant) -> Nanos {
        let after = |d: Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
        match t.checked_duration_since(self.origin) {
            Some(d) => Nanos(after(d)),
            None => Nanos(-after(self.origin.saturating_duration_since(t))),
        }
    }

    /// The instant a stored deadline stands for: the deadline given to
    /// `insert` itself, unless it was more than ~292 years from the origin.
    fn instant_at(&self, n: Nanos) -> Instant {
        let d = Duration::from_nanos(n.0.unsigned_abs());
        let t = if n.0 >= 0 { self.origin.checked_add(d) } else { self.origin.checked_sub(d) };
        t.unwrap_or(self.origin)
    }

    /// The instant of `tick`; only ever used as a lower bound of deadlines
    /// that exist, so the fallback is unreachable in practice.
    fn instant_of(&self, tick: u64) -> Instant {
        self.origin.checked_add(Duration::from_millis(tick)).unwrap_or(self.origin)
    }

    /// Schedules `value` at `deadline`; returns the key that cancels it.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// let key = q.insert(t0 + Duration::from_secs(1), 7);
    /// assert_eq!(q.cancel(key), Some(7));
    /// ```
    pub fn insert(&mut self, deadline: Instant, value: T) -> TimerKey {
        if self.quiet_until.is_some_and(|q| deadline <= q) {
            self.quiet_until = None;
        }
        let deadline = self.nanos_of(deadline);
        let tick = deadline.tick();
        self.seq += 1;
        let seq = self.seq;
        // 2^32 - 1 pending timers would need hundreds of GB first.
        let index = self.entries.vacant_key() as u32;
        let entry = Entry { deadline, seq, list: DUE, prev: NIL, next: NIL, home: index, value };
        self.entries.insert(entry);
        self.live.insert(index);
        if tick <= self.elapsed {
            self.insert_due(index);
        } else {
            self.wheel.link(&mut self.entries, index, self.elapsed);
        }
        TimerKey { index, seq }
    }

    /// Removes a pending timer; `None` if it already fired or was cancelled.
    ///
    /// ```
    /// use std::time::Instant;
    /// let mut q = tulip_timer::TimerQueue::new(Instant::now());
    /// let key = q.insert(Instant::now(), 'x');
    /// assert_eq!(q.cancel(key), Some('x'));
    /// assert_eq!(q.cancel(key), None);
    /// ```
    pub fn cancel(&mut self, key: TimerKey) -> Option<T> {
        let index = self.index_of(key)?;
        if self.entries[index as usize].list == DUE {
            let pos = self.due_position(index);
            self.due.remove(pos);
        } else {
            self.wheel.unlink(&mut self.entries, index);
        }
        Some(self.remove_entry(index).value)
    }

    /// The value of a pending timer.
    ///
    /// ```
    /// use std::time::Instant;
    /// let mut q = tulip_timer::TimerQueue::new(Instant::now());
    /// let key = q.insert(Instant::now(), 1);
    /// if let Some(v) = q.get_mut(key) { *v += 1 }
    /// assert_eq!(q.cancel(key), Some(2));
    /// ```
    pub fn get_mut(&mut self, key: TimerKey) -> Option<&mut T> {
        let index = self.index_of(key)?;
        Some(&mut self.entries[index as usize].value)
    }

    /// Moves a pending timer to `deadline`, keeping its value; it then ties
    /// as if inserted now. Returns the new key, or `None` if `key` is stale.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// let key = q.insert(t0 + Duration::from_secs(60), ());
    /// let key = q.reschedule(key, t0).unwrap();
    /// assert_eq!(q.pop_expired(t0), Some((t0, ())));
    /// assert_eq!(q.reschedule(key, t0), None);
    /// ```
    pub fn reschedule(&mut self, key: TimerKey, deadline: Instant) -> Option<TimerKey> {
        let value = self.cancel(key)?;
        Some(self.insert(deadline, value))
    }

    fn key_of(&self, index: u32) -> (Nanos, u64) {
        let e = &self.entries[index as usize];
        (e.deadline, e.seq)
    }

    fn due_position(&self, index: u32) -> usize {
        if !self.due_unsorted {
            let key = self.key_of(index);
            if let Ok(pos) = self.due.binary_search_by_key(&key, |d| d.key) {
                return pos;
            }
        }
        self.due.iter().position(|d| d.index == index).unwrap_or(self.due.len())
    }

    fn insert_due(&mut self, index: u32) {
        self.entries[index as usize].list = DUE;
        let item = Due { key: self.key_of(index), index };
        let after_back = self.due.back().is_none_or(|b| b.key < item.key);
        if self.due_unsorted || after_back {
            self.due.push_back(item);
        } else {
            let pos = self.due.partition_point(|d| d.key < item.key);
            self.due.insert(pos, item);
        }
    }

    /// The first entry of `due` in (deadline, insertion) order.
    fn due_front(&mut self) -> Option<Due> {
        if self.due_unsorted {
            self.due.make_contiguous().sort_unstable_by_key(|d| d.key);
            self.due_unsorted = false;
        }
        self.due.front().copied()
    }

    /// Moves the wheel to the start of a slot that has come due and its
    /// entries one level down, or into `due` (only called with `due` empty).
    fn process(&mut self, slot: NextSlot) {
        self.elapsed = self.elapsed.max(slot.start);
        let mut index = self.wheel.take(slot);
        while index != NIL {
            let e = &mut self.entries[index as usize];
            let (next, tick) = (e.next, e.deadline.tick());
            if tick <= self.elapsed {
                e.list = DUE;
                self.due.push_back(Due { key: (e.deadline, e.seq), index });
                self.due_unsorted = true;
            } else {
                self.wheel.link(&mut self.entries, index, self.elapsed);
            }
            index = next;
        }
    }

    /// The earliest pending deadline. Exact for the next millisecond's worth
    /// of timers; for timers in a later slot of a higher level it is the
    /// slot's start, a lower bound. Never later than the true earliest
    /// deadline, and once it has passed, [`pop_expired`](Self::pop_expired)
    /// either returns a timer or moves it forward: a loop that sleeps until
    /// it never spins.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// assert_eq!(q.next_deadline(), None);
    /// let at = t0 + Duration::from_micros(2_500);
    /// q.insert(at, ());
    /// assert_eq!(q.next_deadline(), Some(at));
    /// ```
    pub fn next_deadline(&mut self) -> Option<Instant> {
        loop {
            if let Some(front) = self.due_front() {
                return Some(self.instant_at(front.key.0));
            }
            let slot = self.wheel.next_slot(self.elapsed)?;
            if slot.level > 0 {
                // Ticks are ceilings: deadlines in a slot are after start - 1 ms.
                return Some(self.instant_of(slot.start.saturating_sub(1)));
            }
            // Sorting the next millisecond's timers now makes the answer exact
            // and keeps repeated calls O(1).
            self.process(slot);
        }
    }

    /// The value of the timer `ahead` places behind the next one to pop, if
    /// it is among the timers already sorted for the current millisecond
    /// (`None` otherwise, also when it is merely further away): what a loop
    /// looks at to prepare for it, such as [`Timers`](crate::Timers)'s
    /// cache hint for the task a timer will wake.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// for (us, v) in [(200, 'b'), (100, 'a'), (300, 'c')] {
    ///     q.insert(t0 + Duration::from_micros(us), v);
    /// }
    /// assert_eq!(q.peek_due(1), None); // not sorted into the due buffer yet
    /// q.next_deadline();
    /// assert_eq!((q.peek_due(0), q.peek_due(2), q.peek_due(3)), (Some(&'a'), Some(&'c'), None));
    /// ```
    pub fn peek_due(&self, ahead: usize) -> Option<&T> {
        if self.due_unsorted {
            return None;
        }
        let due = self.due.get(ahead)?;
        self.entries.get(due.index as usize).map(|e| &e.value)
    }

    /// Removes and returns the next timer whose deadline is at or before
    /// `now`, in (deadline, insertion) order; `None` when none is due.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let t0 = Instant::now();
    /// let mut q = tulip_timer::TimerQueue::new(t0);
    /// let at = t0 + Duration::from_millis(3);
    /// q.insert(at, 'a');
    /// assert_eq!(q.pop_expired(at - Duration::from_nanos(1)), None);
    /// assert_eq!(q.pop_expired(at), Some((at, 'a')));
    /// ```
    pub fn pop_expired(&mut self, now: Instant) -> Option<(Instant, T)> {
        // Strictly before: at that instant the next slot starts to come
        // due, and the slow path moves it down (next_deadline moves on).
        if self.quiet_until.is_some_and(|q| now < q) {
            return None;
        }
        self.quiet_until = None;
        let now_nanos = self.nanos_of(now);
        let floor = now_nanos.floor_tick();
        // A deadline at or before `now` has a ceiling tick of at most floor + 1.
        let horizon = floor + 1;
        loop {
            if let Some(front) = self.due_front() {
                if front.key.0 > now_nanos {
                    return None;
                }
                self.due.pop_front();
                let e = self.remove_entry(front.index);
                return Some((self.instant_at(e.deadline), e.value));
            }
            match self.wheel.next_slot(self.elapsed) {
                Some(slot) if slot.start <= horizon => self.process(slot),
                next => {
                    // No slot starts by `floor`: moving there keeps every entry
                    // valid, and later inserts land on low levels.
                    self.elapsed = self.elapsed.max(floor);
                    // Ticks are ceilings: a slot's deadlines are after its
                    // start - 1 ms.
                    self.quiet_until = next.map(|slot| self.instant_of(slot.start.saturating_sub(1)));
                    return None;
                }
            }
        }
    }
}

/// An entry of `due`: its sort key (deadline, insertion sequence) beside
/// its slot, so that sorting a batch and checking the front read this
/// buffer and not the entries scattered through the slab.
#[derive(Clone, Copy)]
struct Due {
    key: (Nanos, u64),
    index: u32,
}

impl<T> std::fmt::Debug for TimerQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerQueue")
            .field("len", &self.len())
            .field("due", &self.due.len())
            .field("elapsed_ms", &self.elapsed)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ms(t0: Instant, ms: u64) -> Instant {
        t0 + Duration::from_millis(ms)
    }

    #[test]
    fn ties_pop_in_insertion_order_and_exact_deadline_first() {
        let t0 = Instant::now();
        let mut q = TimerQueue::new(t0);
        let a = t0 + Duration::from_micros(10_700);
        let b = t0 + Duration::from_micros(10_200);
        q.insert(a, 1);
        q.insert(b, 2);
        q.insert(a, 3);
        q.insert(b, 4);
        let got: Vec<_> = std::iter::from_fn(|| q.pop_expired(ms(t0, 11)).map(|(_, v)| v)).collect();
        assert_eq!(got, [2, 4, 1, 3]);
    }

    #[test]
    fn cascades_from_every_level_and_overflow() {
        let t0 = Instant::now();
        let mut q = TimerQueue::new(t0);
        let ticks = [1u64, 63, 64, 4_095, 4_096, 262_143, 1 << 24, 1 << 30, (1 << 36) - 1, 1 << 36, 1 << 40];
        for &t in ticks.iter().rev() {
            q.insert(ms(t0, t), t);
        }
        let mut got = Vec::new();
        let mut wakeups = 0;
        while let Some(d) = q.next_deadline() {
            wakeups += 1;
            assert!(wakeups < 100, "a loop sleeping until next_deadline would spin");
            while let Some((at, v)) = q.pop_expired(d) {
                assert!(at <= d);
                got.push(v);
            }
        }
        assert_eq!(got, ticks);
    }

    #[test]
    fn cancel_from_slot_due_and_overflow_frees_everything() {
        let t0 = Instant::now();
        let mut q = TimerQueue::new(t0);
        let keys = [q.insert(t0, 0), q.insert(ms(t0, 100), 1), q.insert(ms(t0, 1 << 40), 2)];
        assert_eq!(q.len(), 3);
        assert_eq!(q.cancel(keys[2]), Some(2));
        assert_eq!(q.cancel(keys[0]), Some(0));
        assert_eq!(q.cancel(keys[1]), Some(1));
        assert!(q.is_empty());
        assert_eq!(q.next_deadline(), None);
        assert_eq!(q.pop_expired(ms(t0, 1 << 41)), None);
    }

    #[test]
    fn cancel_inside_a_sorted_due_batch() {
        let t0 = Instant::now();
        let mut q = TimerQueue::new(t0);
        let at = t0 + Duration::from_micros(5_500);
        let keys: Vec<_> = (0..10).map(|i| q.insert(at, i)).collect();
        assert_eq!(q.next_deadline(), Some(at)); // sorts the slot into `due`
        assert_eq!(q.cancel(keys[4]), Some(4));
        q.insert(t0 + Duration::from_micros(5_100), 99); // sorted insert before the batch
        let got: Vec<_> = std::iter::from_fn(|| q.pop_expired(ms(t0, 6)).map(|(_, v)| v)).collect();
        assert_eq!(got, [99, 0, 1, 2, 3, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn deadlines_before_origin_are_due_at_once() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut q = TimerQueue::new(t0);
        let early = t0 - Duration::from_secs(5);
        q.insert(early, "early");
        assert_eq!(q.next_deadline(), Some(early));
        assert_eq!(q.pop_expired(t0), Some((early, "early")));
    }

    #[test]
    fn stale_key_misses_reused_storage() {
        let t0 = Instant::now();
        let mut q = TimerQueue::new(t0);
        let k1 = q.insert(ms(t0, 1), 1);
        assert_eq!(q.cancel(k1), Some(1));
        let k2 = q.insert(ms(t0, 1), 2);
        assert_eq!(k1.index, k2.index);
        assert_eq!(q.cancel(k1), None);
        assert_eq!(q.len(), 1);
    }
}
