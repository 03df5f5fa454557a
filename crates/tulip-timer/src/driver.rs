//! [`Timers`]: the timer queue one event loop owns, and the thread-local
//! that lets `sleep` find it.

use crate::clock::Clock;
use crate::queue::{TimerKey, TimerQueue};
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

impl TimerEntry {
    /// Does what the timer is for: wakes the waker or runs the callback.
    /// A loop may instead dispatch the variants itself (e.g. queue the
    /// callback behind ready tasks, as asyncio does).
    ///
    /// ```
    /// let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    /// let r = ran.clone();
    /// tulip_timer::TimerEntry::Call(Box::new(move || r.set(true))).fire();
    /// assert!(ran.get());
    /// ```
    pub fn fire(self) {
        match self {
            TimerEntry::Wake(waker) => waker.wake(),
            TimerEntry::Call(call) => call(),
        }
    }
}

impl std::fmt::Debug for TimerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimerEntry::Wake(w) => f.debug_tuple("Wake").field(w).finish(),
            TimerEntry::Call(_) => f.write_str("Call(..)"),
        }
    }
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
    id: u64,
}

/// How far ahead of the timer that pops [`Timers::pop_expired`] asks for
/// a task's header: far enough for the load to finish before that timer
/// pops (4, 16 and 32 measured alike).
const WAKE_AHEAD: usize = 16;

/// Source of [`Timers::id`]: unique for the process's lifetime, unlike an
/// address, which a later `Timers` may reuse.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

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
        // The replaced Rc is dropped after the borrow ends: if it is the last
        // one, dropping the timers runs arbitrary destructors.
        let _left = CURRENT.try_with(|c| c.replace(previous));
    }
}

impl Timers {
    /// Timers on `clock`.
    pub fn new(clock: Clock) -> Rc<Timers> {
        let origin = clock.now();
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Rc::new(Timers { clock, queue: RefCell::new(TimerQueue::new(origin)), id })
    }

    /// A number no other `Timers` of this process has: how a `Send` handle
    /// to a timer (one that cannot hold the `Rc`) finds out whether the
    /// current timers are the ones its key belongs to.
    ///
    /// ```
    /// use tulip_timer::{Clock, Timers};
    /// let (a, b) = (Timers::new(Clock::real()), Timers::new(Clock::real()));
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Makes these the thread's current timers until the guard is dropped;
    /// the guard then restores the previous ones, so entering nests.
    ///
    /// ```
    /// use tulip_timer::{Clock, Timers};
    /// let outer = Timers::new(Clock::real());
    /// let inner = Timers::new(Clock::virtual_clock());
    /// let _o = outer.enter();
    /// {
    ///     let _i = inner.enter();
    ///     assert_eq!(Timers::with_current(|t| t.clock().is_virtual()), Some(true));
    /// }
    /// assert_eq!(Timers::with_current(|t| t.clock().is_virtual()), Some(false));
    /// ```
    pub fn enter(self: &Rc<Self>) -> EnterGuard {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        EnterGuard { previous }
    }

