//! [`Condition`]: asyncio's condition variable over a [`Lock`].

use crate::error::NotifyError;
use crate::lock::{self, Lock, LockGuard};
use crate::waitq::{Poll, WaitQueue};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{self, Context, Waker};

/// asyncio's `Condition`: tasks wait for a notification, holding a [`Lock`]
/// before and after.
///
/// [`wait`](Condition::wait) takes the [`LockGuard`] and gives it back once
/// notified and the lock re-acquired, so the type system enforces asyncio's
/// "must hold the lock" rule. If a waiting future is dropped (its task
/// cancelled), no guard escapes: the lock is either not held by it at all or,
/// if it had just been handed the lock, passed to the next waiter; a
/// notification it had received passes to the next condition waiter.
///
/// ```
/// use std::rc::Rc;
/// tulip::run(async move {
///     let cond = Rc::new(tulip::sync::Condition::new());
///     let guard = cond.acquire().await;
///     let waiting = cond.wait(guard); // releases the lock
///     // Normally another task: it holds the lock to notify.
///     let other = cond.acquire().await;
///     cond.notify(1).unwrap();
///     drop(other);
///     let guard = waiting.await; // lock held again
///     assert!(cond.locked());
///     drop(guard);
/// });
/// ```
///
/// Several conditions can share one lock ([`Condition::with_lock`]), like
/// asyncio's `Condition(lock)`.
#[derive(Default)]
pub struct Condition {
    /// Shared (`Rc`) so that several conditions can use one lock.
    lock: Rc<Lock>,
    waiters: RefCell<WaitQueue<()>>,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition").field("locked", &self.locked()).field("waiters", &self.n_waiting()).finish()
    }
}

impl Condition {
    /// A condition with its own, unlocked [`Lock`].
    ///
    /// ```
    /// assert!(!tulip::sync::Condition::new().locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The underlying lock.
    ///
    /// ```
    /// let cond = tulip::sync::Condition::new();
    /// assert!(!cond.lock().locked());
    /// ```
    pub fn lock(&self) -> &Lock {
        &self.lock
    }

    /// A condition over `lock`, which other conditions may share (asyncio's
    /// `Condition(lock)`): a guard of the lock works with each of them.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tulip::sync::{Condition, Lock};
    /// tulip::run(async move {
    ///     let lock = Rc::new(Lock::new());
    ///     let (not_empty, not_full) = (Condition::with_lock(lock.clone()), Condition::with_lock(lock.clone()));
    ///     let guard = not_empty.acquire().await;
    ///     assert!(not_full.locked() && lock.locked());
    ///     let waiting = not_full.wait(guard);
    ///     assert!(!lock.locked());
    ///     let other = lock.acquire().await;
    ///     not_full.notify(1).unwrap();
    ///     drop(other);
    ///     let _guard = waiting.await;
    ///     assert!(lock.locked());
    /// });
    /// ```
    pub fn with_lock(lock: Rc<Lock>) -> Self {
        Self { lock, waiters: RefCell::default() }
    }

