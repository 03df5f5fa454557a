//! Timers for tulip: a timer queue with O(1) insert and cancel, the loop's
//! clock (real or virtual), and the time-based futures `sleep` and
//! `timeout`.
//!
//! * [`TimerQueue`]: a hierarchical timing wheel (6 levels × 64 slots, 1 ms
//!   resolution). Timers pop in deadline order, ties in insertion order,
//!   never early. [`HeapTimerQueue`] is the binary-heap baseline it is
//!   tested and measured against.
//! * [`Clock`]: the real monotonic clock, or a virtual one that only moves
//!   when told (trio's `MockClock`).
//! * [`Timers`]: what one event loop owns — a queue of [`TimerEntry`] plus a
//!   clock — and enters while it runs so that [`sleep`] and [`timeout`] can
//!   find it.
//!
//! [`TimerQueue`] is a plain data structure: any loop (or simulation) can
//! use it alone, with its own values and its own notion of "now".
//!
//! Use the whole crate alone in your own loop: create `Timers`, `enter` it while you poll
//! futures, sleep until [`Timers::next_deadline`] when idle, and dispatch
//! what [`Timers::pop_expired`] returns.
//!
//! ```
//! use std::future::Future;
//! use std::task::{Context, Waker};
//! use std::time::Duration;
//! use tulip_timer::{sleep, Clock, TimerEntry, Timers};
//!
//! let timers = Timers::new(Clock::virtual_clock());
//! let start = timers.now();
//! let _entered = timers.enter();
//! let mut nap = Box::pin(sleep(Duration::from_secs(30)));
//! let mut cx = Context::from_waker(Waker::noop());
//! // A loop with nothing else to do moves a virtual clock to the next
//! // deadline (for far timers, a lower bound that gets closer), fires what
//! // is due, and polls again.
//! while nap.as_mut().poll(&mut cx).is_pending() {
//!     let next = timers.next_deadline().unwrap();
//!     timers.clock().advance_to(next);
//!     while let Some(entry) = timers.pop_expired(timers.now()) {
//!         if let TimerEntry::Wake(w) = entry { w.wake() }
//!     }
//! }
//! assert_eq!(timers.now() - start, Duration::from_secs(30));
//! ```

mod clock;
mod driver;
mod heap;
mod nesting;
mod queue;
mod sleep;
mod timeout;
mod wheel;

pub use clock::{saturating_add, Clock};
pub use driver::{EnterGuard, TimerEntry, Timers};
pub use heap::{HeapKey, HeapTimerQueue};
pub use nesting::{enclosing_timeout_expired, enter_timeout, TimeoutScope};
pub use queue::{TimerKey, TimerQueue};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Timeout, TimeoutError, TimeoutHandle, TimeoutStateError};
