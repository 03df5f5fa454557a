//! The shared state of a queue and its hand-off rules.

use crate::queue_store::QueueStore;
use crate::waitq::wake_all;
use crate::waitq::WaitQueue;
use crate::{GetNowaitError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown};
use std::cell::RefCell;
use std::task::Waker;

pub(crate) struct State<T, S> {
    pub(crate) items: S,
    pub(crate) maxsize: usize,
    /// Items handed to a woken getter that has not taken them yet (they still count in `qsize`).
    pub(crate) in_flight: usize,
    /// Free slots handed to a woken putter that has not used them yet.
    pub(crate) reserved: usize,
    pub(crate) unfinished: usize,
    pub(crate) shutdown: bool,
    pub(crate) immediate: bool,
    pub(crate) getters: WaitQueue<Result<T, QueueShutDown>>,
    pub(crate) putters: WaitQueue<Result<(), QueueShutDown>>,
    pub(crate) joiners: WaitQueue<()>,
}

impl<T, S: QueueStore<T>> State<T, S> {
    pub(crate) fn qsize(&self) -> usize {
        self.items.len() + self.in_flight
    }

    pub(crate) fn full(&self) -> bool {
        self.maxsize > 0 && self.qsize() + self.reserved >= self.maxsize
    }

    /// Hands free slots to waiting putters (FIFO); returns their wakers.
    pub(crate) fn grant_slots(&mut self, wakers: &mut Vec<Waker>) {
        while !self.full() {
            match self.putters.grant_front(Ok(())) {
                Ok(w) => {
                    self.reserved += 1;
                    wakers.push(w);
                }
                Err(_) => break,
            }
        }
    }

    /// Adds an item (there is room): to the oldest getter, or to the store.
    pub(crate) fn push(&mut self, item: T, wakers: &mut Vec<Waker>) {
        self.unfinished += 1;
        match self.getters.grant_front(Ok(item)) {
            Ok(w) => {
                self.in_flight += 1;
                wakers.push(w);
            }
            Err(Ok(item)) => self.items.push(item),
            Err(Err(_)) => unreachable!("granted an Ok"),
        }
    }

    /// One task is done; wakes the joiners when none is left.
    pub(crate) fn done(&mut self, n: usize, wakers: &mut Vec<Waker>) {
        self.unfinished = self.unfinished.saturating_sub(n);
        if self.unfinished == 0 {
            wakers.extend(self.joiners.grant_all(|_| ()));
        }
    }
}

/// `put_nowait`: the item goes to the oldest getter or the store, or comes
/// back with why not. Wakers are called after the borrow ends.
pub(crate) fn try_put<T, S: QueueStore<T>>(state: &RefCell<State<T, S>>, item: T) -> Result<(), PutNowaitError<T>> {
    let mut wakers = Vec::new();
    let r = {
        let mut s = state.borrow_mut();
        if s.shutdown {
            Err(QueueShutDown(item).into())
        } else if s.full() {
            Err(QueueFull(item).into())
        } else {
            s.push(item, &mut wakers);
            Ok(())
        }
    };
    wake_all(wakers);
    r
}

/// `get_nowait`: the next item in the store's order, freeing a slot for the
/// oldest putter. Wakers are called after the borrow ends.
pub(crate) fn try_get<T, S: QueueStore<T>>(state: &RefCell<State<T, S>>) -> Result<T, GetNowaitError> {
    let mut wakers = Vec::new();
    let r = {
        let mut s = state.borrow_mut();
        match s.items.pop() {
            Some(item) => {
                s.grant_slots(&mut wakers);
                Ok(item)
            }
            None if s.shutdown => Err(QueueShutDown(()).into()),
            None => Err(QueueEmpty.into()),
        }
    };
    wake_all(wakers);
    r
}
