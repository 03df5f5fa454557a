//! [`Semaphore`]: asyncio's counting semaphore, FIFO-fair (and the core shared
//! with [`BoundedSemaphore`](crate::BoundedSemaphore)).

use crate::waitq::{Poll, WaitQueue};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{self, Context};

/// The shared state of both semaphores.
///
/// Invariant: `value > 0` implies nobody waits — a release with waiters hands
/// its permit straight to the oldest one.
pub(crate) struct Core {
    pub(crate) value: Cell<usize>,
    /// `usize::MAX` for an unbounded semaphore.
    pub(crate) bound: usize,
    pub(crate) waiters: RefCell<WaitQueue<()>>,
}

impl Core {
    pub(crate) fn release(&self) {
        let granted = self.waiters.borrow_mut().grant_front(());
        match granted {
            Ok(w) => w.wake(),
            // A bounded semaphore never exceeds its bound, even when a guard is
            // dropped after an explicit over-release.
            Err(()) => self.value.set(self.value.get().saturating_add(1).min(self.bound)),
        }
    }

    pub(crate) fn try_acquire(&self) -> bool {
        let v = self.value.get();
        if v > 0 {
            self.value.set(v - 1);
        }
        v > 0
    }
}

/// asyncio's `Semaphore`: a counter of permits for tasks of one loop.
///
/// [`acquire`](Semaphore::acquire) waits (FIFO) for a permit and returns a
/// [`SemaphorePermit`] that gives it back when dropped; or use asyncio's
/// explicit style: [`SemaphorePermit::forget`] then [`Semaphore::release`].
///
/// ```
/// futures_lite::future::block_on(async {
///     let sem = tulip_sync::Semaphore::new(2);
///     let a = sem.acquire().await;
///     let _b = sem.acquire().await;
///     assert!(sem.locked());
///     drop(a);
///     assert_eq!(sem.value(), 1);
/// });
/// ```
pub struct Semaphore {
    core: Core,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore").field("value", &self.value()).field("waiters", &self.n_waiting()).finish()
    }
}

impl Default for Semaphore {
    /// asyncio's default: one permit.
    fn default() -> Self {
        Self::new(1)
    }
}

impl Semaphore {
    /// A semaphore with `value` permits.
    ///
    /// ```
    /// assert_eq!(tulip_sync::Semaphore::new(3).value(), 3);
    /// ```
    pub fn new(value: usize) -> Self {
        Self { core: Core { value: Cell::new(value), bound: usize::MAX, waiters: RefCell::default() } }
    }

    /// The number of free permits.
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.value(), 0);
    /// ```
    pub fn value(&self) -> usize {
        self.core.value.get()
    }

    /// Whether [`acquire`](Self::acquire) would wait: no free permit (asyncio's `locked()`).
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(0);
    /// assert!(sem.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.core.value.get() == 0
    }

    /// The number of tasks waiting in [`acquire`](Self::acquire).
    ///
    /// ```
    /// assert_eq!(tulip_sync::Semaphore::new(1).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.core.waiters.borrow().len()
    }

    /// Waits (FIFO) for a permit. Dropping the future gives up its place; a
    /// permit already handed to it goes to the next waiter.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let sem = tulip_sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await;
    ///     assert!(sem.locked());
    ///     drop(permit);
    ///     assert!(!sem.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire { core: &self.core, key: None }
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(1);
    /// let p = sem.try_acquire();
    /// assert!(p.is_some() && sem.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.core.try_acquire().then(|| SemaphorePermit { core: &self.core })
    }

    /// Adds a permit (asyncio's `release()`): hands it to the oldest waiter,
    /// or increments the counter. May raise the value above its initial one.
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.value(), 0);
    /// sem.release();
    /// assert_eq!(sem.value(), 1);
    /// ```
    pub fn release(&self) {
        self.core.release();
    }
}

/// The future of [`Semaphore::acquire`] and [`BoundedSemaphore::acquire`](crate::BoundedSemaphore::acquire).
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    pub(crate) core: &'a Core,
    pub(crate) key: Option<usize>,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("queued", &self.key.is_some()).finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<SemaphorePermit<'a>> {
        let core = self.core;
        match self.key {
            None => {
                if core.try_acquire() {
                    return task::Poll::Ready(SemaphorePermit { core });
                }
                self.key = Some(core.waiters.borrow_mut().push(cx.waker().clone()));
                task::Poll::Pending
            }
            Some(key) => match core.waiters.borrow_mut().poll(key, cx.waker()) {
                Poll::Granted(()) => {
                    self.key = None;
                    task::Poll::Ready(SemaphorePermit { core })
                }
                Poll::Pending => task::Poll::Pending,
            },
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let granted = self.core.waiters.borrow_mut().cancel(key);
            if granted.is_some() {
                // Woken with a permit but cancelled before running: pass it on
                // (python/asyncio#270), leaving no stale "wakeup" (cpython#90155).
                self.core.release();
            }
        }
    }
}

/// A permit of a [`Semaphore`] or [`BoundedSemaphore`](crate::BoundedSemaphore); dropping it releases it.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    pub(crate) core: &'a Core,
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SemaphorePermit")
    }
}

impl SemaphorePermit<'_> {
    /// Keeps the permit taken without releasing it (asyncio's bare `acquire()`);
    /// give it back later with `release()` on the semaphore.
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert!(sem.locked());
    /// ```
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// Releases the permit now; same as dropping it.
    ///
    /// ```
    /// let sem = tulip_sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().release();
    /// assert!(!sem.locked());
    /// ```
    pub fn release(self) {}
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.core.release();
    }
}
