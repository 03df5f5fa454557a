//! The FIFO waiter queue every primitive is built on.
//!
//! Waiters live in a slab; the ones still waiting are linked in arrival order
//! (a doubly linked list threaded through the slab, so removal of a cancelled
//! waiter is O(1)). A grant moves the oldest waiter from `Waiting` to
//! `Granted(value)` and unlinks it; the waiter's future later takes the value
//! (or, if dropped first, gets it back from [`WaitQueue::cancel`] and passes it
//! on). Keys are freed only by the waiter's own future, so they never alias.

use slab::Slab;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::task::Waker;

enum State<T> {
    Waiting(Waker),
    Granted(T),
}

struct Entry<T> {
    prev: Option<usize>,
    next: Option<usize>,
    state: State<T>,
}

/// A FIFO queue of waiters, each eventually granted a `T`.
pub(crate) struct WaitQueue<T> {
    slab: Slab<Entry<T>>,
    head: Option<usize>,
    tail: Option<usize>,
    waiting: usize,
    /// Makes every primitive (they all hold a `WaitQueue`) `!Send + !Sync`:
    /// they belong to one loop, i.e. one thread (see the crate docs).
    _single_loop: PhantomData<*const ()>,
}

impl<T> Default for WaitQueue<T> {
    fn default() -> Self {
        Self { slab: Slab::new(), head: None, tail: None, waiting: 0, _single_loop: PhantomData }
    }
}

/// What polling a registered waiter found.
pub(crate) enum Poll<T> {
    Granted(T),
    Pending,
}

impl<T> WaitQueue<T> {
    /// Number of waiters still waiting (not yet granted).
    pub(crate) fn len(&self) -> usize {
        self.waiting
    }

    /// Enqueues a new waiter at the back; returns its key.
    pub(crate) fn push(&mut self, waker: Waker) -> usize {
        let key = self.slab.insert(Entry { prev: self.tail, next: None, state: State::Waiting(waker) });
        match self.tail {
            Some(t) => self.slab[t].next = Some(key),
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        self.waiting += 1;
        key
    }

    fn unlink(&mut self, key: usize) {
        let (prev, next) = (self.slab[key].prev, self.slab[key].next);
        match prev {
            Some(p) => self.slab[p].next = next,
            None => self.head = next,
        }
        match next {
            Some(n) => self.slab[n].prev = prev,
            None => self.tail = prev,
        }
        self.waiting -= 1;
    }

    /// Polls waiter `key`: takes its grant (freeing the key) or refreshes its waker.
    pub(crate) fn poll(&mut self, key: usize, waker: &Waker) -> Poll<T> {
        match &mut self.slab[key].state {
            State::Waiting(w) => {
                if !w.will_wake(waker) {
                    w.clone_from(waker);
                }
                Poll::Pending
            }
            State::Granted(_) => match self.slab.remove(key).state {
                State::Granted(v) => Poll::Granted(v),
                State::Waiting(_) => Poll::Pending,
            },
        }
    }

    /// Removes waiter `key` (its future was dropped). Returns what it had been
    /// granted, if anything, so the caller can pass it on.
    pub(crate) fn cancel(&mut self, key: usize) -> Option<T> {
        if let State::Waiting(_) = self.slab[key].state {
            self.unlink(key);
        }
        match self.slab.remove(key).state {
            State::Granted(v) => Some(v),
            State::Waiting(_) => None,
        }
    }

    /// Grants `value` to the oldest waiter and returns its waker (wake it
    /// after releasing any borrow); gives `value` back if nobody waits.
    pub(crate) fn grant_front(&mut self, value: T) -> Result<Waker, T> {
        let Some(key) = self.head else { return Err(value) };
        self.unlink(key);
        match std::mem::replace(&mut self.slab[key].state, State::Granted(value)) {
            State::Waiting(w) => Ok(w),
            State::Granted(_) => unreachable!("linked waiters are always waiting"),
        }
    }

    /// Grants every waiting waiter a value made by `f(index)` (in FIFO order);
    /// returns their wakers.
    pub(crate) fn grant_all(&mut self, mut f: impl FnMut(usize) -> T) -> Vec<Waker> {
        let mut wakers = Vec::with_capacity(self.waiting);
        let mut i = 0;
        while let Ok(w) = self.grant_front(f(i)) {
            wakers.push(w);
            i += 1;
        }
        wakers
    }
}

/// Wakes every waker of `wakers`. They were all granted something already,
/// so one that panics must not leave the others asleep: each is woken, and
/// the first panic is re-raised afterwards.
pub(crate) fn wake_all(wakers: impl IntoIterator<Item = Waker>) {
    let mut first_panic = None;
    for w in wakers {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| w.wake())) {
            first_panic.get_or_insert(payload);
        }
    }
    if let Some(payload) = first_panic {
        resume_unwind(payload);
    }
}
