//! A binary-heap timer queue: the reference the wheel is tested and
//! measured against.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Instant;

/// Identifies a timer in a [`HeapTimerQueue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HeapKey(u64);

/// The textbook timer queue (asyncio's): a binary heap ordered by
/// `(deadline, sequence)`. Insert is O(log n); cancel is lazy (the entry is
/// forgotten and skipped when it surfaces), and like asyncio the heap is
/// rebuilt once cancelled entries outnumber live ones. Same API as
/// [`TimerQueue`](crate::TimerQueue), with exact deadlines; it is the
/// reference model in the property tests and the baseline in
/// `examples/wheel_vs_heap.rs`.
///
/// ```
/// use std::time::{Duration, Instant};
/// let t0 = Instant::now();
/// let mut q = tulip_timer::HeapTimerQueue::new(t0);
/// q.insert(t0 + Duration::from_millis(2), 'b');
/// q.insert(t0 + Duration::from_millis(1), 'a');
/// assert_eq!(q.pop_expired(t0 + Duration::from_millis(5)).map(|(_, v)| v), Some('a'));
/// ```
pub struct HeapTimerQueue<T> {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    values: HashMap<u64, T>,
    seq: u64,
}

impl<T> HeapTimerQueue<T> {
    /// An empty queue. `origin` is taken for parity with
    /// [`TimerQueue::new`](crate::TimerQueue::new); a heap needs no time zero.
    pub fn new(origin: Instant) -> Self {
        let _ = origin;
        HeapTimerQueue { heap: BinaryHeap::new(), values: HashMap::new(), seq: 0 }
    }

    /// Schedules `value` at `deadline`.
    pub fn insert(&mut self, deadline: Instant, value: T) -> HeapKey {
        self.seq += 1;
        self.heap.push(Reverse((deadline, self.seq)));
        self.values.insert(self.seq, value);
        HeapKey(self.seq)
    }

    /// Removes a pending timer; `None` if it already fired or was cancelled.
    pub fn cancel(&mut self, key: HeapKey) -> Option<T> {
        let value = self.values.remove(&key.0)?;
        if self.heap.len() > 64 && self.heap.len() > 2 * self.values.len() {
            let values = &self.values;
            self.heap.retain(|Reverse((_, seq))| values.contains_key(seq));
        }
        Some(value)
    }

    fn skip_cancelled(&mut self) {
        while let Some(Reverse((_, seq))) = self.heap.peek() {
            if self.values.contains_key(seq) {
                break;
            }
            self.heap.pop();
        }
    }

    /// The earliest pending deadline (exact).
    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.skip_cancelled();
        self.heap.peek().map(|Reverse((d, _))| *d)
    }

    /// The next timer due at or before `now`, in (deadline, insertion) order.
    pub fn pop_expired(&mut self, now: Instant) -> Option<(Instant, T)> {
        self.skip_cancelled();
        let Reverse((deadline, seq)) = *self.heap.peek()?;
        if deadline > now {
            return None;
        }
        self.heap.pop();
        self.values.remove(&seq).map(|v| (deadline, v))
    }

    /// How many timers are pending.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True if no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn cancelled_entries_do_not_pile_up() {
        let t0 = Instant::now();
        let mut q = HeapTimerQueue::new(t0);
        for i in 0..10_000 {
            let k = q.insert(t0 + Duration::from_secs(10), i);
            assert_eq!(q.cancel(k), Some(i));
        }
        assert!(q.heap.len() <= 130, "{} stale entries", q.heap.len());
        assert!(q.is_empty());
    }
}
