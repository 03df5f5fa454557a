//! [`BoundedSemaphore`]: a [`Semaphore`](crate::Semaphore) that refuses over-release.

use crate::semaphore::{Acquire, Core, SemaphorePermit};
use crate::ValueError;
use std::cell::{Cell, RefCell};
use std::fmt;

/// asyncio's `BoundedSemaphore`: a [`Semaphore`](crate::Semaphore) whose explicit
/// [`release`](BoundedSemaphore::release) fails with [`ValueError`] if it
/// would raise the value above the initial one. A [`SemaphorePermit`]
/// dropped when the value is already at the bound (after such an explicit
/// release) is absorbed: the value never exceeds the bound.
///
/// ```
/// let sem = tulip_sync::BoundedSemaphore::new(1);
/// assert!(sem.release().is_err());
/// ```
pub struct BoundedSemaphore {
    core: Core,
    bound: usize,
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore").field("value", &self.value()).field("bound", &self.bound).finish()
    }
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` permits (also its bound).
    ///
    /// ```
    /// assert_eq!(tulip_sync::BoundedSemaphore::new(2).value(), 2);
    /// ```
    pub fn new(value: usize) -> Self {
        Self { core: Core { value: Cell::new(value), bound: value, waiters: RefCell::default() }, bound: value }
    }

    /// The number of free permits.
    ///
    /// ```
    /// assert_eq!(tulip_sync::BoundedSemaphore::new(2).value(), 2);
    /// ```
    pub fn value(&self) -> usize {
        self.core.value.get()
    }

    /// Whether [`acquire`](Self::acquire) would wait.
    ///
    /// ```
    /// assert!(tulip_sync::BoundedSemaphore::new(0).locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.core.value.get() == 0
    }

    /// The number of tasks waiting in [`acquire`](Self::acquire).
    ///
    /// ```
    /// assert_eq!(tulip_sync::BoundedSemaphore::new(1).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.core.waiters.borrow().len()
    }

    /// Waits (FIFO) for a permit; see [`Semaphore::acquire`](crate::Semaphore::acquire).
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let sem = tulip_sync::BoundedSemaphore::new(1);
    ///     let _permit = sem.acquire().await;
    ///     assert!(sem.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire { core: &self.core, key: None }
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// ```
    /// let sem = tulip_sync::BoundedSemaphore::new(1);
    /// assert!(sem.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.core.try_acquire().then(|| SemaphorePermit { core: &self.core })
    }

    /// Gives back a permit taken with [`SemaphorePermit::forget`]; fails with
    /// [`ValueError`] if the value is already at its bound.
    ///
    /// ```
    /// let sem = tulip_sync::BoundedSemaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert!(sem.release().is_ok());
    /// assert_eq!(sem.release(), Err(tulip_sync::ValueError("BoundedSemaphore released too many times")));
    /// ```
    pub fn release(&self) -> Result<(), ValueError> {
        if self.core.value.get() >= self.bound {
            return Err(ValueError("BoundedSemaphore released too many times"));
        }
        self.core.release();
        Ok(())
    }
}
