//! `sleep`: asyncio's `asyncio.sleep`.

use crate::clock::saturating_add;
use crate::driver::{TimerEntry, Timers};
use crate::queue::TimerKey;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
enum Due {
    /// `sleep(Duration::ZERO)`: a pure yield.
    Yield,
    /// Relative to the loop's clock at the first poll (asyncio creates the
    /// timer when the coroutine first runs).
    After(Duration),
    At(Instant),
}

/// The future of [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    due: Due,
    yielded: bool,
    /// Completed: polls return `Ready` again until a `reset`.
    fired: bool,
    timer: Option<(Rc<Timers>, TimerKey)>,
}

/// Waits for `delay` on the running loop's clock (asyncio's `sleep`).
/// `sleep(Duration::ZERO)` yields exactly once: the task goes to the back of
/// the ready queue and runs again in the next loop iteration, without
/// touching the timer queue or the clock.
///
/// # Panics
/// When polled outside a running tulip event loop (for a non-zero delay).
///
/// A loop is what advances timers (the `tulip-timer` crate's docs show
/// how to drive them by hand). `sleep(Duration::ZERO)` yields exactly once
/// (asyncio's `sleep(0)`).
///
/// ```
/// use std::time::Duration;
/// tulip::run(async {
///     tulip::sleep(Duration::ZERO).await;
///     let s = tulip::sleep(Duration::from_millis(10));
///     assert_eq!(s.deadline(), None); // fixed when first polled
///     s.await;
/// });
/// ```
pub fn sleep(delay: Duration) -> Sleep {
    let due = if delay.is_zero() { Due::Yield } else { Due::After(delay) };
    Sleep { due, yielded: false, fired: false, timer: None }
}

/// Waits until `deadline` on the running loop's clock.
///
/// ```
/// use std::time::{Duration, Instant};
/// let when = Instant::now() + Duration::from_millis(5);
/// let s = tulip::sleep_until(when);
/// assert_eq!(s.deadline(), Some(when));
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { due: Due::At(deadline), yielded: false, fired: false, timer: None }
}

impl Sleep {
    /// The instant it completes at, once known (a relative sleep fixes it at
    /// its first poll); `None` for `sleep(ZERO)`.
    pub fn deadline(&self) -> Option<Instant> {
        match self.due {
            Due::At(t) => Some(t),
            _ => None,
        }
    }

    /// Moves the deadline, whether or not the sleep has completed. A sleep
    /// that is waiting keeps its waker, so it fires at the new deadline even
    /// if it is not polled again before then.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let mut s = tulip::sleep(Duration::from_secs(1));
    /// let when = Instant::now() + Duration::from_secs(60);
    /// s.reset(when);
    /// assert_eq!(s.deadline(), Some(when));
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.due = Due::At(deadline);
        self.fired = false;
        if let Some((timers, key)) = self.timer.take() {
            if let Some(key) = timers.reschedule(key, deadline) {
                self.timer = Some((timers, key));
            }
        }
    }

    fn cancel_timer(&mut self) {
        if let Some((timers, key)) = self.timer.take() {
            timers.cancel(key);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Due::Yield = self.due {
            if self.yielded {
                return Poll::Ready(());
            }
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.poll_timer(cx)
    }
}

impl Sleep {
    /// `poll` of a sleep with a deadline: out of line, so that the pure
    /// yield above (`sleep(ZERO)`, the hot path of cooperative code) does
    /// not pay this path's register saves (yield_switch: ~20 instructions
    /// per yield, callgrind).
    #[inline(never)]
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = match self.due {
            Due::Yield => unreachable!("handled by poll"),
            Due::After(d) => {
                let timers = Timers::current_for("sleep");
                let deadline = saturating_add(timers.now(), d);
                self.due = Due::At(deadline);
                let key = timers.insert(deadline, TimerEntry::Wake(cx.waker().clone()));
                self.timer = Some((timers, key));
                return Poll::Pending;
            }
            Due::At(deadline) => deadline,
        };
        match &self.timer {
            None if self.fired => Poll::Ready(()),
            None => {
                // First poll of sleep_until (or after reset): always through
                // the timer queue, like asyncio, even if already due.
                let timers = Timers::current_for("sleep");
                let key = timers.insert(deadline, TimerEntry::Wake(cx.waker().clone()));
                self.timer = Some((timers, key));
                Poll::Pending
            }
            Some((timers, key)) => {
                if timers.now() >= deadline {
                    self.cancel_timer();
                    self.fired = true;
                    return Poll::Ready(());
                }
                if !timers.reset_waker(*key, cx.waker()) {
                    let key = timers.insert(deadline, TimerEntry::Wake(cx.waker().clone()));
                    let timers = timers.clone();
                    self.timer = Some((timers, key));
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel_timer();
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep").field("due", &self.due).field("registered", &self.timer.is_some()).finish()
    }
}
