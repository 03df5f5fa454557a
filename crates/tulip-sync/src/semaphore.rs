//! [`Semaphore`]: asyncio's counting semaphore, FIFO-fair, with permits that
//! borrow it ([`SemaphorePermit`]) or own an `Rc` of it
//! ([`OwnedSemaphorePermit`]). [`BoundedSemaphore`](crate::BoundedSemaphore)
//! wraps one.

use crate::permits::{Acquiring, HasPermits, Permits};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{self, Context};

/// asyncio's `Semaphore`: a counter of permits for tasks of one loop.
///
/// [`acquire`](Semaphore::acquire) waits (FIFO) for a permit and returns a
/// [`SemaphorePermit`] that gives it back when dropped; or use asyncio's
/// explicit style: [`SemaphorePermit::forget`] then [`Semaphore::release`].
///
/// ```
/// tulip::run(async move {
///     let sem = tulip::sync::Semaphore::new(2);
///     let a = sem.acquire().await;
///     let _b = sem.acquire().await;
///     assert!(sem.locked());
///     drop(a);
///     assert_eq!(sem.value(), 1);
/// });
/// ```
pub struct Semaphore {
    permits: Permits,
}

impl HasPermits for Semaphore {
    fn permits(&self) -> &Permits {
        &self.permits
    }
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
    /// assert_eq!(tulip::sync::Semaphore::new(3).value(), 3);
    /// ```
    pub fn new(value: usize) -> Self {
        Self { permits: Permits::new(value, usize::MAX) }
    }

    /// A semaphore whose value never exceeds `cap`, even when permits are
    /// dropped after an explicit over-release (the core of `BoundedSemaphore`).
    pub(crate) fn capped(value: usize, cap: usize) -> Self {
        Self { permits: Permits::new(value, cap) }
    }

    /// The most the value can be (`usize::MAX` unless bounded).
    pub(crate) fn cap(&self) -> usize {
        self.permits.cap()
    }

    /// The number of free permits.
    ///
    /// ```
    /// let sem = tulip::sync::Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.value(), 0);
    /// ```
    pub fn value(&self) -> usize {
        self.permits.free()
    }

    /// Whether [`acquire`](Self::acquire) would wait: no free permit (asyncio's `locked()`).
    ///
    /// ```
    /// let sem = tulip::sync::Semaphore::new(0);
    /// assert!(sem.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.permits.free() == 0
    }

    /// The number of tasks waiting in [`acquire`](Self::acquire).
    ///
    /// ```
    /// assert_eq!(tulip::sync::Semaphore::new(1).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.permits.n_waiting()
    }

    /// Waits (FIFO) for a permit. Dropping the future gives up its place; a
    /// permit already handed to it goes to the next waiter.
    ///
    /// ```
    /// tulip::run(async move {
    ///     let sem = tulip::sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await;
    ///     assert!(sem.locked());
    ///     drop(permit);
    ///     assert!(!sem.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire { inner: Acquiring::new(self) }
    }

    /// Like [`acquire`](Self::acquire), for a semaphore in an `Rc`: the
    /// permit owns a reference to the semaphore instead of borrowing it, so
    /// it can outlive the borrow — be moved into a spawned task or kept in a
    /// struct (tokio's `acquire_owned`, async-lock's `acquire_arc`). Same
    /// FIFO hand-off and cancellation rules.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tulip::sync::{OwnedSemaphorePermit, Semaphore};
    /// tulip::run(async move {
    ///     let sem = Rc::new(Semaphore::new(2));
    ///     // Permits kept past the borrow that took them, e.g. by workers.
    ///     let mut held: Vec<OwnedSemaphorePermit> = Vec::new();
    ///     for _ in 0..2 {
    ///         held.push(sem.acquire_owned().await);
    ///     }
    ///     assert!(sem.locked());
    ///     held.clear();
    ///     assert_eq!(sem.value(), 2);
    /// });
    /// ```
    pub fn acquire_owned(self: &Rc<Self>) -> AcquireOwned {
        AcquireOwned { inner: Acquiring::new(self.clone()) }
    }

    /// Takes a permit if one is free, without waiting.
    ///
    /// ```
    /// let sem = tulip::sync::Semaphore::new(1);
    /// let p = sem.try_acquire();
    /// assert!(p.is_some() && sem.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.permits.try_take().then(|| SemaphorePermit { sem: self })
    }

    /// Adds a permit (asyncio's `release()`): hands it to the oldest waiter,
    /// or increments the counter. May raise the value above its initial one.
    ///
    /// ```
    /// let sem = tulip::sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.value(), 0);
    /// sem.release();
    /// assert_eq!(sem.value(), 1);
    /// ```
    pub fn release(&self) {
        self.permits.release();
    }
}

