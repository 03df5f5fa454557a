//! [`Lock`]: asyncio's mutual-exclusion lock, FIFO-fair, with an RAII guard.

use crate::waitq::{Poll, WaitQueue};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{self, Context};

/// asyncio's `Lock`: a mutual-exclusion lock for tasks of one loop.
///
/// [`acquire`](Lock::acquire) returns a [`LockGuard`]; dropping the guard (or
/// calling [`LockGuard::release`]) releases the lock — `async with lock:` in
/// Rust. Strictly FIFO: a released lock is handed to the oldest waiter, and a
/// newcomer cannot barge in while anyone waits.
///
/// ```
/// use futures_lite::future::block_on;
/// let lock = tulip_sync::Lock::new();
/// block_on(async {
///     let guard = lock.acquire().await;
///     assert!(lock.locked());
///     drop(guard);
///     assert!(!lock.locked());
/// });
/// ```
#[derive(Default)]
pub struct Lock {
    locked: Cell<bool>,
    waiters: RefCell<WaitQueue<()>>,
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("locked", &self.locked()).field("waiters", &self.waiters.borrow().len()).finish()
    }
}

impl Lock {
    /// A new, unlocked lock.
    ///
    /// ```
    /// assert!(!tulip_sync::Lock::new().locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the lock is held (asyncio's `locked()`).
    ///
    /// ```
    /// let lock = tulip_sync::Lock::new();
    /// let g = lock.try_acquire().unwrap();
    /// assert!(lock.locked());
    /// g.release();
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.locked.get()
    }

    /// Acquires the lock, waiting (FIFO) while it is held. Dropping the
    /// returned future before it completes gives up the place in the queue;
    /// if the lock had already been handed to it, it passes to the next waiter.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let lock = tulip_sync::Lock::new();
    ///     let _guard = lock.acquire().await;
    ///     assert!(lock.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire { lock: self, key: None }
    }

    /// Takes the lock if it is free and nobody waits, without waiting.
    ///
    /// ```
    /// let lock = tulip_sync::Lock::new();
    /// let g = lock.try_acquire();
    /// assert!(g.is_some());
    /// assert!(lock.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        if self.locked.get() {
            return None;
        }
        self.locked.set(true);
        Some(LockGuard { lock: self })
    }

    /// Releases the lock: hands it to the oldest waiter, or unlocks it.
    pub(crate) fn release_raw(&self) {
        let granted = self.waiters.borrow_mut().grant_front(());
        match granted {
            Ok(w) => w.wake(),
            Err(()) => self.locked.set(false),
        }
    }
}

/// The future of [`Lock::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    lock: &'a Lock,
    key: Option<usize>,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("queued", &self.key.is_some()).finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = LockGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<LockGuard<'a>> {
        let lock = self.lock;
        match self.key {
            None => {
                // The lock is never free while anyone waits (release hands it over).
                if let Some(g) = lock.try_acquire() {
                    return task::Poll::Ready(g);
                }
                self.key = Some(lock.waiters.borrow_mut().push(cx.waker().clone()));
                task::Poll::Pending
            }
            Some(key) => match lock.waiters.borrow_mut().poll(key, cx.waker()) {
                Poll::Granted(()) => {
                    self.key = None;
                    task::Poll::Ready(LockGuard { lock })
                }
                Poll::Pending => task::Poll::Pending,
            },
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let granted = self.lock.waiters.borrow_mut().cancel(key);
            if granted.is_some() {
                // Handed the lock but cancelled before taking it: pass it on.
                self.lock.release_raw();
            }
        }
    }
}

/// Holds a [`Lock`]; dropping it releases the lock.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockGuard")
    }
}

impl<'a> LockGuard<'a> {
    /// Releases the lock now (asyncio's `lock.release()`); same as dropping.
    ///
    /// ```
    /// let lock = tulip_sync::Lock::new();
    /// lock.try_acquire().unwrap().release();
    /// assert!(!lock.locked());
    /// ```
    pub fn release(self) {}

    /// The lock this guard holds.
    ///
    /// ```
    /// let lock = tulip_sync::Lock::new();
    /// let g = lock.try_acquire().unwrap();
    /// assert!(std::ptr::eq(g.lock(), &lock));
    /// ```
    pub fn lock(&self) -> &'a Lock {
        self.lock
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.lock.release_raw();
    }
}
