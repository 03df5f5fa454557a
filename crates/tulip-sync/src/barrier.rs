//! [`Barrier`]: asyncio's barrier (3.11).

use crate::waitq::{wake_all, Poll, WaitQueue};
use crate::{BrokenBarrierError, ValueError};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{self, Context};

/// asyncio's `Barrier`: `parties` tasks wait until all have arrived, then all
/// proceed. Each gets a distinct index in `0..parties` — the arrival order,
/// so the last to arrive gets `parties - 1`. The barrier then refills for the
/// next round.
///
/// [`abort`](Barrier::abort) breaks it: current and future waits fail with
/// [`BrokenBarrierError`]. [`reset`](Barrier::reset) fails the current waits
/// and makes it usable again. A waiter dropped before the barrier fills
/// leaves it (the count goes down).
///
/// ```
/// use std::rc::Rc;
/// tulip::run(async {
///     let barrier = Rc::new(tulip::Barrier::new(2)?);
///     let b = barrier.clone();
///     let first = tulip::create_task(async move { b.wait().await });
///     tulip::sleep(std::time::Duration::ZERO).await; // `first` waits
///     assert_eq!(barrier.wait().await, Ok(1));
///     assert_eq!(first.await.unwrap(), Ok(0));
///     Ok::<(), tulip::ValueError>(())
/// })?;
/// # Ok::<(), tulip::ValueError>(())
/// ```
pub struct Barrier {
    parties: usize,
    broken: Cell<bool>,
    waiters: RefCell<WaitQueue<Result<usize, BrokenBarrierError>>>,
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.broken())
            .finish()
    }
}

impl Barrier {
    /// A barrier for `parties` tasks; [`ValueError`] if `parties` is 0 (as in asyncio).
    ///
    /// ```
    /// use tulip::sync::Barrier;
    /// assert_eq!(Barrier::new(3).map(|b| b.parties()), Ok(3));
    /// assert!(Barrier::new(0).is_err());
    /// ```
    pub fn new(parties: usize) -> Result<Self, ValueError> {
        if parties == 0 {
            return Err(ValueError("Barrier parties must be > 0"));
        }
        Ok(Self { parties, broken: Cell::new(false), waiters: RefCell::default() })
    }

    /// The number of tasks needed to pass the barrier.
    ///
    /// ```
    /// assert_eq!(tulip::sync::Barrier::new(2).map(|b| b.parties()), Ok(2));
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// The number of tasks waiting in the current round.
    ///
    /// ```
    /// assert_eq!(tulip::sync::Barrier::new(2).map(|b| b.n_waiting()), Ok(0));
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.waiters.borrow().len()
    }

    /// Whether the barrier is broken (by [`abort`](Self::abort)).
    ///
    /// ```
    /// let b = tulip::sync::Barrier::new(2)?;
    /// b.abort();
    /// assert!(b.broken());
    /// # Ok::<(), tulip::sync::ValueError>(())
    /// ```
    pub fn broken(&self) -> bool {
        self.broken.get()
    }

    /// Waits until `parties` tasks are waiting; returns this task's index.
    ///
    /// ```
    /// tulip::run(async {
    ///     let b = tulip::Barrier::new(1)?;
    ///     assert_eq!(b.wait().await, Ok(0));
    ///     Ok::<(), tulip::ValueError>(())
    /// })?;
    /// # Ok::<(), tulip::ValueError>(())
    /// ```
    pub fn wait(&self) -> Wait<'_> {
        Wait { barrier: self, key: None }
    }

    /// Fails every current waiter with [`BrokenBarrierError`] and returns the
    /// barrier to its empty, unbroken state.
    ///
    /// ```
    /// let b = tulip::sync::Barrier::new(2)?;
    /// b.abort();
    /// b.reset();
    /// assert!(!b.broken());
    /// # Ok::<(), tulip::sync::ValueError>(())
    /// ```
    pub fn reset(&self) {
        self.broken.set(false);
        let wakers = self.waiters.borrow_mut().grant_all(|_| Err(BrokenBarrierError));
        wake_all(wakers);
    }

    /// Breaks the barrier: current and future waits fail with [`BrokenBarrierError`].
    ///
    /// ```
    /// tulip::run(async {
    ///     let b = tulip::Barrier::new(2)?;
    ///     b.abort();
    ///     assert_eq!(b.wait().await, Err(tulip::BrokenBarrierError));
    ///     Ok::<(), tulip::ValueError>(())
    /// })?;
    /// # Ok::<(), tulip::ValueError>(())
    /// ```
    pub fn abort(&self) {
        self.broken.set(true);
        let wakers = self.waiters.borrow_mut().grant_all(|_| Err(BrokenBarrierError));
        wake_all(wakers);
    }
}

/// The future of [`Barrier::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    barrier: &'a Barrier,
    key: Option<usize>,
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait").field("queued", &self.key.is_some()).finish()
    }
}

impl Future for Wait<'_> {
    type Output = Result<usize, BrokenBarrierError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<Self::Output> {
        let b = self.barrier;
        match self.key {
            None if b.broken.get() => task::Poll::Ready(Err(BrokenBarrierError)),
            None => {
                let mut waiters = b.waiters.borrow_mut();
                if waiters.len() + 1 == b.parties {
                    let wakers = waiters.grant_all(Ok);
                    drop(waiters);
                    wake_all(wakers);
                    return task::Poll::Ready(Ok(b.parties - 1));
                }
                self.key = Some(waiters.push(cx.waker().clone()));
                task::Poll::Pending
            }
            Some(key) => match b.waiters.borrow_mut().poll(key, cx.waker()) {
                Poll::Granted(r) => {
                    self.key = None;
                    task::Poll::Ready(r)
                }
                Poll::Pending => task::Poll::Pending,
            },
        }
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            // Passed or failed already: nothing to hand on; waiting: leave.
            self.barrier.waiters.borrow_mut().cancel(key);
        }
    }
}
