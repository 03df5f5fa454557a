//! asyncio 3.11's `asyncio.timeout()` / `timeout_at()`, in Rust form: a
//! future wrapper with a deadline that can be read and moved.

mod state;

use state::{Deadline, Shared, State};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
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

pin_project_lite::pin_project! {
    /// The future of [`timeout`] and [`timeout_at`]: `Ok(output)` if the wrapped
    /// future finishes in time, else `Err(TimeoutError)` — after the wrapped
    /// future has been dropped, so its destructors have run.
    ///
    /// The wrapped future is polled first: one that is ready at once never
    /// reads the clock or touches the timer queue.
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<F> {
        // Dropped in place (set to `None`) when the block ends.
        #[pin]
        inner: Option<F>,
        state: State,
    }

    impl<F> PinnedDrop for Timeout<F> {
        fn drop(this: Pin<&mut Self>) {
            this.project().state.release();
        }
    }
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
        Timeout { inner: Some(future), state: State::new(deadline) }
    }

    /// The deadline, once known: `None` for no limit, or for a relative
    /// timeout that has not started waiting yet.
    pub fn when(&self) -> Option<Instant> {
        match self.state.current_deadline() {
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
        self.state.reschedule(deadline, self.inner.is_none())
    }

    /// True once the deadline passed and the wrapped future was dropped.
    pub fn expired(&self) -> bool {
        self.state.expired
    }

    /// A handle to read and move the deadline from elsewhere — for instance
    /// from inside the wrapped future, like asyncio's `async with
    /// asyncio.timeout(d) as cm: ... cm.reschedule(...)`.
    pub fn handle(&mut self) -> TimeoutHandle {
        TimeoutHandle { shared: self.state.shared(self.inner.is_none()) }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (mut inner, state) = (this.inner, this.state);
        // The first poll of a relative timeout (the path of a future ready
        // at once): no guard, as only a fixed deadline can have passed, and
        // nothing armed or shared to finish.
        if state.untouched_and_relative() {
            let Some(fut) = inner.as_mut().as_pin_mut() else {
                return Poll::Ready(Err(TimeoutError));
            };
            if let Poll::Ready(v) = fut.poll(cx) {
                inner.set(None);
                return Poll::Ready(Ok(v));
            }
            return state.wait(inner, cx);
        }
        state.poll(inner, cx)
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
