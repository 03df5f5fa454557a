//! What [`Lock`](crate::Lock) and the semaphores share: a count of free
//! permits (a lock has one) with FIFO hand-off to waiters, and the waiting
//! half of an acquire, for the borrowed and the owned futures alike.

use crate::waitq::{Poll, WaitQueue};
use std::cell::{Cell, RefCell};
use std::ops::Deref;
use std::task::{self, Context};

/// Free permits and the tasks waiting for one.
///
/// Invariant: `free > 0` implies nobody waits — a release with waiters hands
/// its permit straight to the oldest one.
pub(crate) struct Permits {
    free: Cell<usize>,
    /// What `free` never exceeds (`usize::MAX`: no limit).
    cap: usize,
    waiters: RefCell<WaitQueue<()>>,
}

impl Permits {
    pub(crate) fn new(free: usize, cap: usize) -> Self {
        Permits { free: Cell::new(free.min(cap)), cap, waiters: RefCell::default() }
    }

    pub(crate) fn free(&self) -> usize {
        self.free.get()
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    pub(crate) fn n_waiting(&self) -> usize {
        self.waiters.borrow().len()
    }

    /// Takes a free permit, if any (never while anyone waits: see the invariant).
    pub(crate) fn try_take(&self) -> bool {
        let free = self.free.get();
        if free > 0 {
            self.free.set(free - 1);
        }
        free > 0
    }

    /// Gives a permit back: to the oldest waiter, else to the free count,
    /// which never exceeds the cap (a permit dropped after an explicit
    /// over-release of a bounded semaphore is absorbed).
    pub(crate) fn release(&self) {
        let granted = self.waiters.borrow_mut().grant_front(());
        match granted {
            Ok(w) => w.wake(),
            Err(()) => self.free.set(self.free.get().saturating_add(1).min(self.cap)),
        }
    }
}

/// Implemented by the primitives made of [`Permits`].
pub(crate) trait HasPermits {
    fn permits(&self) -> &Permits;
}

/// Waits for a permit of the primitive `owner` points to (`&Lock`,
/// `Rc<Lock>`, ...). Dropped while queued, it leaves the queue; dropped
/// after being handed a permit it had not taken yet, it passes the permit
/// on, so nothing is lost (python/asyncio#270) and no stale wake-up is left
/// (python/cpython#90155).
pub(crate) struct Acquiring<H: Deref<Target: HasPermits>> {
    pub(crate) owner: H,
    key: Option<usize>,
}

impl<H: Deref<Target: HasPermits>> Acquiring<H> {
    pub(crate) fn new(owner: H) -> Self {
        Acquiring { owner, key: None }
    }

    pub(crate) fn queued(&self) -> bool {
        self.key.is_some()
    }

    /// `Ready` once the caller holds a permit (and must release it).
    pub(crate) fn poll_acquire(&mut self, cx: &mut Context<'_>) -> task::Poll<()> {
        let permits = self.owner.permits();
        match self.key {
            None => {
                if permits.try_take() {
                    return task::Poll::Ready(());
                }
                self.key = Some(permits.waiters.borrow_mut().push(cx.waker().clone()));
                task::Poll::Pending
            }
            Some(key) => match permits.waiters.borrow_mut().poll(key, cx.waker()) {
                Poll::Granted(()) => {
                    self.key = None;
                    task::Poll::Ready(())
                }
                Poll::Pending => task::Poll::Pending,
            },
        }
    }
}

impl<H: Deref<Target: HasPermits>> Drop for Acquiring<H> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let permits = self.owner.permits();
            let granted = permits.waiters.borrow_mut().cancel(key);
            if granted.is_some() {
                permits.release();
            }
        }
    }
}