    /// The thread's current timers, if a loop entered some.
    ///
    /// ```
    /// assert!(tulip_timer::Timers::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Rc<Timers>> {
        CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
    }

    /// The thread's current timers, for a timer future being polled (`what`
    /// names it in the panic message).
    ///
    /// # Panics
    /// If no loop entered any: timer futures only work on a tulip loop.
    #[track_caller]
    pub(crate) fn current_for(what: &str) -> Rc<Timers> {
        match Timers::try_current() {
            Some(t) => t,
            None => panic!("tulip::{what} must be polled inside a running tulip event loop"),
        }
    }

    /// Runs `f` on the thread's current timers without cloning the `Rc`;
    /// `None` if no loop entered any. `f` must not call [`Timers::enter`]
    /// (the thread-local is borrowed while `f` runs).
    ///
    /// ```
    /// use tulip_timer::{Clock, Timers};
    /// assert_eq!(Timers::with_current(|t| t.len()), None);
    /// let timers = Timers::new(Clock::virtual_clock());
    /// let _entered = timers.enter();
    /// assert_eq!(Timers::with_current(|t| t.len()), Some(0));
    /// ```
    pub fn with_current<R>(f: impl FnOnce(&Timers) -> R) -> Option<R> {
        CURRENT.try_with(|c| c.borrow().as_deref().map(f)).ok().flatten()
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
        let old = {
            let mut queue = self.queue.borrow_mut();
            match queue.get_mut(key) {
                None => return false,
                Some(TimerEntry::Wake(w)) if !w.will_wake(waker) => Some(std::mem::replace(w, waker.clone())),
                Some(_) => None,
            }
        };
        // Dropped outside the borrow: the last reference to a task may run
        // its destructors, which may cancel timers.
        drop(old);
        true
    }

    /// Moves a pending timer to `deadline`, keeping its entry (and waker);
    /// returns its new key, or `None` if it already fired or was cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tulip_timer::{Clock, TimerEntry, Timers};
    /// let timers = Timers::new(Clock::virtual_clock());
    /// let key = timers.insert(timers.now() + Duration::from_secs(9), TimerEntry::Call(Box::new(|| ())));
    /// let key = timers.reschedule(key, timers.now()).unwrap();
    /// assert!(timers.pop_expired(timers.now()).is_some());
    /// assert!(!timers.cancel(key));
    /// ```
    pub fn reschedule(&self, key: TimerKey, deadline: Instant) -> Option<TimerKey> {
        self.queue.borrow_mut().reschedule(key, deadline)
    }

    /// The earliest pending deadline (see [`TimerQueue::next_deadline`]).
    pub fn next_deadline(&self) -> Option<Instant> {
        self.queue.borrow_mut().next_deadline()
    }

    /// The next entry due at or before `now`.
    ///
    /// It also hints the CPU to load the task that the timer 16 places
    /// behind will wake: timers fire in deadline order, which is no order
    /// in memory, and with many tasks asleep waking one was a cache miss
    /// each time (the `timers` row ran 10–15% faster with the hint;
    /// docs/benchmarks.md).
    pub fn pop_expired(&self, now: Instant) -> Option<TimerEntry> {
        let mut queue = self.queue.borrow_mut();
        let (_, entry) = queue.pop_expired(now)?;
        // Only after a pop: the loop's last call of an iteration finds
        // nothing due, and a hint then would be repeated every iteration.
        if let Some(TimerEntry::Wake(waker)) = queue.peek_due(WAKE_AHEAD) {
            tulip_task::prefetch_waker(waker);
        }
        Some(entry)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;
    use std::time::Duration;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn reset_waker_replaces_only_a_different_waker() {
        let timers = Timers::new(Clock::virtual_clock());
        let (a, b) = (Arc::new(Count::default()), Arc::new(Count::default()));
        let key = timers.insert(timers.now(), TimerEntry::Wake(Waker::from(a.clone())));
        assert!(timers.reset_waker(key, &Waker::from(a.clone())));
        assert!(timers.reset_waker(key, &Waker::from(b.clone())));
        timers.pop_expired(timers.now()).unwrap().fire();
        assert_eq!((a.0.load(Ordering::SeqCst), b.0.load(Ordering::SeqCst)), (0, 1));
        assert!(!timers.reset_waker(key, &Waker::from(a)));
    }

    #[test]
    fn cancelling_a_callback_may_cancel_other_timers_from_its_destructor() {
        struct CancelOnDrop(Rc<Timers>, TimerKey);
        impl Drop for CancelOnDrop {
            fn drop(&mut self) {
                assert!(self.0.cancel(self.1));
            }
        }
        let timers = Timers::new(Clock::virtual_clock());
        let soon = timers.now() + Duration::from_millis(5);
        let other = timers.insert(soon, TimerEntry::Call(Box::new(|| ())));
        let guard = CancelOnDrop(timers.clone(), other);
        let key = timers.insert(soon, TimerEntry::Call(Box::new(move || drop(guard))));
        assert!(timers.cancel(key));
        assert!(timers.is_empty());
    }

    #[test]
    fn enter_nests_and_restores() {
        let a = Timers::new(Clock::real());
        let b = Timers::new(Clock::virtual_clock());
        assert!(Timers::try_current().is_none());
        let ga = a.enter();
        let gb = b.enter();
        assert!(Rc::ptr_eq(&Timers::try_current().unwrap(), &b));
        drop(gb);
        assert!(Rc::ptr_eq(&Timers::try_current().unwrap(), &a));
        drop(ga);
        assert!(Timers::try_current().is_none());
    }
}
