//! An ordered list with O(1) push, removal by key and update by key: the
//! done callbacks and awaiting handles of one [`Future`](crate::Future), in
//! registration order.
//!
//! Entries live in a vector of slots threaded into a doubly linked list (in
//! push order) and a free list. Keys carry a sequence number unique within
//! the list, so a stale key never reaches an entry that reused its slot.

use std::mem;

const NIL: u32 = u32::MAX;

/// Identifies an entry of a [`Waiters`] list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    index: u32,
    seq: u64,
}

struct Node<W> {
    prev: u32,
    next: u32,
    seq: u64,
    item: W,
}

enum Slot<W> {
    Used(Node<W>),
    Free { next_free: u32 },
}

/// Entries in push order.
pub(crate) struct Waiters<W> {
    slots: Vec<Slot<W>>,
    free: u32,
    head: u32,
    tail: u32,
    len: usize,
    next_seq: u64,
}

impl<W> Default for Waiters<W> {
    fn default() -> Self {
        Waiters { slots: Vec::new(), free: NIL, head: NIL, tail: NIL, len: 0, next_seq: 0 }
    }
}

impl<W> Waiters<W> {
    /// How many entries the list holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `item`; returns its key.
    pub(crate) fn push(&mut self, item: W) -> Key {
        let seq = self.next_seq;
        self.next_seq += 1;
        let node = Slot::Used(Node { prev: self.tail, next: NIL, seq, item });
        let index = if self.free == NIL {
            // More than u32::MAX - 1 live waiters on one future would need
            // hundreds of GB first.
            self.slots.push(node);
            (self.slots.len() - 1) as u32
        } else {
            let index = self.free;
            match mem::replace(&mut self.slots[index as usize], node) {
                Slot::Free { next_free } => self.free = next_free,
                Slot::Used(_) => unreachable!("the free list holds free slots only"),
            }
            index
        };
        match self.tail {
            NIL => self.head = index,
            tail => self.node_mut(tail).next = index,
        }
        self.tail = index;
        self.len += 1;
        Key { index, seq }
    }

    fn node_mut(&mut self, index: u32) -> &mut Node<W> {
        match &mut self.slots[index as usize] {
            Slot::Used(node) => node,
            Slot::Free { .. } => unreachable!("linked slots are used"),
        }
    }

    /// The entry of `key`, if it is still in the list.
    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut W> {
        match self.slots.get_mut(key.index as usize) {
            Some(Slot::Used(node)) if node.seq == key.seq => Some(&mut node.item),
            _ => None,
        }
    }

    /// Removes the entry of `key`; `None` if it is not in the list. An
    /// emptied list gives its memory back.
    pub(crate) fn remove(&mut self, key: Key) -> Option<W> {
        match self.slots.get(key.index as usize) {
            Some(Slot::Used(node)) if node.seq == key.seq => {}
            _ => return None,
        }
        let freed = Slot::Free { next_free: self.free };
        let Slot::Used(node) = mem::replace(&mut self.slots[key.index as usize], freed) else {
            unreachable!("checked above")
        };
        self.free = key.index;
        match node.prev {
            NIL => self.head = node.next,
            prev => self.node_mut(prev).next = node.next,
        }
        match node.next {
            NIL => self.tail = node.prev,
            next => self.node_mut(next).prev = node.prev,
        }
        self.len -= 1;
        if self.len == 0 {
            // Keys stay unique: `next_seq` is kept.
            *self = Waiters { next_seq: self.next_seq, ..Waiters::default() };
        }
        Some(node.item)
    }

    /// Removes every entry, in push order.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = W> {
        let mut slots = mem::take(&mut self.slots);
        let mut index = self.head;
        *self = Waiters { next_seq: self.next_seq, ..Waiters::default() };
        std::iter::from_fn(move || {
            let slot = slots.get_mut(index as usize)?;
            match mem::replace(slot, Slot::Free { next_free: NIL }) {
                Slot::Used(node) => {
                    index = node.next;
                    Some(node.item)
                }
                Slot::Free { .. } => None,
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_push_order_through_removals_and_reuse() {
        let mut w = Waiters::default();
        let keys: Vec<_> = (0..5).map(|i| w.push(i)).collect();
        assert_eq!(w.remove(keys[1]), Some(1));
        assert_eq!(w.remove(keys[1]), None);
        assert_eq!(w.remove(keys[4]), Some(4));
        assert_eq!(w.remove(keys[0]), Some(0));
        let k5 = w.push(5); // reuses a slot
        assert_eq!(w.get_mut(keys[0]), None, "a stale key misses the reused slot");
        *w.get_mut(k5).unwrap() = 50;
        assert_eq!(w.len(), 3);
        assert_eq!(w.take_all().collect::<Vec<_>>(), [2, 3, 50]);
        assert_eq!(w.len(), 0);
        assert_eq!(w.remove(k5), None);
    }

    #[test]
    fn emptied_list_frees_its_slots() {
        let mut w = Waiters::default();
        let keys: Vec<_> = (0..100).map(|i| w.push(i)).collect();
        for k in keys.iter().rev() {
            w.remove(*k);
        }
        assert_eq!(w.slots.capacity(), 0);
        let k = w.push(7);
        assert!(keys.iter().all(|old| w.get_mut(*old).is_none()));
        assert_eq!(w.remove(k), Some(7));
    }
}
