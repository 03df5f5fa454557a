//! The rules of a loop on a virtual clock (`LoopBuilder::virtual_clock`).
//!
//! 1. **Idle, nothing awaited outside: jump.** When nothing is ready and the
//!    loop waits for nothing outside itself, the clock jumps straight to the
//!    next timer's deadline: an hour of `sleep` takes no real time, and
//!    every ordering is kept (trio's `MockClock` with `autojump_threshold =
//!    0`, tokio's paused clock).
//! 2. **Idle, waiting for the outside: real time.** While a task of the
//!    loop waits for something that real time brings — a blocking job on
//!    the pool (counted by `tulip_blocking::JobCount`), or a socket, pipe or
//!    `add_reader` fd with a waiting task — the loop waits for it as a real
//!    clock would, for at most the time left to the next deadline, and the
//!    clock moves by the real time that passed. A 10 ms thread therefore
//!    finishes before a 60 s timeout, as it would for real, instead of
//!    losing to a clock that jumped over it.
//! 3. **Busy for long: never slower than real time.** Once the loop has had
//!    work ready without a break for [`BUSY_GRACE`] of real time, the clock
//!    moves with real time until the loop is idle again, so a task that
//!    yields in a loop until time has passed (or until a sleeping task sets
//!    a flag) gets there instead of stopping the clock for good. Ordinary
//!    bursts of work are far shorter than the grace, so they move the clock
//!    by nothing: a test that sleeps three virtual seconds sees exactly
//!    three seconds pass.

use std::cell::Cell;
use std::time::{Duration, Instant};
use tulip_timer::Clock;

/// How long the loop may stay busy before its virtual clock follows real
/// time (rule 3).
pub(crate) const BUSY_GRACE: Duration = Duration::from_millis(100);

pub(crate) struct VirtualTime {
    /// The real instant the loop was last idle, or the clock last caught
    /// up with real time.
    last_real: Cell<Instant>,
    /// The clock follows real time (the loop has been busy past the grace).
    following: Cell<bool>,
}

impl VirtualTime {
    pub(crate) fn new() -> Self {
        VirtualTime { last_real: Cell::new(Instant::now()), following: Cell::new(false) }
    }

    /// Rule 3, at each busy iteration.
    pub(crate) fn busy(&self, clock: &Clock) {
        let now = Instant::now();
        let since = now.saturating_duration_since(self.last_real.get());
        if self.following.get() {
            clock.advance(since);
            self.last_real.set(now);
        } else if since >= BUSY_GRACE {
            self.following.set(true);
            clock.advance(since);
            self.last_real.set(now);
        }
    }

    /// Rules 1 and 2, for an idle loop whose next timer is due at
    /// `deadline`. `wait(timeout)` waits for I/O and wake-ups for at most
    /// `timeout` of real time and says whether work became ready.
    pub(crate) fn idle(&self, clock: &Clock, deadline: Instant, outside: bool, wait: impl FnOnce(Duration) -> bool) {
        if outside {
            let gap = deadline.saturating_duration_since(clock.now());
            let start = Instant::now();
            let woken = wait(gap);
            let waited = start.elapsed();
            if woken && waited < gap {
                clock.advance(waited);
            } else {
                clock.advance_to(deadline);
            }
        } else if !wait(Duration::ZERO) {
            clock.advance_to(deadline);
        }
        self.rested();
    }

    /// The loop was idle (it waited): the next busy stretch starts now.
    pub(crate) fn rested(&self) {
        self.following.set(false);
        self.last_real.set(Instant::now());
    }
}
