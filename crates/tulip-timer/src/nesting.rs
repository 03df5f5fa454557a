//! The deadlines of the timeouts being polled on this thread, outermost
//! first, so that nested timeouts follow asyncio's rule: when an enclosing
//! timeout has expired too, the enclosing one reports it (asyncio: the inner
//! `timeout` sees `task.uncancel()` still above its count and lets the
//! cancellation through; the outer one turns it into `TimeoutError`).

use std::cell::RefCell;
use std::time::Instant;

thread_local! {
    static ENCLOSING: RefCell<Vec<Instant>> = const { RefCell::new(Vec::new()) };
}

/// Marks a timeout with `deadline` as being polled until dropped (also when
/// the poll unwinds).
pub(crate) struct Entered(bool);

pub(crate) fn enter(deadline: Instant) -> Entered {
    Entered(ENCLOSING.try_with(|e| e.borrow_mut().push(deadline)).is_ok())
}

impl Drop for Entered {
    fn drop(&mut self) {
        if self.0 {
            let _ = ENCLOSING.try_with(|e| e.borrow_mut().pop());
        }
    }
}

/// True if a timeout enclosing the one being polled has expired at `now`:
/// that one reports the timeout, as it is polled again right after.
pub(crate) fn enclosing_expired(now: Instant) -> bool {
    ENCLOSING.try_with(|e| e.borrow().iter().any(|&d| d <= now)).unwrap_or(false)
}

/// A timeout kept outside a [`Timeout`](crate::Timeout) (behind a timer
/// shared by many, for instance), marked as being polled while this guard
/// lives: timeouts nested inside it then defer to it as they defer to an
/// enclosing `Timeout` when both have expired.
///
/// ```
/// use std::time::{Duration, Instant};
/// let past = Instant::now() - Duration::from_secs(1);
/// assert!(!tulip_timer::enclosing_timeout_expired(Instant::now()));
/// let scope = tulip_timer::enter_timeout(past);
/// assert!(tulip_timer::enclosing_timeout_expired(Instant::now()));
/// drop(scope);
/// assert!(!tulip_timer::enclosing_timeout_expired(Instant::now()));
/// ```
#[must_use = "the timeout counts as entered only while the scope lives"]
pub struct TimeoutScope(#[allow(dead_code)] Entered);

/// Marks a timeout with `deadline` as being polled until the returned
/// scope is dropped (see [`TimeoutScope`]).
pub fn enter_timeout(deadline: Instant) -> TimeoutScope {
    TimeoutScope(enter(deadline))
}

/// True if a timeout being polled around the caller has expired at
/// `now`: a timeout kept outside [`Timeout`](crate::Timeout) then lets the
/// enclosing one report, as `Timeout` does (see [`TimeoutScope`]).
pub fn enclosing_timeout_expired(now: Instant) -> bool {
    enclosing_expired(now)
}