    /// Acquires the underlying lock (`async with cond:`).
    ///
    /// ```
    /// tulip::run(async move {
    ///     let cond = tulip::sync::Condition::new();
    ///     let _g = cond.acquire().await;
    ///     assert!(cond.locked());
    /// });
    /// ```
    pub fn acquire(&self) -> lock::Acquire<'_> {
        self.lock.acquire()
    }

    /// Whether the underlying lock is held.
    ///
    /// ```
    /// let cond = tulip::sync::Condition::new();
    /// let _g = cond.lock().try_acquire();
    /// assert!(cond.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// The number of tasks waiting for a notification.
    ///
    /// ```
    /// assert_eq!(tulip::sync::Condition::new().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.waiters.borrow().len()
    }

    /// Releases the lock held by `guard`, waits for a notification, then
    /// re-acquires the lock and returns the guard. Registration and release
    /// happen at once, when `wait` is called.
    ///
    /// # Panics
    /// If `guard` holds another lock than this condition's (a guard of a
    /// lock it shares with other conditions, [`Condition::with_lock`], is
    /// this condition's lock). Waiting while holding some other lock is a
    /// bug, refused like `std::sync::Condvar` refuses a second mutex: before
    /// anything changes, so the guard is simply dropped by the unwinding.
    ///
    /// Cancellation (dropping the future): a notification already received
    /// passes to the next waiter, and a lock already handed back passes to the
    /// next task waiting for it; nothing is lost and the lock is never leaked.
    ///
    /// ```
    /// tulip::run(async move {
    ///     let cond = tulip::sync::Condition::new();
    ///     let w = cond.wait(cond.acquire().await);
    ///     assert!(!cond.locked());
    ///     let notifier = cond.acquire().await;
    ///     cond.notify_all().unwrap();
    ///     drop(notifier);
    ///     let _guard = w.await;
    ///     assert!(cond.locked());
    /// });
    /// ```
    pub fn wait<'a>(&'a self, guard: LockGuard<'a>) -> impl Future<Output = LockGuard<'a>> + 'a {
        self.check_guard(&guard);
        self.wait_holding(guard)
    }

    fn check_guard(&self, guard: &LockGuard<'_>) {
        assert!(
            std::ptr::eq(guard.lock(), &*self.lock),
            "Condition::wait: the guard holds another lock than the condition's"
        );
    }

    /// `wait`, with `guard` known to hold this condition's lock.
    fn wait_holding<'a>(&'a self, guard: LockGuard<'a>) -> impl Future<Output = LockGuard<'a>> + 'a {
        let lock = &*self.lock;
        let key = self.waiters.borrow_mut().push(Waker::noop().clone());
        let notified = Notified { cond: self, key: Some(key) };
        drop(guard);
        async move {
            notified.await;
            lock.acquire().await
        }
    }

    /// Waits until `predicate()` is true (checked first with the lock held,
    /// then after every notification); returns the guard.
    ///
    /// # Panics
    /// If `guard` holds another lock than this condition's, as [`wait`](Self::wait).
    ///
    /// ```
    /// use std::cell::Cell;
    /// tulip::run(async move {
    ///     let cond = tulip::sync::Condition::new();
    ///     let ready = Cell::new(true);
    ///     let _g = cond.wait_for(cond.acquire().await, || ready.get()).await;
    /// });
    /// ```
    pub fn wait_for<'a>(
        &'a self,
        mut guard: LockGuard<'a>,
        mut predicate: impl FnMut() -> bool + 'a,
    ) -> impl Future<Output = LockGuard<'a>> + 'a {
        self.check_guard(&guard);
        async move {
            while !predicate() {
                guard = self.wait_holding(guard).await;
            }
            guard
        }
    }

    /// Wakes up to `n` waiters, oldest first; returns how many were woken.
    ///
    /// # Errors
    /// [`NotifyError`] if the lock is not held (asyncio's `RuntimeError:
    /// cannot notify on un-acquired lock`; like asyncio it checks that the
    /// lock is held, not by whom).
    ///
    /// ```
    /// tulip::run(async move {
    ///     let cond = tulip::sync::Condition::new();
    ///     assert!(cond.notify(1).is_err()); // the lock is not held
    ///     let _guard = cond.acquire().await;
    ///     assert_eq!(cond.notify(1), Ok(0)); // nobody waits
    /// });
    /// ```
    pub fn notify(&self, n: usize) -> Result<usize, NotifyError> {
        if !self.locked() {
            return Err(NotifyError);
        }
        Ok(self.wake(n))
    }

    /// Wakes up to `n` waiters (the lock is known to be held, or a
    /// cancelled waiter passes its notification on).
    fn wake(&self, n: usize) -> usize {
        let mut woken = 0;
        while woken < n {
            let granted = self.waiters.borrow_mut().grant_front(());
            match granted {
                Ok(w) => w.wake(),
                Err(()) => break,
            }
            woken += 1;
        }
        woken
    }

    /// Wakes every waiter; returns how many were woken.
    ///
    /// # Errors
    /// [`NotifyError`] if the lock is not held, as [`notify`](Self::notify).
    ///
    /// ```
    /// tulip::run(async move {
    ///     let cond = tulip::sync::Condition::new();
    ///     let _guard = cond.acquire().await;
    ///     assert_eq!(cond.notify_all(), Ok(0));
    /// });
    /// ```
    pub fn notify_all(&self) -> Result<usize, NotifyError> {
        self.notify(usize::MAX)
    }
}

/// Waits for a notification; passes a received one on if dropped.
struct Notified<'a> {
    cond: &'a Condition,
    key: Option<usize>,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<()> {
        let Some(key) = self.key else { return task::Poll::Ready(()) };
        let polled = self.cond.waiters.borrow_mut().poll(key, cx.waker());
        match polled {
            Poll::Granted(()) => {
                self.key = None;
                task::Poll::Ready(())
            }
            Poll::Pending => task::Poll::Pending,
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let granted = self.cond.waiters.borrow_mut().cancel(key);
            if granted.is_some() {
                self.cond.wake(1);
            }
        }
    }
}
