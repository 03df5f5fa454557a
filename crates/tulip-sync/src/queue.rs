//! [`BaseQueue`] and its three orders: [`Queue`], [`LifoQueue`], [`PriorityQueue`].

use crate::queue_futures::{Get, Join, Put};
use crate::queue_state::{try_get, try_put, State};
use crate::queue_store::{Fifo, Lifo, Priority, QueueStore};
use crate::waitq::{wake_all, WaitQueue};
use crate::{GetNowaitError, PutNowaitError, QueueShutDown, ValueError};
use std::cell::RefCell;
use std::fmt;

/// asyncio's `Queue`: first in, first out.
pub type Queue<T> = BaseQueue<T, Fifo<T>>;
/// asyncio's `LifoQueue`: last in, first out.
pub type LifoQueue<T> = BaseQueue<T, Lifo<T>>;
/// asyncio's `PriorityQueue`: smallest item (by [`Ord`]) first.
pub type PriorityQueue<T> = BaseQueue<T, Priority<T>>;

/// asyncio's queues, generic over their order `S` ([`Queue`], [`LifoQueue`],
/// [`PriorityQueue`]).
///
/// `maxsize == 0` means unbounded. Waiting [`put`](Self::put)s and
/// [`get`](Self::get)s are served in FIFO order with hand-off: a put with
/// getters waiting hands its item to the oldest getter, and a get that frees
/// a slot reserves it for the oldest waiting putter, so a newcomer never
/// overtakes a waiter. A getter or putter dropped after being handed an item
/// or a slot passes it on; nothing is lost or duplicated.
///
/// ```
/// tulip::run(async move {
///     let q = tulip::sync::Queue::new(2);
///     q.put(1).await.unwrap();
///     q.put(2).await.unwrap();
///     assert!(q.full());
///     assert_eq!(q.get().await, Ok(1));
///     q.task_done().unwrap();
///     assert_eq!(q.get_nowait(), Ok(2));
///     q.task_done().unwrap();
///     q.join().await;
/// });
/// ```
pub struct BaseQueue<T, S> {
    pub(crate) state: RefCell<State<T, S>>,
}

impl<T, S: QueueStore<T>> fmt::Debug for BaseQueue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.borrow();
        f.debug_struct("Queue").field("maxsize", &s.maxsize).field("qsize", &s.qsize()).finish()
    }
}

impl<T, S: QueueStore<T>> BaseQueue<T, S> {
    /// A queue holding at most `maxsize` items (0: unbounded).
    ///
    /// ```
    /// let q: tulip::sync::PriorityQueue<u32> = tulip::sync::PriorityQueue::new(0);
    /// assert_eq!(q.maxsize(), 0);
    /// ```
    pub fn new(maxsize: usize) -> Self {
        Self {
            state: RefCell::new(State {
                items: S::default(),
                maxsize,
                in_flight: 0,
                reserved: 0,
                unfinished: 0,
                shutdown: false,
                immediate: false,
                getters: WaitQueue::default(),
                putters: WaitQueue::default(),
                joiners: WaitQueue::default(),
            }),
        }
    }

