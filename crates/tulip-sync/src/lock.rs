//! [`Lock`]: asyncio's mutual-exclusion lock, FIFO-fair, with RAII guards
//! that borrow the lock ([`LockGuard`]) or own an `Rc` of it ([`OwnedLockGuard`]).

use crate::permits::{Acquiring, HasPermits, Permits};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{self, Context};

/// asyncio's `Lock`: a mutual-exclusion lock for tasks of one loop.
///
/// [`acquire`](Lock::acquire) returns a [`LockGuard`]; dropping the guard (or
/// calling [`LockGuard::release`]) releases the lock — `async with lock:` in
/// Rust. Strictly FIFO: a released lock is handed to the oldest waiter, and a
/// newcomer cannot barge in while anyone waits. A lock shared through an
/// `Rc` also gives guards that own a reference to it
/// ([`acquire_owned`](Lock::acquire_owned)).
///
/// ```
/// tulip::run(async {
///     let lock = tulip::Lock::new();
///     let guard = lock.acquire().await;
///     assert!(lock.locked());
///     drop(guard);
///     assert!(!lock.locked());
/// });
/// ```
pub struct Lock {
    /// One permit: free when unlocked.
    permits: Permits,
}

impl Default for Lock {
    fn default() -> Self {
        Lock { permits: Permits::new(1, 1) }
    }
}

impl HasPermits for Lock {
    fn permits(&self) -> &Permits {
        &self.permits
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("locked", &self.locked()).field("waiters", &self.permits.n_waiting()).finish()
    }
}

impl Lock {
    /// A new, unlocked lock.
    ///
    /// ```
    /// assert!(!tulip::sync::Lock::new().locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the lock is held (asyncio's `locked()`).
    ///
    /// ```
    /// let lock = tulip::sync::Lock::new();
    /// let g = lock.try_acquire().unwrap();
    /// assert!(lock.locked());
    /// g.release();
    /// assert!(!lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.permits.free() == 0
    }

    /// Acquires the lock, waiting (FIFO) while it is held. Dropping the
    /// returned future before it completes gives up the place in the queue;
    /// if the lock had already been handed to it, it passes to the next waiter.
    ///
    /// ```
    /// tulip::run(async move {
    ///     let lock = tulip::sync::Lock::new();
    ///     let _guard = lock.acquire().await;
    ///     assert!(lock.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire { inner: Acquiring::new(self) }
    }

    /// Like [`acquire`](Self::acquire), for a lock in an `Rc`: the guard
    /// owns a reference to the lock instead of borrowing it, so it can
    /// outlive the borrow — be moved into a spawned task, stored in a
    /// struct, returned from a function (tokio's `lock_owned`, async-lock's
    /// `lock_arc`). Same FIFO hand-off and cancellation rules.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tulip::sync::{Lock, OwnedLockGuard};
    /// // A guard that lives on after the function that took it returns.
    /// async fn take(lock: &Rc<Lock>) -> OwnedLockGuard {
    ///     lock.acquire_owned().await
    /// }
    /// tulip::run(async move {
    ///     let lock = Rc::new(Lock::new());
    ///     let guard = take(&lock).await;
    ///     assert!(lock.locked() && Rc::ptr_eq(guard.lock(), &lock));
    ///     drop(guard);
    ///     assert!(!lock.locked());
    /// });
    /// ```
    pub fn acquire_owned(self: &Rc<Self>) -> AcquireOwned {
        AcquireOwned { inner: Acquiring::new(self.clone()) }
    }

    /// Takes the lock if it is free and nobody waits, without waiting.
    ///
    /// ```
    /// let lock = tulip::sync::Lock::new();
    /// let g = lock.try_acquire();
    /// assert!(g.is_some());
    /// assert!(lock.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<LockGuard<'_>> {
        self.permits.try_take().then(|| LockGuard { lock: self })
    }
}

/// The future of [`Lock::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    inner: Acquiring<&'a Lock>,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("queued", &self.inner.queued()).finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = LockGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<LockGuard<'a>> {
        let lock = self.inner.owner;
        self.inner.poll_acquire(cx).map(|()| LockGuard { lock })
    }
}

/// The future of [`Lock::acquire_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    inner: Acquiring<Rc<Lock>>,
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned").field("queued", &self.inner.queued()).finish()
    }
}

impl Future for AcquireOwned {
    type Output = OwnedLockGuard;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<OwnedLockGuard> {
        let ready = self.inner.poll_acquire(cx);
        ready.map(|()| OwnedLockGuard { lock: self.inner.owner.clone() })
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
    /// let lock = tulip::sync::Lock::new();
    /// lock.try_acquire().unwrap().release();
    /// assert!(!lock.locked());
    /// ```
    pub fn release(self) {}

    /// The lock this guard holds.
    ///
    /// ```
    /// let lock = tulip::sync::Lock::new();
    /// let g = lock.try_acquire().unwrap();
    /// assert!(std::ptr::eq(g.lock(), &lock));
    /// ```
    pub fn lock(&self) -> &'a Lock {
        self.lock
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        self.lock.permits.release();
    }
}

/// Holds a [`Lock`] it keeps alive through an `Rc` (from
/// [`Lock::acquire_owned`]); dropping it releases the lock. Unlike
/// [`LockGuard`] it borrows nothing, so it can be kept in a struct or moved
/// into another task of the loop.
///
/// ```
/// use std::rc::Rc;
/// tulip::run(async move {
///     let lock = Rc::new(tulip::sync::Lock::new());
///     let guard = lock.acquire_owned().await;
///     let holder = async move {
///         // The guard moved here with its own reference to the lock.
///         assert!(guard.lock().locked());
///     };
///     assert!(lock.locked());
///     holder.await;
///     assert!(!lock.locked());
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedLockGuard {
    lock: Rc<Lock>,
}

impl fmt::Debug for OwnedLockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedLockGuard")
    }
}

impl OwnedLockGuard {
    /// Releases the lock now; same as dropping.
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let lock = Rc::new(tulip::Lock::new());
    ///     let guard = lock.acquire_owned().await;
    ///     guard.release();
    ///     assert!(!lock.locked());
    /// });
    /// ```
    pub fn release(self) {}

    /// The lock this guard holds.
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let lock = Rc::new(tulip::Lock::new());
    ///     let guard = lock.acquire_owned().await;
    ///     assert!(Rc::ptr_eq(guard.lock(), &lock));
    /// });
    /// ```
    pub fn lock(&self) -> &Rc<Lock> {
        &self.lock
    }
}

impl Drop for OwnedLockGuard {
    fn drop(&mut self) {
        self.lock.permits.release();
    }
}