/// The future of [`Semaphore::acquire`] and [`BoundedSemaphore::acquire`](crate::BoundedSemaphore::acquire).
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    inner: Acquiring<&'a Semaphore>,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("queued", &self.inner.queued()).finish()
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<SemaphorePermit<'a>> {
        let sem = self.inner.owner;
        self.inner.poll_acquire(cx).map(|()| SemaphorePermit { sem })
    }
}

/// The future of [`Semaphore::acquire_owned`].
#[must_use = "futures do nothing unless awaited"]
pub struct AcquireOwned {
    inner: Acquiring<Rc<Semaphore>>,
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned").field("queued", &self.inner.queued()).finish()
    }
}

impl Future for AcquireOwned {
    type Output = OwnedSemaphorePermit;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<OwnedSemaphorePermit> {
        let ready = self.inner.poll_acquire(cx);
        ready.map(|()| OwnedSemaphorePermit { sem: self.inner.owner.clone(), forgotten: false })
    }
}

/// A permit of a [`Semaphore`] or [`BoundedSemaphore`](crate::BoundedSemaphore); dropping it releases it.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
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
    /// let sem = tulip::sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert!(sem.locked());
    /// ```
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// Releases the permit now; same as dropping it.
    ///
    /// ```
    /// let sem = tulip::sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().release();
    /// assert!(!sem.locked());
    /// ```
    pub fn release(self) {}
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.permits.release();
    }
}

/// A permit of a [`Semaphore`] it keeps alive through an `Rc` (from
/// [`Semaphore::acquire_owned`]); dropping it releases it. Unlike
/// [`SemaphorePermit`] it borrows nothing, so it can be kept in a struct or
/// moved into another task of the loop.
///
/// ```
/// use std::rc::Rc;
/// tulip::run(async move {
///     let sem = Rc::new(tulip::sync::Semaphore::new(1));
///     let permit = sem.acquire_owned().await;
///     let worker = async move {
///         let _permit = permit; // released when the worker ends
///     };
///     assert!(sem.locked());
///     worker.await;
///     assert!(!sem.locked());
/// });
/// ```
#[must_use = "the permit is released as soon as it is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Rc<Semaphore>,
    /// Set by `forget`: the drop keeps the permit taken.
    forgotten: bool,
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedSemaphorePermit")
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permit taken without releasing it; give it back later with
    /// [`Semaphore::release`].
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let sem = Rc::new(tulip::Semaphore::new(1));
    ///     sem.acquire_owned().await.forget();
    ///     assert!(sem.locked());
    /// });
    /// ```
    pub fn forget(mut self) {
        // The `Rc` is still dropped: only the release is skipped.
        self.forgotten = true;
    }

    /// Releases the permit now; same as dropping it.
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let sem = Rc::new(tulip::Semaphore::new(1));
    ///     sem.acquire_owned().await.release();
    ///     assert!(!sem.locked());
    /// });
    /// ```
    pub fn release(self) {}

    /// The semaphore this permit belongs to.
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let sem = Rc::new(tulip::Semaphore::new(1));
    ///     let permit = sem.acquire_owned().await;
    ///     assert!(Rc::ptr_eq(permit.semaphore(), &sem));
    /// });
    /// ```
    pub fn semaphore(&self) -> &Rc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if !self.forgotten {
            self.sem.permits.release();
        }
    }
}
