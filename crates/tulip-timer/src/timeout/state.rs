//! What a [`Timeout`](super::Timeout) keeps beside its future: the
//! deadline, the armed timer, the shared part its handles see, and the
//! waiting logic. Nothing here is pinned; the future is passed in.

use super::TimeoutError;
use super::TimeoutStateError;
use crate::clock::saturating_add;
use crate::driver::{TimerEntry, Timers};
use crate::queue::TimerKey;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(super) enum Deadline {
    /// Relative to the loop's clock when the wrapped future first waits.
    After(Duration),
    At(Instant),
    Never,
}

/// Shared with [`TimeoutHandle`](super::TimeoutHandle)s, created on the
/// first `handle()` call so that a timeout nobody reschedules allocates
/// nothing.
pub(super) struct Shared {
    pub(super) deadline: Cell<Deadline>,
    pub(super) expired: Cell<bool>,
    pub(super) finished: Cell<bool>,
    pub(super) waker: RefCell<Option<Waker>>,
}

pub(super) struct State {
    deadline: Deadline,
    pub(super) expired: bool,
    /// Set (and never cleared) once a timer was armed or a handle made.
    /// Until then `deadline` is the deadline and `timer` and `shared` are
    /// `None`: a future ready at once is polled, finished and dropped
    /// testing this one flag (wait_for_1m).
    touched: bool,
    // Both dropped by hand (`release`, called by the timeout's drop), so
    // that an untouched timeout is dropped with one inline test and no
    // drop glue.
    timer: ManuallyDrop<Option<(Rc<Timers>, TimerKey, Instant)>>,
    shared: ManuallyDrop<Option<Rc<Shared>>>,
}

impl State {
    pub(super) fn new(deadline: Deadline) -> Self {
        State {
            deadline,
            expired: false,
            touched: false,
            timer: ManuallyDrop::new(None),
            shared: ManuallyDrop::new(None),
        }
    }

    /// True on the path of a future ready at once: no timer, no handle,
    /// and a deadline that cannot have passed yet.
    #[inline]
    pub(super) fn untouched_and_relative(&self) -> bool {
        !self.touched && !matches!(self.deadline, Deadline::At(_))
    }

    #[inline]
    pub(super) fn current_deadline(&self) -> Deadline {
        self.shared.as_ref().map_or(self.deadline, |s| s.deadline.get())
    }

    fn set_deadline(&mut self, d: Deadline) {
        match &*self.shared {
            Some(s) => s.deadline.set(d),
            None => self.deadline = d,
        }
    }

    /// `Timeout::reschedule`; `finished`: the wrapped future is gone.
    pub(super) fn reschedule(&mut self, deadline: Option<Instant>, finished: bool) -> Result<(), TimeoutStateError> {
        // The future is dropped once the block ends (done or expired).
        match (self.expired, finished) {
            (true, _) => return Err(TimeoutStateError("expired")),
            (false, true) => return Err(TimeoutStateError("finished")),
            _ => {}
        }
        self.set_deadline(deadline.map_or(Deadline::Never, Deadline::At));
        let Some((timers, key, _)) = self.timer.take() else { return Ok(()) };
        match deadline {
            Some(at) => {
                if let Some(key) = timers.reschedule(key, at) {
                    *self.timer = Some((timers, key, at));
                }
            }
            None => {
                timers.cancel(key);
            }
        }
        Ok(())
    }

    /// The part handles share, made on the first call.
    pub(super) fn shared(&mut self, finished: bool) -> Rc<Shared> {
        self.touched = true;
        let (deadline, expired) = (self.deadline, self.expired);
        let shared = self.shared.get_or_insert_with(|| {
            Rc::new(Shared {
                deadline: Cell::new(deadline),
                expired: Cell::new(expired),
                finished: Cell::new(finished),
                waker: RefCell::new(None),
            })
        });
        shared.clone()
    }

    /// The block ended: no more rescheduling.
    fn finish(&mut self) {
        if let Some(s) = &*self.shared {
            s.finished.set(true);
        }
    }

    /// Removes the timer from the queue, if one is armed. Inline, so that
    /// the common case (none: the future never waited) is one test.
    #[inline]
    fn cancel_timer(&mut self) {
        if self.timer.is_some() {
            self.cancel_armed_timer();
        }
    }

    #[cold]
    #[inline(never)]
    fn cancel_armed_timer(&mut self) {
        if let Some((timers, key, _)) = self.timer.take() {
            timers.cancel(key);
        }
    }

    /// What the timeout's drop does: nothing, unless a timer was armed or
    /// a handle made.
    #[inline]
    pub(super) fn release(&mut self) {
        if self.touched {
            self.release_touched();
        }
    }

    /// The timer is cancelled and both fields are taken out (what
    /// `ManuallyDrop` leaves behind is `None`, which owns nothing).
    #[cold]
    #[inline(never)]
    fn release_touched(&mut self) {
        self.cancel_timer();
        drop(self.shared.take());
    }

    /// `poll` of a fixed deadline (a nesting guard) or of a timeout with a
    /// timer or a handle.
    pub(super) fn poll<F: Future>(
        &mut self,
        mut inner: Pin<&mut Option<F>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, TimeoutError>> {
        let Some(fut) = inner.as_mut().as_pin_mut() else {
            return Poll::Ready(Err(TimeoutError));
        };
        let polled = match self.current_deadline() {
            Deadline::At(t) => {
                let _entered = crate::nesting::enter(t);
                fut.poll(cx)
            }
            _ => fut.poll(cx),
        };
        if let Poll::Ready(v) = polled {
            // The block has ended: the finished future goes (and with it
            // the right to reschedule).
            self.cancel_timer();
            inner.set(None);
            self.finish();
            return Poll::Ready(Ok(v));
        }
        self.wait(inner, cx)
    }

    /// The wrapped future is pending: fixes the deadline and arms (or keeps)
    /// the timer, or gives up if the deadline has passed.
    pub(super) fn wait<F: Future>(
        &mut self,
        mut inner: Pin<&mut Option<F>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, TimeoutError>> {
        if let Some(s) = &*self.shared {
            *s.waker.borrow_mut() = Some(cx.waker().clone());
        }
        let deadline = match self.current_deadline() {
            Deadline::Never => {
                self.cancel_timer();
                return Poll::Pending;
            }
            Deadline::At(t) => t,
            Deadline::After(d) => {
                let t = saturating_add(Timers::current_for("timeout").now(), d);
                self.set_deadline(Deadline::At(t));
                t
            }
        };
        let timers = match &*self.timer {
            Some((timers, _, _)) => timers.clone(),
            None => Timers::current_for("timeout"),
        };
        let now = timers.now();
        if now >= deadline && crate::nesting::enclosing_expired(now) {
            // An enclosing timeout expired too: it reports the timeout, as
            // asyncio lets the cancellation through the inner block; it is
            // checked right after this poll returns.
            return Poll::Pending;
        }
        if now >= deadline {
            self.cancel_timer();
            self.finish();
            // Dropping the future is the cancellation; it happens before the
            // error is returned, so its destructors have already run.
            inner.set(None);
            self.expired = true;
            if let Some(s) = &*self.shared {
                s.expired.set(true);
            }
            return Poll::Ready(Err(TimeoutError));
        }
        match &*self.timer {
            Some((t, key, at)) if *at == deadline && t.reset_waker(*key, cx.waker()) => {}
            _ => {
                self.cancel_timer();
                let key = timers.insert(deadline, TimerEntry::Wake(cx.waker().clone()));
                *self.timer = Some((timers, key, deadline));
                self.touched = true;
            }
        }
        Poll::Pending
    }
}
