//! [`LiveSlots`]: one bit per slab slot, set while the slot holds a timer.
//!
//! A sleep that has fired cancels its key when it is next polled, and that
//! key's slot is usually vacant by then. Reading the slab to learn so costs
//! a cache miss per timer once many are pending (an entry is ~56 bytes; a
//! burst of 200k timers is 11 MB of them): the bit answers from 25 KB.

/// The occupied slots of a timer queue's slab.
#[derive(Default)]
pub(super) struct LiveSlots {
    words: Vec<u64>,
}

impl LiveSlots {
    pub(super) fn contains(&self, index: u32) -> bool {
        let i = index as usize;
        self.words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    pub(super) fn insert(&mut self, index: u32) {
        let i = index as usize;
        if self.words.len() <= i / 64 {
            self.words.resize(i / 64 + 1, 0);
        }
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub(super) fn remove(&mut self, index: u32) {
        let i = index as usize;
        if let Some(w) = self.words.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Exactly `indices` (a compaction moved every entry).
    pub(super) fn rebuild(&mut self, indices: impl Iterator<Item = usize>) {
        self.words.clear();
        self.words.shrink_to_fit();
        for i in indices {
            self.insert(i as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_follow_inserts_and_removes_across_words() {
        let mut s = LiveSlots::default();
        assert!(!s.contains(0) && !s.contains(1000));
        for i in [0, 63, 64, 1000] {
            s.insert(i);
        }
        assert!(s.contains(63) && s.contains(64) && s.contains(1000) && !s.contains(65));
        s.remove(64);
        s.remove(5000);
        assert!(!s.contains(64) && s.contains(63));
        s.rebuild([3usize, 7].into_iter());
        assert!(s.contains(3) && s.contains(7) && !s.contains(0) && !s.contains(1000));
    }
}
