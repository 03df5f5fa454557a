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
