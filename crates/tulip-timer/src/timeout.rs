//! asyncio 3.11's `asyncio.timeout()` / `timeout_at()`, in Rust form: a
//! future wrapper with a deadline that can be read and moved.

use crate::clock::saturating_add;
use crate::driver::{TimerEntry, Timers};
use crate::queue::TimerKey;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tulip_task::CancelledError;

/// The deadline passed (asyncio's `TimeoutError`). Its
/// [`source`](std::error::Error::source) is the cancellation of the work it
/// gave up on, as asyncio raises `TimeoutError` from the `CancelledError`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeoutError;

impl std::fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("timed out")
    }
}

/// What a timeout does to the work it gives up on: cancels it (drops it).
static CANCELLED: CancelledError = CancelledError { message: None };

impl std::error::Error for TimeoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&CANCELLED)
    }
}

impl From<TimeoutError> for std::io::Error {
    fn from(e: TimeoutError) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}

/// [`Timeout::reschedule`] after the timeout finished or expired (asyncio's
/// `RuntimeError: Cannot change state of expired Timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("RuntimeError: Cannot change state of {0} Timeout")]
pub struct TimeoutStateError(pub &'static str);

#[derive(Debug, Clone, Copy)]
enum Deadline {
    /// Relative to the loop's clock when the wrapped future first waits.
    After(Duration),
    At(Instant),
    Never,
}

/// Shared with [`TimeoutHandle`]s, created on the first `handle()` call so
/// that a timeout nobody reschedules allocates nothing.
struct Shared {
    deadline: Cell<Deadline>,
    expired: Cell<bool>,
    finished: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// The future of [`timeout`] and [`timeout_at`]: `Ok(output)` if the wrapped
/// future finishes in time, else `Err(TimeoutError)` — after the wrapped
/// future has been dropped, so its destructors have run.
///
/// The wrapped future is polled first: one that is ready at once never
/// reads the clock or touches the timer queue.
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    inner: Option<F>,
    deadline: Deadline,
    expired: bool,
    /// Set (and never cleared) once a timer was armed or a handle made.
    /// Until then `deadline` is the deadline and `timer` and `shared` are
    /// `None`: a future ready at once is polled, finished and dropped
    /// testing this one flag (wait_for_1m).
    touched: bool,
    // Both dropped by hand in `Drop` (`release`), so that an untouched
    // timeout is dropped with one inline test and no drop glue.
    timer: ManuallyDrop<Option<(Rc<Timers>, TimerKey, Instant)>>,
    shared: ManuallyDrop<Option<Rc<Shared>>>,
}

/// Runs `future` with a time limit of `delay` (asyncio's
/// `async with asyncio.timeout(delay)`).
///
/// ```
/// use std::time::Duration;
/// let quick = tulip::timeout(Duration::from_secs(1), async { 5 });
/// assert_eq!(tulip::run(quick), Ok(5));
/// let slow = tulip::timeout(Duration::from_millis(1), tulip::sleep(Duration::from_secs(60)));
/// assert_eq!(tulip::run(slow), Err(tulip::TimeoutError));
/// ```
pub fn timeout<F: Future>(delay: Duration, future: F) -> Timeout<F> {
    Timeout::new(future, Deadline::After(delay))
}

/// Runs `future` until `deadline` at the latest (asyncio's `timeout_at`);
/// `None` means no limit.
///
/// ```
/// let t = tulip::timeout_at(None, async { "no limit" });
/// assert_eq!(t.when(), None);
/// assert_eq!(tulip::run(t), Ok("no limit"));
/// ```
pub fn timeout_at<F: Future>(deadline: Option<Instant>, future: F) -> Timeout<F> {
    let deadline = deadline.map_or(Deadline::Never, Deadline::At);
    Timeout::new(future, deadline)
}

impl<F> Timeout<F> {
    fn new(future: F, deadline: Deadline) -> Self {
        Timeout {
            inner: Some(future),
            deadline,
            expired: false,
            touched: false,
            timer: ManuallyDrop::new(None),
            shared: ManuallyDrop::new(None),
        }
    }

    #[inline]
    fn current_deadline(&self) -> Deadline {
        self.shared.as_ref().map_or(self.deadline, |s| s.deadline.get())
    }

    /// The deadline, once known: `None` for no limit, or for a relative
    /// timeout that has not started waiting yet.
    pub fn when(&self) -> Option<Instant> {
        match self.current_deadline() {
            Deadline::At(t) => Some(t),
            _ => None,
        }
    }

    /// Moves the deadline (`None`: no limit). A timer already registered
    /// moves with it, so an earlier deadline fires on time even if the
    /// timeout is not polled again before then.
    ///
    /// # Errors
    /// [`TimeoutStateError`] once the block has ended (the future finished
    /// or the deadline passed), as asyncio raises `RuntimeError`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let mut t = tulip::timeout(Duration::from_secs(5), std::future::ready(1));
    /// assert_eq!(t.when(), None); // relative: fixed when it starts waiting
    /// let at = Instant::now() + Duration::from_secs(1);
    /// t.reschedule(Some(at)).unwrap();
    /// assert_eq!(t.when(), Some(at));
    /// t.reschedule(None).unwrap();
    /// assert_eq!(t.when(), None);
    /// let mut t = tulip::run(async move {
    ///     assert_eq!((&mut t).await, Ok(1));
    ///     t
    /// });
    /// assert!(t.reschedule(Some(at)).is_err()); // the block has ended
    /// ```
    pub fn reschedule(&mut self, deadline: Option<Instant>) -> Result<(), TimeoutStateError> {
        self.check_active()?;
        self.set_deadline(deadline.map_or(Deadline::Never, Deadline::At));
        let Some((timers, key, _)) = self.timer.take() else { return Ok(()) };
        match deadline {
            Some(at) => {
                if let Some(key) = timers.reschedule(key, at) {
                    *self.timer = Some((timers, key, at));
                }
            }
            None => {
                timers.cancel(key);
            }
        }
        Ok(())
    }

    fn check_active(&self) -> Result<(), TimeoutStateError> {
        // The future is dropped once the block ends (done or expired).
        match (self.expired, self.inner.is_none()) {
            (true, _) => Err(TimeoutStateError("expired")),
            (false, true) => Err(TimeoutStateError("finished")),
            _ => Ok(()),
        }
    }

    /// The block ended: no more rescheduling.
    fn finish(&mut self) {
        if let Some(s) = &*self.shared {
            s.finished.set(true);
        }
    }

    /// True once the deadline passed and the wrapped future was dropped.
    pub fn expired(&self) -> bool {
        self.expired
    }

    /// A handle to read and move the deadline from elsewhere — for instance
    /// from inside the wrapped future, like asyncio's `async with
    /// asyncio.timeout(d) as cm: ... cm.reschedule(...)`.
    pub fn handle(&mut self) -> TimeoutHandle {
        self.touched = true;
        let shared = self.shared.get_or_insert_with(|| {
            Rc::new(Shared {
                deadline: Cell::new(self.deadline),
                expired: Cell::new(self.expired),
                finished: Cell::new(self.inner.is_none()),
                waker: RefCell::new(None),
            })
        });
        TimeoutHandle { shared: shared.clone() }
    }

    /// Removes the timer from the queue, if one is armed. Inline, so that
    /// the common case (none: the future never waited) is one test.
    #[inline]
    fn cancel_timer(&mut self) {
        if self.timer.is_some() {
            self.cancel_armed_timer();
        }
    }

    #[cold]
    #[inline(never)]
    fn cancel_armed_timer(&mut self) {
        if let Some((timers, key, _)) = self.timer.take() {
            timers.cancel(key);
        }
    }

    fn set_deadline(&mut self, d: Deadline) {
        match &*self.shared {
            Some(s) => s.deadline.set(d),
            None => self.deadline = d,
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is structurally pinned: it is only polled through
        // a pinned reference and dropped in place (assigning `None`), never
        // moved; no other field is pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // The first poll of a relative timeout (the path of a future ready
        // at once): no guard, as only a fixed deadline can have passed, and
        // nothing armed or shared to finish.
        if !this.touched && !matches!(this.deadline, Deadline::At(_)) {
            let Some(inner) = this.inner.as_mut() else {
                return Poll::Ready(Err(TimeoutError));
            };
            // SAFETY: see above.
            if let Poll::Ready(v) = unsafe { Pin::new_unchecked(inner) }.poll(cx) {
                this.inner = None;
                return Poll::Ready(Ok(v));
            }
            return this.wait(cx);
        }
        this.poll_full(cx)
    }
}

impl<F: Future> Timeout<F> {
    /// `poll` of a fixed deadline (a nesting guard) or of a timeout with a timer or a handle.
    fn poll_full(&mut self, cx: &mut Context<'_>) -> Poll<Result<F::Output, TimeoutError>> {
        let deadline = self.current_deadline();
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err(TimeoutError));
        };
        // SAFETY: `inner` is structurally pinned (see `poll`, which
        // `self` comes from).
        let inner = unsafe { Pin::new_unchecked(inner) };
        let polled = match deadline {
            Deadline::At(t) => {
                let _entered = crate::nesting::enter(t);
                inner.poll(cx)
            }
            _ => inner.poll(cx),
        };
        if let Poll::Ready(v) = polled {
            // The block has ended: the finished future goes (and with it
            // the right to reschedule).
            self.cancel_timer();
            self.inner = None;
            self.finish();
            return Poll::Ready(Ok(v));
        }
        self.wait(cx)
    }

    /// The wrapped future is pending: fixes the deadline and arms (or keeps)
    /// the timer, or gives up if the deadline has passed.
    fn wait(&mut self, cx: &mut Context<'_>) -> Poll<Result<F::Output, TimeoutError>> {
        if let Some(s) = &*self.shared {
            *s.waker.borrow_mut() = Some(cx.waker().clone());
        }
        let deadline = match self.current_deadline() {
            Deadline::Never => {
                self.cancel_timer();
                return Poll::Pending;
            }
            Deadline::At(t) => t,
            Deadline::After(d) => {
                let t = saturating_add(Timers::current_for("timeout").now(), d);
                self.set_deadline(Deadline::At(t));
                t
            }
        };
        let timers = match &*self.timer {
            Some((timers, _, _)) => timers.clone(),
            None => Timers::current_for("timeout"),
        };
        let now = timers.now();
        if now >= deadline && crate::nesting::enclosing_expired(now) {
            // An enclosing timeout expired too: it reports the timeout, as
            // asyncio lets the cancellation through the inner block; it is
            // checked right after this poll returns.
            return Poll::Pending;
        }
        if now >= deadline {
            self.cancel_timer();
            self.finish();
            // Dropping the future is the cancellation; it happens before the
            // error is returned, so its destructors have already run.
            self.inner = None;
            self.expired = true;
            if let Some(s) = &*self.shared {
                s.expired.set(true);
            }
            return Poll::Ready(Err(TimeoutError));
        }
        match &*self.timer {
            Some((t, key, at)) if *at == deadline && t.reset_waker(*key, cx.waker()) => {}
            _ => {
                self.cancel_timer();
                let key = timers.insert(deadline, TimerEntry::Wake(cx.waker().clone()));
                *self.timer = Some((timers, key, deadline));
                self.touched = true;
            }
        }
        Poll::Pending
    }
}

