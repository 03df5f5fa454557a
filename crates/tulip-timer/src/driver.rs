//! [`Timers`]: the timer queue one event loop owns, and the thread-local
//! that lets `sleep` find it.

use crate::clock::Clock;
use crate::wheel::{TimerKey, TimerQueue};
use std::cell::RefCell;
use std::rc::Rc;
use std::task::Waker;
use std::time::Instant;

/// What a timer does when it fires: wake a task, or run a loop callback.
pub enum TimerEntry {
    /// Wake this waker (a sleeping task).
    Wake(Waker),
    /// Run this callback (`call_later`/`call_at`).
    Call(Box<dyn FnOnce()>),
}

/// The timers of one event loop: a [`TimerQueue`] of [`TimerEntry`] and the
/// loop's [`Clock`]. The loop enters it while it runs so that
/// [`sleep`](crate::sleep) and [`timeout`](crate::timeout) can register timers, and
/// dispatches what [`pop_expired`](Self::pop_expired) returns.
///
/// ```
/// use std::time::Duration;
/// use tulip_timer::{Clock, TimerEntry, Timers};
/// let timers = Timers::new(Clock::virtual_clock());
/// let fired = std::rc::Rc::new(std::cell::Cell::new(false));
/// let f = fired.clone();
/// timers.insert(timers.now() + Duration::from_secs(5), TimerEntry::Call(Box::new(move || f.set(true))));
/// timers.clock().advance(Duration::from_secs(5));
/// while let Some(TimerEntry::Call(cb)) = timers.pop_expired(timers.now()) { cb() }
/// assert!(fired.get());
/// ```
pub struct Timers {
    clock: Clock,
    queue: RefCell<TimerQueue<TimerEntry>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Timers>>> = const { RefCell::new(None) };
}

/// Restores the previously entered [`Timers`] when dropped.
#[must_use = "the timers are left when the guard is dropped"]
pub struct EnterGuard {
    previous: Option<Rc<Timers>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

impl Timers {
    /// Timers on `clock`.
    pub fn new(clock: Clock) -> Rc<Timers> {
        let origin = clock.now();
        Rc::new(Timers { clock, queue: RefCell::new(TimerQueue::new(origin)) })
    }

    /// Makes these the thread's current timers until the guard is dropped.
    pub fn enter(self: &Rc<Self>) -> EnterGuard {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        EnterGuard { previous }
    }

    /// The thread's current timers, if a loop entered some.
    pub fn try_current() -> Option<Rc<Timers>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The clock's current instant.
    #[inline]
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Schedules `entry` at `deadline`.
    pub fn insert(&self, deadline: Instant, entry: TimerEntry) -> TimerKey {
        self.queue.borrow_mut().insert(deadline, entry)
    }

    /// Cancels a pending timer; false if it already fired or was cancelled.
    pub fn cancel(&self, key: TimerKey) -> bool {
        // Dropped outside the borrow: a callback's captures may own timers too.
        let removed = self.queue.borrow_mut().cancel(key);
        removed.is_some()
    }

    /// Replaces the waker of a pending `Wake` timer unless it would wake the
    /// same task. Returns false if the timer is no longer pending.
    pub fn reset_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        let mut queue = self.queue.borrow_mut();
        let Some(entry) = queue.get_mut(key) else { return false };
        if let TimerEntry::Wake(w) = entry {
            if !w.will_wake(waker) {
                *w = waker.clone();
            }
        }
        true
    }

    /// The earliest pending deadline (see [`TimerQueue::next_deadline`]).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.queue.borrow_mut().next_deadline()
    }

    /// The next entry due at or before `now`.
    pub fn pop_expired(&self, now: Instant) -> Option<TimerEntry> {
        self.queue.borrow_mut().pop_expired(now).map(|(_, e)| e)
    }

    /// How many timers are pending.
    pub fn len(&self) -> usize {
        self.queue.borrow().len()
    }

    /// True if no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.queue.borrow().is_empty()
    }
}
