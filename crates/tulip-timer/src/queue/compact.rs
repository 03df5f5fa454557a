//! Giving memory back: a burst of timers grows the slab to its peak, and a
//! slab cannot shrink past its highest occupied slot, so one long timer
//! created mid-burst would pin all of it. Once the queue is mostly empty the
//! live entries are moved to a fresh, small slab instead.
//!
//! Keys name a slot (`index`) and stay valid across such a move: an entry
//! remembers the slot its key names (`home`), and the few entries not back
//! in their home slot are found through `moved` (sequence → slot). Stale
//! keys still miss, as sequence numbers are never reused.

use super::{TimerKey, TimerQueue};
use crate::wheel::{Entry, NIL};
use slab::Slab;
use std::collections::HashMap;

/// A queue with at most this many slots keeps them.
const KEEP: usize = 1024;

impl<T> TimerQueue<T> {
    /// The slot of the pending timer `key` names, if it is pending.
    pub(super) fn index_of(&self, key: TimerKey) -> Option<u32> {
        if self.live.contains(key.index) {
            if let Some(e) = self.entries.get(key.index as usize) {
                if e.seq == key.seq {
                    return Some(key.index);
                }
            }
        }
        if self.moved.is_empty() {
            None
        } else {
            self.moved.get(&key.seq).copied()
        }
    }

    /// Frees slot `index`, whose entry is already out of the wheel and of
    /// `due`, and compacts the queue if it is now mostly empty.
    pub(super) fn remove_entry(&mut self, index: u32) -> Entry<T> {
        let e = self.entries.remove(index as usize);
        self.live.remove(index);
        if e.home != index {
            self.moved.remove(&e.seq);
        }
        let capacity = self.entries.capacity();
        if capacity > KEEP && self.entries.len() <= capacity / 8 {
            self.compact();
        }
        e
    }

    /// Moves every entry to a slab sized for it and relinks the wheel and
    /// `due`. O(capacity), and run only after the queue shrank to an eighth
    /// of it: amortized O(1) per removal.
    fn compact(&mut self) {
        let fresh = Slab::with_capacity((self.entries.len() * 2).max(16));
        let old = std::mem::replace(&mut self.entries, fresh);
        let mut remap = vec![NIL; old.capacity()];
        for (index, entry) in old {
            remap[index] = self.entries.insert(entry) as u32;
        }
        let map = |i: u32| if i == NIL { NIL } else { remap[i as usize] };
        let mut moved = HashMap::new();
        for (index, e) in self.entries.iter_mut() {
            e.prev = map(e.prev);
            e.next = map(e.next);
            if e.home != index as u32 {
                moved.insert(e.seq, index as u32);
            }
        }
        self.moved = moved;
        self.live.rebuild(self.entries.iter().map(|(index, _)| index));
        self.wheel.remap(map);
        for d in self.due.iter_mut() {
            d.index = map(d.index);
        }
        self.due.shrink_to(self.due.len() * 2);
    }
}
