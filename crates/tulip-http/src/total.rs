//! The total timeouts of a session's requests, behind one loop timer.
//!
//! A timer of its own, armed and cancelled by every request, cost ~800
//! instructions a request for a deadline (300 s by default) that almost
//! never passes. Requests queue their deadlines in order instead; one
//! timer per session, armed for the front of the queue, marks and wakes
//! the expired ones, and a request that finishes only marks its entry.
//! Firing for a request that is done, the timer re-arms for the new
//! front, so it is armed about once per total period, not per request.
//! A deadline earlier than the last one queued (a shorter per-request
//! timeout) takes a timer of its own ([`until`]).
//!
//! As a [`tulip_timer::Timeout`]: the request is polled first (one ready
//! when polled returns its result), and while it is polled the deadline
//! counts as an enclosing timeout's, so the timeouts inside it (connect,
//! sock_read) let it report when both have expired, and it lets a
//! timeout around the request report in turn.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use tulip_timer::{TimerEntry, TimerKey, Timers};

use crate::errors::ClientError;
use crate::timeout::until;

/// One session's queue of total deadlines.
#[derive(Default)]
pub(crate) struct Deadlines(Rc<RefCell<Queue>>);

#[derive(Default)]
struct Queue {
    /// In deadline order, and so in id order.
    entries: VecDeque<Entry>,
    next_id: u64,
    /// Entries done but still queued behind one that is not.
    done: usize,
    /// The shared timer, when armed (its key, instant and generation): at
    /// or before every waiting deadline.
    armed: Option<(TimerKey, Instant, u64)>,
    /// Bumped at each arming: a timer replaced after it fired (its call
    /// already queued) finds itself stale and does nothing.
    generation: u64,
}

struct Entry {
    id: u64,
    deadline: Instant,
    waker: Option<Waker>,
    expired: bool,
    done: bool,
}

impl Queue {
    fn entry(&mut self, id: u64) -> Option<&mut Entry> {
        // Ids are consecutive from the front until a compaction (below)
        // leaves gaps: then an entry sits before its offset, and a binary
        // search finds it (a search every time was ~70 instructions, four
        // times a request, with 50 requests in flight).
        let offset = id.checked_sub(self.entries.front()?.id)?;
        let i = match usize::try_from(offset).ok().filter(|&i| self.entries.get(i).is_some_and(|e| e.id == id)) {
            Some(i) => i,
            None => self.entries.binary_search_by_key(&id, |e| e.id).ok()?,
        };
        self.entries.get_mut(i)
    }

    /// Drops the done entries at the front, and all of them once they are
    /// most of the queue: one slow request must not keep the entries of
    /// every request done after it.
    fn pop_done(&mut self) {
        while self.entries.front().is_some_and(|e| e.done) {
            self.entries.pop_front();
            self.done -= 1;
        }
        if self.done > 16 && self.done * 2 > self.entries.len() {
            self.entries.retain(|e| !e.done);
            self.done = 0;
        }
    }
}

impl Drop for Deadlines {
    fn drop(&mut self) {
        if let Some((key, _, _)) = self.0.borrow_mut().armed.take() {
            Timers::with_current(|t| t.cancel(key));
        }
    }
}

impl Deadlines {
    /// Queues `deadline`; `None` if it is earlier than the last one queued
    /// (or no loop runs).
    fn register(&self, deadline: Instant) -> Option<u64> {
        let mut q = self.0.borrow_mut();
        q.pop_done();
        if q.entries.back().is_some_and(|last| last.deadline > deadline) {
            return None;
        }
        // Armed for a request done since (the queue was empty) but later
        // than this one: re-armed for this one.
        if q.armed.is_none_or(|(_, at, _)| at > deadline) {
            if let Some((key, _, _)) = q.armed.take() {
                Timers::with_current(|t| t.cancel(key));
            }
            arm(&self.0, &mut q, deadline)?;
        }
        let id = q.next_id;
        q.next_id += 1;
        q.entries.push_back(Entry { id, deadline, waker: None, expired: false, done: false });
        Some(id)
    }

