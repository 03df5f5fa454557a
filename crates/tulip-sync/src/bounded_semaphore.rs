//! [`BoundedSemaphore`]: a [`Semaphore`] that refuses over-release.

use crate::semaphore::{Acquire, Semaphore, SemaphorePermit};
use crate::ValueError;
use std::fmt;

/// asyncio's `BoundedSemaphore`: a [`Semaphore`] whose explicit
/// [`release`](BoundedSemaphore::release) fails with [`ValueError`] if it
/// would raise the value above the initial one. A [`SemaphorePermit`]
/// dropped when the value is already at the bound (after such an explicit
/// release) is absorbed: the value never exceeds the bound.
///
/// It is a `Semaphore` created with its bound as a cap, plus the check in
/// `release`; everything else is the semaphore's.
///
/// ```
/// let sem = tulip::sync::BoundedSemaphore::new(1);
/// assert!(sem.release().is_err());
/// ```
pub struct BoundedSemaphore {
    sem: Semaphore,
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore").field("value", &self.value()).field("bound", &self.sem.cap()).finish()
    }
}

impl BoundedSemaphore {
    /// A bounded semaphore with `value` permits (also its bound).
    ///
    /// ```
    /// assert_eq!(tulip::sync::BoundedSemaphore::new(2).value(), 2);
    /// ```
    pub fn new(value: usize) -> Self {
        Self { sem: Semaphore::capped(value, value) }
    }

    /// The number of free permits.
    ///
    /// ```
    /// assert_eq!(tulip::sync::BoundedSemaphore::new(2).value(), 2);
    /// ```
    pub fn value(&self) -> usize {
        self.sem.value()
    }

    /// Whether [`acquire`](Self::acquire) would wait.
    ///
    /// ```
    /// assert!(tulip::sync::BoundedSemaphore::new(0).locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.sem.locked()
    }

    /// The number of tasks waiting in [`acquire`](Self::acquire).
    ///
    /// ```
    /// assert_eq!(tulip::sync::BoundedSemaphore::new(1).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.sem.n_waiting()
    }

    /// Waits (FIFO) for a permit; see [`Semaphore::acquire`].
    ///
    /// ```
    /// tulip::run(async move {
    ///     let sem = tulip::sync::BoundedSemaphore::new(1);
    ///     let _permit = sem.acquire().await;
    ///     assert!(sem.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        self.sem.acquire()
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// ```
    /// let sem = tulip::sync::BoundedSemaphore::new(1);
    /// assert!(sem.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.sem.try_acquire()
    }

    /// Gives back a permit taken with [`SemaphorePermit::forget`]; fails with
    /// [`ValueError`] if the value is already at its bound.
    ///
    /// ```
    /// let sem = tulip::sync::BoundedSemaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert!(sem.release().is_ok());
    /// assert_eq!(sem.release(), Err(tulip::sync::ValueError("BoundedSemaphore released too many times")));
    /// ```
    pub fn release(&self) -> Result<(), ValueError> {
        if self.sem.value() >= self.sem.cap() {
            return Err(ValueError("BoundedSemaphore released too many times"));
        }
        self.sem.release();
        Ok(())
    }
}
