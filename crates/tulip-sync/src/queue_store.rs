//! The storage orders of the queues: FIFO, LIFO and priority.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How a [`BaseQueue`](crate::BaseQueue) stores its items: decides which item
/// `get` returns. Implemented by [`Fifo`], [`Lifo`] and [`Priority`].
pub trait QueueStore<T>: Default {
    /// Adds an item.
    fn push(&mut self, item: T);
    /// Removes the next item to get.
    fn pop(&mut self) -> Option<T>;
    /// Puts back an item just returned by `pop` (its getter was cancelled),
    /// so that it is the next one got again.
    fn unpop(&mut self, item: T);
    /// The number of items.
    fn len(&self) -> usize;
    /// Whether there is no item.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out: [`Queue`](crate::Queue).
#[derive(Debug)]
pub struct Fifo<T>(VecDeque<T>);

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

impl<T> QueueStore<T> for Fifo<T> {
    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
    fn unpop(&mut self, item: T) {
        self.0.push_front(item);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Last in, first out: [`LifoQueue`](crate::LifoQueue).
#[derive(Debug)]
pub struct Lifo<T>(Vec<T>);

impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> QueueStore<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    fn unpop(&mut self, item: T) {
        self.0.push(item);
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Smallest first (asyncio's heap order): [`PriorityQueue`](crate::PriorityQueue).
#[derive(Debug)]
pub struct Priority<T: Ord>(BinaryHeap<Reverse<T>>);

impl<T: Ord> Default for Priority<T> {
    fn default() -> Self {
        Self(BinaryHeap::new())
    }
}

impl<T: Ord> QueueStore<T> for Priority<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(v)| v)
    }
    fn unpop(&mut self, item: T) {
        self.0.push(Reverse(item));
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}