    /// The capacity given to [`new`](Self::new) (0: unbounded).
    ///
    /// ```
    /// assert_eq!(tulip::sync::Queue::<u8>::new(5).maxsize(), 5);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.state.borrow().maxsize
    }

    /// The number of items in the queue (including one handed to a woken
    /// getter that has not run yet, as in asyncio).
    ///
    /// ```
    /// let q = tulip::sync::LifoQueue::new(0);
    /// q.put_nowait('a').unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.state.borrow().qsize()
    }

    /// Whether the queue holds no item.
    ///
    /// ```
    /// assert!(tulip::sync::Queue::<u8>::new(0).empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether a [`put_nowait`](Self::put_nowait) would fail with [`QueueFull`](crate::QueueFull)
    /// (a slot reserved for a woken putter counts as taken). Never for `maxsize == 0`.
    ///
    /// ```
    /// let q = tulip::sync::Queue::new(1);
    /// q.put_nowait(()).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        self.state.borrow().full()
    }

    /// Puts an item without waiting: [`QueueFull`](crate::QueueFull) or [`QueueShutDown`] give it back.
    ///
    /// ```
    /// use tulip::sync::{PutNowaitError, QueueFull};
    /// let q = tulip::sync::Queue::new(1);
    /// assert_eq!(q.put_nowait(1), Ok(()));
    /// assert_eq!(q.put_nowait(2), Err(PutNowaitError::Full(QueueFull(2))));
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), PutNowaitError<T>> {
        try_put(&self.state, item)
    }

    /// Gets an item without waiting: [`QueueEmpty`](crate::QueueEmpty), or [`QueueShutDown`]
    /// once a shut-down queue is empty.
    ///
    /// ```
    /// use tulip::sync::{GetNowaitError, QueueEmpty};
    /// let q = tulip::sync::PriorityQueue::new(0);
    /// q.put_nowait(3).unwrap();
    /// q.put_nowait(1).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(1));
    /// assert_eq!(q.get_nowait(), Ok(3));
    /// assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty(QueueEmpty)));
    /// ```
    pub fn get_nowait(&self) -> Result<T, GetNowaitError> {
        try_get(&self.state)
    }

    /// Puts an item, waiting (FIFO) for a free slot; fails with
    /// [`QueueShutDown`] (giving the item back) if the queue is or gets shut down.
    ///
    /// ```
    /// tulip::run(async move {
    ///     let q = tulip::sync::Queue::new(1);
    ///     q.put("x").await.unwrap();
    ///     assert_eq!(q.qsize(), 1);
    /// });
    /// ```
    pub fn put(&self, item: T) -> Put<'_, T, S> {
        Put::new(&self.state, item)
    }

    /// Gets an item, waiting (FIFO) while the queue is empty; fails with
    /// [`QueueShutDown`] once the queue is shut down and empty.
    ///
    /// ```
    /// tulip::run(async move {
    ///     let q = tulip::sync::LifoQueue::new(0);
    ///     q.put_nowait(1).unwrap();
    ///     q.put_nowait(2).unwrap();
    ///     assert_eq!(q.get().await, Ok(2));
    /// });
    /// ```
    pub fn get(&self) -> Get<'_, T, S> {
        Get::new(&self.state)
    }

    /// Marks one gotten item as processed; [`join`](Self::join) returns when
    /// every put item is. [`ValueError`] if called more times than items were put.
    ///
    /// ```
    /// let q = tulip::sync::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// q.get_nowait().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), ValueError> {
        let mut wakers = Vec::new();
        {
            let mut s = self.state.borrow_mut();
            if s.unfinished == 0 {
                return Err(ValueError("task_done() called too many times"));
            }
            s.done(1, &mut wakers);
        }
        wake_all(wakers);
        Ok(())
    }

    /// Waits until every item put has been marked [`task_done`](Self::task_done).
    ///
    /// ```
    /// tulip::run(async move {
    ///     let q = tulip::sync::Queue::<u8>::new(0);
    ///     q.join().await; // nothing unfinished
    /// });
    /// ```
    pub fn join(&self) -> Join<'_, T, S> {
        Join::new(&self.state)
    }

    /// Shuts the queue down (asyncio 3.13): puts fail with [`QueueShutDown`],
    /// waiting putters and getters are woken with it, and gets fail once the
    /// queue is empty. With `immediate`, the queue is emptied first (each item
    /// counting as done, so [`join`](Self::join) can return).
    ///
    /// ```
    /// use tulip::sync::{GetNowaitError, QueueShutDown};
    /// let q = tulip::sync::Queue::new(0);
    /// q.put_nowait(1).unwrap();
    /// q.shutdown(false);
    /// assert!(q.put_nowait(2).is_err());
    /// assert_eq!(q.get_nowait(), Ok(1));
    /// assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown(QueueShutDown(()))));
    /// ```
    pub fn shutdown(&self, immediate: bool) {
        let mut wakers = Vec::new();
        let discarded = {
            let mut s = self.state.borrow_mut();
            s.shutdown = true;
            let discarded = if immediate {
                s.immediate = true;
                let items = std::mem::take(&mut s.items);
                s.done(items.len(), &mut wakers);
                Some(items)
            } else {
                None
            };
            wakers.extend(s.getters.grant_all(|_| Err(QueueShutDown(()))));
            wakers.extend(s.putters.grant_all(|_| Err(QueueShutDown(()))));
            discarded
        };
        // Dropped outside the borrow: an item's destructor may use the queue.
        drop(discarded);
        wake_all(wakers);
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    ///
    /// ```
    /// let q = tulip::sync::Queue::<u8>::new(0);
    /// q.shutdown(true);
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.state.borrow().shutdown
    }
}