    /// Whether entry `id` expired; else keeps `waker` to wake when it does.
    fn expired(&self, id: u64, waker: &Waker) -> bool {
        let mut q = self.0.borrow_mut();
        let Some(e) = q.entry(id) else { return false };
        if !e.expired && !e.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            e.waker = Some(waker.clone());
        }
        e.expired
    }

    fn finish(&self, id: u64) {
        let mut q = self.0.borrow_mut();
        if let Some(e) = q.entry(id).filter(|e| !e.done) {
            e.done = true;
            e.waker = None;
            q.done += 1;
        }
        q.pop_done();
    }
}

fn arm(queue: &Rc<RefCell<Queue>>, q: &mut Queue, at: Instant) -> Option<()> {
    q.generation += 1;
    let armed = Armed { queue: Rc::downgrade(queue), generation: q.generation };
    let key = Timers::with_current(|t| t.insert(at, TimerEntry::Call(Box::new(move || fire(&armed)))))?;
    q.armed = Some((key, at, q.generation));
    Some(())
}

/// What the shared timer's call holds. Dropped without running (its loop
/// closed with the timer pending), it unsets `armed`: a session used on a
/// later loop must arm a timer there, not count on (or cancel by key) one
/// of a loop that is gone.
struct Armed {
    queue: Weak<RefCell<Queue>>,
    generation: u64,
}

impl Drop for Armed {
    fn drop(&mut self) {
        // Busy: dropped by a `cancel` under the queue's own borrow, which
        // has already taken `armed`.
        if let Some(queue) = self.queue.upgrade() {
            if let Ok(mut q) = queue.try_borrow_mut() {
                if q.armed.is_some_and(|(_, _, g)| g == self.generation) {
                    q.armed = None;
                }
            }
        }
    }
}

/// The shared timer: expire and wake what is due, re-arm for the rest.
fn fire(armed: &Armed) {
    let generation = armed.generation;
    let Some(queue) = armed.queue.upgrade() else { return };
    let Some(now) = Timers::with_current(Timers::now) else { return };
    let mut woken = Vec::new();
    {
        let mut q = queue.borrow_mut();
        if q.armed.is_none_or(|(_, _, g)| g != generation) {
            return;
        }
        q.armed = None;
        q.pop_done();
        let mut next = None;
        for e in q.entries.iter_mut().filter(|e| !e.done && !e.expired) {
            if e.deadline > now {
                next = Some(e.deadline);
                break;
            }
            e.expired = true;
            woken.extend(e.waker.take());
        }
        if let Some(at) = next {
            arm(&queue, &mut q, at);
        }
    }
    woken.into_iter().for_each(Waker::wake);
}

/// Runs `fut` until `deadline` on `deadlines`' shared timer (or a timer of
/// its own when it cannot queue), turning expiry into `on_timeout()`.
pub(crate) async fn within<T, F: Future<Output = Result<T, ClientError>>>(
    deadlines: &Deadlines,
    deadline: Option<Instant>,
    fut: Pin<&mut F>,
    on_timeout: impl FnOnce() -> ClientError,
) -> Result<T, ClientError> {
    let Some(at) = deadline else { return fut.await };
    match deadlines.register(at) {
        Some(id) => match (Total { deadlines, id, at, fut, finished: false }).await {
            Some(r) => r,
            None => Err(on_timeout()),
        },
        None => until(deadline, fut, on_timeout).await,
    }
}

/// The request under a queued deadline: `None` once it expired.
struct Total<'a, F> {
    deadlines: &'a Deadlines,
    id: u64,
    at: Instant,
    fut: Pin<&'a mut F>,
    finished: bool,
}

impl<F: Future> Future for Total<'_, F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let polled = {
            let _scope = tulip_timer::enter_timeout(this.at);
            this.fut.as_mut().poll(cx)
        };
        if let Poll::Ready(v) = polled {
            this.finished = true;
            this.deadlines.finish(this.id);
            return Poll::Ready(Some(v));
        }
        if !this.deadlines.expired(this.id, cx.waker()) {
            return Poll::Pending;
        }
        let now = Timers::with_current(Timers::now).unwrap_or_else(Instant::now);
        if tulip_timer::enclosing_timeout_expired(now) {
            // An enclosing timeout expired too: it reports, as `Timeout` lets it.
            return Poll::Pending;
        }
        this.finished = true;
        this.deadlines.finish(this.id);
        Poll::Ready(None)
    }
}

impl<F> Drop for Total<'_, F> {
    fn drop(&mut self) {
        if !self.finished {
            self.deadlines.finish(self.id);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
