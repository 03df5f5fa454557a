//! [`WakerSet`]: the wakers of any number of futures waiting for one
//! condition, each entry owned by its future and gone when the future is.

use slab::Slab;
use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::task::{Context, Poll, Waker};

/// The wakers of every future waiting for one condition (a socket turning
/// readable, a buffer draining, a server closing).
///
/// Each waiting future holds a key to its own entry: polling again updates
/// the entry instead of adding one, and the entry goes when the future
/// finishes or is dropped, so futures given up on (say, under a timeout)
/// leave nothing behind. Wakers are always called, and dropped, outside the
/// set's borrow: a woken task may poll or drop its future at once.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use tulip_task::WakerSet;
/// tulip::run(async {
///     let (set, open) = (Rc::new(WakerSet::new()), Rc::new(Cell::new(false)));
///     let (s, o) = (set.clone(), open.clone());
///     let waiter = tulip::create_task(async move { s.wait_until(|| o.get().then_some("open")).await });
///     tulip::sleep(std::time::Duration::ZERO).await;
///     assert_eq!(set.len(), 1);
///     open.set(true);
///     set.wake_all();
///     assert_eq!(waiter.await.unwrap(), "open");
///     assert_eq!(set.len(), 0);
/// });
/// ```
#[derive(Default)]
pub struct WakerSet {
    /// `None` once woken, until the future waits again.
    slots: RefCell<Slab<Option<Waker>>>,
}

impl WakerSet {
    /// An empty set.
    pub fn new() -> Self {
        WakerSet::default()
    }

    /// How many futures hold an entry (woken or not).
    pub fn len(&self) -> usize {
        self.slots.borrow().len()
    }

    /// True if no future holds an entry.
    pub fn is_empty(&self) -> bool {
        self.slots.borrow().is_empty()
    }

    /// True if some entry holds a waker not woken yet.
    pub fn has_waiting(&self) -> bool {
        self.slots.borrow().iter().any(|(_, w)| w.is_some())
    }

    /// Stores `waker` in the entry `key` names, making the entry (and
    /// setting `key`) on first use. A future calls this each time it
    /// returns `Pending`, and [`remove`](Self::remove)s its key when done.
    pub fn register(&self, key: &mut Option<usize>, waker: &Waker) {
        let replaced = {
            let mut slots = self.slots.borrow_mut();
            match key.and_then(|k| slots.get_mut(k)) {
                Some(slot) => match slot {
                    Some(old) if old.will_wake(waker) => None,
                    _ => slot.replace(waker.clone()),
                },
                None => {
                    *key = Some(slots.insert(Some(waker.clone())));
                    None
                }
            }
        };
        // Dropped outside the borrow: it may be the last reference to a task.
        drop(replaced);
    }

    /// Forgets the entry `key` (its future finished or was dropped).
    pub fn remove(&self, key: usize) {
        let removed = self.slots.borrow_mut().try_remove(key);
        drop(removed);
    }

    /// Wakes every waiting future, each outside the borrow. The entries stay
    /// (their futures remove them); a future woken and polled again before
    /// this returns re-registers and is not woken twice.
    pub fn wake_all(&self) {
        if self.slots.borrow().is_empty() {
            return;
        }
        let upper = self.slots.borrow().capacity();
        for key in 0..upper {
            let waker = self.slots.borrow_mut().get_mut(key).and_then(Option::take);
            if let Some(w) = waker {
                w.wake();
            }
        }
        self.shrink();
    }

    /// A burst of waiters can grow the slab; give the memory back once they
    /// are gone.
    fn shrink(&self) {
        let mut slots = self.slots.borrow_mut();
        if slots.is_empty() && slots.capacity() > 64 {
            *slots = Slab::new();
        }
    }

    /// Waits until `ready` returns `Some`, checking it now and after every
    /// [`wake_all`](Self::wake_all); the future's entry goes with it.
    ///
    /// ```
    /// let set = tulip_task::WakerSet::new();
    /// let v = futures_lite::future::block_on(set.wait_until(|| Some(5)));
    /// assert_eq!(v, 5);
    /// ```
    pub fn wait_until<'a, R: 'a>(&'a self, mut ready: impl FnMut() -> Option<R> + 'a) -> impl Future<Output = R> + 'a {
        let mut entry = Entry { set: self, key: None };
        poll_fn(move |cx: &mut Context<'_>| match ready() {
            Some(v) => {
                entry.release();
                Poll::Ready(v)
            }
            None => {
                entry.set.register(&mut entry.key, cx.waker());
                Poll::Pending
            }
        })
    }
}

impl std::fmt::Debug for WakerSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WakerSet").field("len", &self.len()).finish()
    }
}

/// A waiting future's entry, removed when it is done or dropped.
struct Entry<'a> {
    set: &'a WakerSet,
    key: Option<usize>,
}

impl Entry<'_> {
    fn release(&mut self) {
        if let Some(key) = self.key.take() {
            self.set.remove(key);
        }
    }
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        self.release();
    }
}