impl<F> Drop for Timeout<F> {
    #[inline]
    fn drop(&mut self) {
        if self.touched {
            self.release();
        }
    }
}

impl<F> Timeout<F> {
    /// `Drop`'s rare part: the timer is cancelled and both fields are
    /// taken out (what `ManuallyDrop` leaves behind is `None`, which owns
    /// nothing).
    #[cold]
    #[inline(never)]
    fn release(&mut self) {
        self.cancel_timer();
        drop(self.shared.take());
    }
}

/// Reads and moves the deadline of a [`Timeout`] from elsewhere.
///
/// ```
/// use std::time::{Duration, Instant};
/// let mut t = tulip::timeout(Duration::from_secs(5), std::future::ready(1));
/// let h = t.handle();
/// let later = Instant::now() + Duration::from_secs(60);
/// h.reschedule(Some(later));
/// assert_eq!(h.when(), Some(later));
/// assert_eq!(t.when(), Some(later));
/// ```
#[derive(Clone)]
pub struct TimeoutHandle {
    shared: Rc<Shared>,
}

impl TimeoutHandle {
    /// The deadline, if fixed (see [`Timeout::when`]).
    pub fn when(&self) -> Option<Instant> {
        match self.shared.deadline.get() {
            Deadline::At(t) => Some(t),
            _ => None,
        }
    }

    /// Moves the deadline (`None`: no limit); the timeout notices at once.
    ///
    /// # Errors
    /// [`TimeoutStateError`] once the block has ended, as
    /// [`Timeout::reschedule`].
    pub fn reschedule(&self, deadline: Option<Instant>) -> Result<(), TimeoutStateError> {
        if self.shared.expired.get() {
            return Err(TimeoutStateError("expired"));
        }
        if self.shared.finished.get() {
            return Err(TimeoutStateError("finished"));
        }
        self.shared.deadline.set(deadline.map_or(Deadline::Never, Deadline::At));
        if let Some(w) = self.shared.waker.borrow().as_ref() {
            w.wake_by_ref();
        }
        Ok(())
    }

    /// True once the deadline passed.
    pub fn expired(&self) -> bool {
        self.shared.expired.get()
    }
}
