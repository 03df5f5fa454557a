//! hyper's timer on the loop's timer queue and clock.
//!
//! hyper wants sleeps that are `Send + Sync`; the loop's timers live behind
//! an `Rc`. A [`LoopSleep`] therefore holds only plain data — its deadline
//! and the key of its entry in the queue, tagged with the queue's
//! [`Timers::id`] — and reaches the queue through the thread's current
//! timers whenever it is polled or dropped. It is `Send` because nothing in
//! it is tied to a thread, not because of an `unsafe impl`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tulip_timer::{saturating_add, TimerEntry, TimerKey, Timers};

/// hyper's `rt::Timer` for tulip: sleeps on the running loop's timer queue,
/// and `now()` is the loop's clock (so under a virtual clock hyper's header
/// read timeout and HTTP/2 keep-alive move with virtual time).
///
/// ```
/// use hyper::rt::Timer;
/// use std::time::Duration;
/// tulip::run(async {
///     let timer = tulip_hyper::LoopTimer;
///     let start = timer.now();
///     timer.sleep(Duration::from_millis(5)).await;
///     assert!(timer.now() - start >= Duration::from_millis(5));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LoopTimer;

impl hyper::rt::Timer for LoopTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(LoopSleep::until(saturating_add(loop_now(), duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(LoopSleep::until(deadline))
    }

    fn now(&self) -> Instant {
        loop_now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<LoopSleep>() {
            Some(mine) => mine.get_mut().reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// The running loop's time, or the real clock off any loop.
fn loop_now() -> Instant {
    Timers::with_current(|t| t.now()).unwrap_or_else(Instant::now)
}

/// A sleep of [`LoopTimer`]: ready at its deadline by the loop's clock.
///
/// Polled off any tulip loop (hyper never does this), it falls back to a
/// helper thread that wakes it at the deadline by the real clock.
///
/// ```
/// use std::time::Duration;
/// tulip::run(async {
///     let deadline = tulip::get_running_loop().time() + Duration::from_millis(2);
///     tulip_hyper::LoopSleep::until(deadline).await;
///     assert!(tulip::get_running_loop().time() >= deadline);
/// });
/// ```
#[derive(Debug)]
pub struct LoopSleep {
    deadline: Instant,
    /// The entry in the queue of the `Timers` with this id.
    entry: Option<(u64, TimerKey)>,
    /// Off-loop fallback: the waker a helper thread calls at the deadline.
    fallback: Option<Arc<Mutex<Waker>>>,
}

impl LoopSleep {
    /// A sleep until `deadline` (an instant of the loop's clock).
    pub fn until(deadline: Instant) -> LoopSleep {
        LoopSleep { deadline, entry: None, fallback: None }
    }

    /// The deadline.
    ///
    /// ```
    /// let at = std::time::Instant::now();
    /// assert_eq!(tulip_hyper::LoopSleep::until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline, keeping the queue entry when the new deadline
    /// can reuse it (`TimerQueue::reschedule`).
    fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some((id, key)) = self.entry.take() {
            self.entry =
                Timers::with_current(
                    |t| {
                        if t.id() == id {
                            t.reschedule(key, deadline).map(|k| (id, k))
                        } else {
                            None
                        }
                    },
                )
                .flatten();
        }
    }

    fn poll_off_loop(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.fallback {
            Some(waker) => {
                if let Ok(mut w) = waker.lock() {
                    w.clone_from(cx.waker());
                }
            }
            None => {
                let waker = Arc::new(Mutex::new(cx.waker().clone()));
                let (shared, deadline) = (waker.clone(), self.deadline);
                std::thread::spawn(move || {
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                    if let Ok(w) = shared.lock() {
                        w.wake_by_ref();
                    }
                });
                self.fallback = Some(waker);
            }
        }
        Poll::Pending
    }
}

impl Future for LoopSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().poll_sleep(cx, false)
    }
}

impl LoopSleep {
    /// Polls the sleep, but while its entry is pending in the loop's timer
    /// queue answers `Pending` without reading the clock: it is ready once
    /// the loop fired the entry (the loop fires it at its deadline, before
    /// running the tasks it wakes). For a sleep polled often long before
    /// its deadline, such as a connection's idle timer (a clock read a poll
    /// was ~45 instructions of a web request, callgrind).
    ///
    /// ```
    /// use std::time::Duration;
    /// tulip::run(async {
    ///     let deadline = tulip::get_running_loop().time() + Duration::from_millis(2);
    ///     let mut sleep = tulip_hyper::LoopSleep::until(deadline);
    ///     std::future::poll_fn(|cx| sleep.poll_queued(cx)).await;
    ///     assert!(tulip::get_running_loop().time() >= deadline);
    /// });
    /// ```
    pub fn poll_queued(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_sleep(cx, true)
    }

    fn poll_sleep(&mut self, cx: &mut Context<'_>, trust_entry: bool) -> Poll<()> {
        let on_loop = Timers::with_current(|t| {
            let mine = self.entry.filter(|(id, _)| *id == t.id());
            if let (true, Some((_, key))) = (trust_entry, mine) {
                if t.reset_waker(key, cx.waker()) {
                    return Poll::Pending;
                }
                // No longer pending: it fired, which the queue does only
                // once the deadline passed.
                self.entry = None;
                return Poll::Ready(());
            }
            if t.now() >= self.deadline {
                if let Some((_, key)) = mine {
                    t.cancel(key);
                }
                self.entry = None;
                return Poll::Ready(());
            }
            let armed = mine.is_some_and(|(_, key)| t.reset_waker(key, cx.waker()));
            if !armed {
                let key = t.insert(self.deadline, TimerEntry::Wake(cx.waker().clone()));
                self.entry = Some((t.id(), key));
            }
            Poll::Pending
        });
        match on_loop {
            Some(poll) => poll,
            None => self.poll_off_loop(cx),
        }
    }
}

impl hyper::rt::Sleep for LoopSleep {}

impl Drop for LoopSleep {
    fn drop(&mut self) {
        // Dropped on its loop (hyper drops sleeps inside the connection's
        // poll): the entry goes now rather than waking a task at the
        // deadline. Elsewhere, the stale entry's wake-up is harmless and
        // goes with the loop's queue.
        if let Some((id, key)) = self.entry.take() {
            Timers::with_current(|t| {
                if t.id() == id {
                    t.cancel(key);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::rt::Timer;
    use tulip_timer::Clock;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn sleeps_are_send_and_sync_without_unsafe() {
        assert_send_sync::<LoopSleep>();
        assert_send_sync::<LoopTimer>();
    }

    #[test]
    fn a_dropped_sleep_leaves_no_entry() {
        let timers = Timers::new(Clock::virtual_clock());
        let _entered = timers.enter();
        let mut cx = Context::from_waker(Waker::noop());
        let mut s = LoopTimer.sleep(Duration::from_secs(30));
        assert!(s.as_mut().poll(&mut cx).is_pending());
        assert_eq!(timers.len(), 1);
        drop(s);
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn reset_moves_the_one_entry_and_follows_the_virtual_clock() {
        let timers = Timers::new(Clock::virtual_clock());
        let _entered = timers.enter();
        let mut cx = Context::from_waker(Waker::noop());
        let start = LoopTimer.now();
        let mut s = LoopTimer.sleep(Duration::from_secs(30));
        assert!(s.as_mut().poll(&mut cx).is_pending());
        LoopTimer.reset(&mut s, start + Duration::from_secs(60));
        assert_eq!(timers.len(), 1);
        timers.clock().advance(Duration::from_secs(30));
        assert!(s.as_mut().poll(&mut cx).is_pending());
        timers.clock().advance(Duration::from_secs(30));
        assert!(s.as_mut().poll(&mut cx).is_ready());
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn poll_queued_trusts_a_pending_entry_and_is_ready_once_it_fired() {
        let timers = Timers::new(Clock::virtual_clock());
        let _entered = timers.enter();
        let mut cx = Context::from_waker(Waker::noop());
        let mut s = LoopSleep::until(timers.now() + Duration::from_secs(5));
        assert!(s.poll_queued(&mut cx).is_pending());
        assert_eq!(timers.len(), 1);
        timers.clock().advance(Duration::from_secs(5));
        // Due, but the queue has not fired it: no clock read, still pending
        // (the plain poll reads the clock).
        assert!(s.poll_queued(&mut cx).is_pending());
        assert!(timers.pop_expired(timers.now()).is_some());
        assert!(s.poll_queued(&mut cx).is_ready());
        assert!(Pin::new(&mut s).poll(&mut cx).is_ready());
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn a_key_of_other_timers_is_never_used_on_these() {
        let a = Timers::new(Clock::virtual_clock());
        let b = Timers::new(Clock::virtual_clock());
        let mut cx = Context::from_waker(Waker::noop());
        let mut s = LoopSleep::until(a.now() + Duration::from_secs(5));
        {
            let _in_a = a.enter();
            assert!(Pin::new(&mut s).poll(&mut cx).is_pending());
        }
        let other = b.insert(b.now() + Duration::from_secs(5), TimerEntry::Wake(Waker::noop().clone()));
        {
            let _in_b = b.enter();
            drop(s); // must not cancel b's timer, whose key may look the same
        }
        assert!(b.cancel(other));
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn off_any_loop_it_still_wakes() {
        let s = LoopSleep::until(Instant::now() + Duration::from_millis(5));
        futures_lite::future::block_on(s);
    }
}
