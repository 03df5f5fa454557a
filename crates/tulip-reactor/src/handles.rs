//! asyncio's `Handle` and `TimerHandle`: the callbacks of `call_soon`,
//! `call_later` and `call_at`, which can be cancelled until they run.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::rc::Rc;
use std::time::Instant;
use tulip_timer::{TimerKey, Timers};

pub(crate) struct HandleInner {
    callback: RefCell<Option<Box<dyn FnOnce()>>>,
    cancelled: Cell<bool>,
    pub(crate) source: &'static Location<'static>,
}

impl HandleInner {
    pub(crate) fn new(callback: Box<dyn FnOnce()>, source: &'static Location<'static>) -> Rc<Self> {
        Rc::new(HandleInner { callback: RefCell::new(Some(callback)), cancelled: Cell::new(false), source })
    }

    /// Takes the callback to run it, unless the handle was cancelled.
    pub(crate) fn take(&self) -> Option<Box<dyn FnOnce()>> {
        if self.cancelled.get() {
            return None;
        }
        self.callback.borrow_mut().take()
    }
}

/// asyncio's `Handle`: returned by `call_soon`; cancel it to skip the callback.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let h = ev.call_soon(|| unreachable!("cancelled before it ran"));
/// h.cancel();
/// assert!(h.cancelled());
/// ev.run_until_complete(async {});
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Rc<HandleInner>,
}

impl Handle {
    /// Cancels the callback; nothing happens if it already ran.
    pub fn cancel(&self) {
        self.inner.cancelled.set(true);
        // Drop the closure now: what it captured is released at once.
        self.inner.callback.borrow_mut().take();
    }

    /// True if `cancel` was called.
    pub fn cancelled(&self) -> bool {
        self.inner.cancelled.get()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Handle cancelled={} scheduled at {}>", self.cancelled(), self.inner.source)
    }
}

/// asyncio's `TimerHandle`: returned by `call_later`/`call_at`; it knows when
/// it fires, and cancelling it removes the timer from the queue at once.
///
/// ```
/// use std::time::Duration;
/// let ev = tulip::EventLoop::new();
/// let h = ev.call_later(Duration::from_secs(3600), || unreachable!());
/// assert!(h.when() > ev.time());
/// h.cancel();
/// ev.run_until_complete(async {});
/// ```
#[derive(Clone)]
pub struct TimerHandle {
    pub(crate) handle: Handle,
    pub(crate) when: Instant,
    pub(crate) key: TimerKey,
    pub(crate) timers: Rc<Timers>,
}

impl TimerHandle {
    /// The instant the callback is scheduled for.
    pub fn when(&self) -> Instant {
        self.when
    }

    /// Cancels the callback and removes its timer from the queue.
    pub fn cancel(&self) {
        self.handle.cancel();
        self.timers.cancel(self.key);
    }

    /// True if `cancel` was called.
    pub fn cancelled(&self) -> bool {
        self.handle.cancelled()
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<TimerHandle when={:?} cancelled={}>", self.when, self.cancelled())
    }
}
