//! The loop's clock: real, or virtual for tests.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A monotonic clock: the real one, or a virtual one (like trio's
/// `MockClock`) that only moves when told to — the loop moves it to the next
/// timer's deadline when nothing else can run, so tests of timing code take
/// no real time and keep every ordering. Clones share one clock; a virtual
/// clock is single-threaded (`!Send`), like the loop that owns it.
///
/// ```
/// use std::time::Duration;
/// let clock = tulip_timer::Clock::virtual_clock();
/// let t0 = clock.now();
/// clock.advance(Duration::from_secs(3600));
/// assert_eq!(clock.now() - t0, Duration::from_secs(3600));
/// ```
#[derive(Clone, Debug)]
pub struct Clock {
    virtual_now: Option<Rc<Cell<Instant>>>,
}

impl Clock {
    /// The real monotonic clock (`Instant::now`).
    pub fn real() -> Self {
        Clock { virtual_now: None }
    }

    /// A virtual clock starting at the real current instant.
    pub fn virtual_clock() -> Self {
        Clock { virtual_now: Some(Rc::new(Cell::new(Instant::now()))) }
    }

    /// The current instant of this clock.
    #[inline]
    pub fn now(&self) -> Instant {
        match &self.virtual_now {
            Some(now) => now.get(),
            None => Instant::now(),
        }
    }

    /// True for a virtual clock.
    pub fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// Moves a virtual clock forward to `t` (never backwards); does nothing
    /// to a real clock.
    pub fn advance_to(&self, t: Instant) {
        if let Some(now) = &self.virtual_now {
            if t > now.get() {
                now.set(t);
            }
        }
    }

    /// Moves a virtual clock forward by `d`; does nothing to a real clock.
    /// A `d` too large for an `Instant` (`Duration::MAX`) moves it a century
    /// ahead instead (or to the last instant there is), never panics.
    pub fn advance(&self, d: Duration) {
        if let Some(now) = &self.virtual_now {
            now.set(saturating_add(now.get(), d));
        }
    }
}

/// `t + d`; when that overflows `Instant`, `t` plus a century (as far as
/// "never" needs to go), and failing that the latest instant after `t` that
/// exists. Every instant the crate computes from a duration goes through
/// it: `Duration::MAX` means "practically never", not a panic.
///
/// ```
/// use std::time::{Duration, Instant};
/// let now = Instant::now();
/// assert!(tulip_timer::saturating_add(now, Duration::MAX) > now);
/// assert_eq!(tulip_timer::saturating_add(now, Duration::from_secs(1)), now + Duration::from_secs(1));
/// ```
pub fn saturating_add(t: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    if let Some(later) = t.checked_add(d).or_else(|| t.checked_add(CENTURY)) {
        return later;
    }
    // Within a century of the end of time: add what still fits, halving
    // the step on each overflow (each step size fits at most once).
    let (mut t, mut step) = (t, CENTURY);
    while !step.is_zero() {
        match t.checked_add(step) {
            Some(later) => t = later,
            None => step /= 2,
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_forward_and_clones_share_it() {
        let clock = Clock::virtual_clock();
        let other = clock.clone();
        let t0 = clock.now();
        assert!(clock.is_virtual());
        clock.advance(Duration::from_millis(5));
        other.advance_to(t0);
        assert_eq!(other.now() - t0, Duration::from_millis(5));
        other.advance_to(t0 + Duration::from_secs(1));
        assert_eq!(clock.now() - t0, Duration::from_secs(1));
    }

    #[test]
    fn saturating_add_stops_at_the_last_instant() {
        let t0 = Instant::now();
        assert_eq!(saturating_add(t0, Duration::from_secs(1)), t0 + Duration::from_secs(1));
        let century = Duration::from_secs(100 * 365 * 24 * 3600);
        assert_eq!(saturating_add(t0, Duration::MAX), t0 + century);
        // The last instant there is, found the slow way.
        let (mut last, mut step) = (t0, Duration::MAX);
        while !step.is_zero() {
            match last.checked_add(step) {
                Some(later) => last = later,
                None => step /= 2,
            }
        }
        assert_eq!(saturating_add(last, Duration::MAX), last);
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(saturating_add(last - day, Duration::MAX), last);
        assert_eq!(saturating_add(last - day, Duration::from_secs(1)), last - day + Duration::from_secs(1));
    }

    #[test]
    fn real_clock_ignores_advance() {
        let clock = Clock::real();
        assert!(!clock.is_virtual());
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() - before < Duration::from_secs(3600));
    }
}
