//! The engine under `gather`, `as_completed` and `TaskGroup`: children we
//! spawn ourselves, and a queue of the indices of those that finished.
//!
//! Each child's future is wrapped with a [`Notify`] guard that pushes the
//! child's index onto a shared queue and wakes the parent when the child's
//! future is dropped — which happens when it completes, panics or is
//! cancelled (even before its first poll: an unstarted async block still
//! drops what it captured). The parent then polls only those children's
//! handles, so n children cost O(n) in total, not O(n) per wake-up, and no
//! per-child waker is allocated.

use std::cell::RefCell;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tulip_task::{Task, TaskError, TaskRef};

#[derive(Default)]
struct Hub {
    finished: Vec<usize>,
    parent: Option<Waker>,
    /// The parent was woken and has not looked at `finished` since: more
    /// finished children need no further wake-up (each costs atomics).
    notified: bool,
}

/// Moved into each child's future; dropped with it.
struct Notify {
    hub: Rc<RefCell<Hub>>,
    index: usize,
}

impl Drop for Notify {
    fn drop(&mut self) {
        let waker = {
            let mut hub = self.hub.borrow_mut();
            hub.finished.push(self.index);
            if hub.notified {
                None
            } else {
                hub.notified = true;
                hub.parent.clone()
            }
        };
        // Woken outside the borrow: waking may run arbitrary code.
        if let Some(w) = waker {
            w.wake();
        }
    }
}

pin_project_lite::pin_project! {
    /// A child's future with its [`Notify`]: a struct rather than an async
    /// block (`let _notify = notify; fut.await`), whose state byte would make
    /// every child task 8 bytes bigger (a 16-byte future plus `Notify` fit 32
    /// bytes exactly). Fields drop in order: the future, then the notice.
    struct Child<F> {
        #[pin]
        fut: F,
        // Held only to be dropped after `fut`.
        _notify: Notify,
    }
}

impl<F: StdFuture> StdFuture for Child<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().fut.poll(cx)
    }
}

/// A child's place: its task until its outcome is handed out, then what
/// the owner keeps for it, if anything (gather's output, in input order).
/// Kept here rather than in a second vector: two variants fit the niche of
/// the handle's waker, so for a word-sized output the slot is no bigger
/// than the handle alone (32 bytes, where a second `Vec<Option<T>>` cost
/// 16 more per child).
enum Slot<R, K> {
    Running(Task<R>),
    Done(Option<K>),
}

impl<R, K> Slot<R, K> {
    fn task(&self) -> Option<&Task<R>> {
        match self {
            Slot::Running(t) => Some(t),
            _ => None,
        }
    }

    fn take_task(&mut self) -> Option<Task<R>> {
        match std::mem::replace(self, Slot::Done(None)) {
            Slot::Running(t) => Some(t),
            other => {
                *self = other;
                None
            }
        }
    }
}

/// Children spawned on the running loop, reported in completion order;
/// `K` is what the owner keeps per child once its outcome is handed out.
pub(crate) struct Completions<R, K = ()> {
    hub: Rc<RefCell<Hub>>,
    tasks: Vec<Slot<R, K>>,
    /// Indices taken from the hub and not yet handed out.
    batch: Vec<usize>,
    /// Notified children whose handle was not ready yet (only possible if a
    /// child's task is torn down by its executor); polled on every wake.
    recheck: Vec<usize>,
    remaining: usize,
    /// Whether dropping this cancels the children still running.
    pub(crate) cancel_on_drop: bool,
}

impl<R: 'static, K> Completions<R, K> {
    pub(crate) fn new(cancel_on_drop: bool) -> Self {
        Completions {
            hub: Rc::default(),
            tasks: Vec::new(),
            batch: Vec::new(),
            recheck: Vec::new(),
            remaining: 0,
            cancel_on_drop,
        }
    }

    /// Spawns `fut` as a task on the running loop; returns its index.
    ///
    /// # Panics
    /// If no loop is running on this thread (asyncio's `RuntimeError`).
    #[track_caller]
    pub(crate) fn spawn<F>(&mut self, fut: F) -> usize
    where
        F: StdFuture<Output = R> + 'static,
    {
        let index = self.tasks.len();
        let notify = Notify { hub: self.hub.clone(), index };
        let task = tulip_task::create_task(Child { fut, _notify: notify });
        self.tasks.push(Slot::Running(task));
        self.remaining += 1;
        index
    }

    /// The next child to finish, with its index; `None` once all have been
    /// handed out.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(usize, Result<R, TaskError>)>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        loop {
            if let Some(index) = self.batch.pop() {
                if let Some(out) = self.poll_child(index, cx) {
                    return Poll::Ready(Some((index, out)));
                }
                continue;
            }
            // Each child to recheck is polled once per pass; those still
            // pending go back on the list (by `poll_child`), and when one is
            // ready the ones not looked at yet are kept for the next call.
            let mut rest = std::mem::take(&mut self.recheck).into_iter();
            while let Some(index) = rest.next() {
                if let Some(out) = self.poll_child(index, cx) {
                    self.recheck.extend(rest);
                    return Poll::Ready(Some((index, out)));
                }
            }
            let mut hub = self.hub.borrow_mut();
            hub.notified = false;
            if hub.finished.is_empty() {
                if !hub.parent.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    hub.parent = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            // Popped from the back: reverse so children come out in the
            // order they finished.
            std::mem::swap(&mut self.batch, &mut hub.finished);
            self.batch.reverse();
        }
    }

    fn poll_child(&mut self, index: usize, cx: &mut Context<'_>) -> Option<Result<R, TaskError>> {
        let slot = self.tasks.get_mut(index)?;
        let Slot::Running(task) = slot else { return None };
        match Pin::new(task).poll(cx) {
            Poll::Ready(out) => {
                *slot = Slot::Done(None);
                self.remaining -= 1;
                Some(out)
            }
            Poll::Pending => {
                self.recheck.push(index);
                None
            }
        }
    }
}

impl<R, K> Completions<R, K> {
    pub(crate) fn reserve(&mut self, n: usize) {
        self.tasks.reserve(n);
    }

    /// Children spawned so far.
    pub(crate) fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Children not handed out by `poll_next` yet.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// Cancels every child still running but `except`.
    pub(crate) fn cancel_all(&self, except: Option<usize>) {
        for (i, slot) in self.tasks.iter().enumerate() {
            if let (Some(task), false) = (slot.task(), Some(i) == except) {
                task.cancel();
            }
        }
    }

    /// A handle to child `index`, if it was not handed out yet.
    pub(crate) fn task_ref(&self, index: usize) -> Option<TaskRef> {
        self.tasks.get(index)?.task().map(Task::task_ref)
    }

    /// Lets every child not handed out yet run on, detached, with a panic
    /// it ends with counted as retrieved: asyncio's gather, once finished,
    /// marks its children's later exceptions retrieved.
    pub(crate) fn detach_all_retrieved(&mut self) {
        self.cancel_on_drop = false;
        for task in self.tasks.iter_mut().filter_map(Slot::take_task) {
            task.set_exception_retrieved();
            task.detach();
        }
        self.forget_parent();
    }

    /// Keeps `value` in the place of child `index`, whose outcome was
    /// handed out.
    pub(crate) fn keep(&mut self, index: usize, value: K) {
        if let Some(Slot::Done(kept @ None)) = self.tasks.get_mut(index) {
            *kept = Some(value);
        }
    }

    /// Everything kept, in child order.
    pub(crate) fn take_kept(&mut self) -> Vec<K> {
        std::mem::take(&mut self.tasks)
            .into_iter()
            .filter_map(|slot| match slot {
                Slot::Done(kept) => kept,
                Slot::Running(_) => None,
            })
            .collect()
    }

    /// Stops waking the parent (it finished or went away).
    pub(crate) fn forget_parent(&self) {
        self.hub.borrow_mut().parent = None;
    }
}

impl<R, K> Drop for Completions<R, K> {
    fn drop(&mut self) {
        self.hub.borrow_mut().parent = None;
        if self.cancel_on_drop {
            for task in self.tasks.iter().filter_map(Slot::task) {
                task.cancel();
            }
        } else {
            // Left running: detached explicitly, so that a drop during the
            // owner's cancellation does not pass the cancellation on.
            for task in self.tasks.iter_mut().filter_map(Slot::take_task) {
                task.detach();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Child, Completions, Slot};
    use std::task::{Context, Poll, Waker};

    #[test]
    fn recheck_polls_every_child_once_per_pass() {
        tulip::run(async {
            let mut children: Completions<u32> = Completions::new(true);
            children.spawn(std::future::pending());
            children.spawn(std::future::pending());
            children.spawn(async { 3 });
            tulip::sleep(std::time::Duration::ZERO).await;
            tulip::sleep(std::time::Duration::ZERO).await;
            // As if all three had been torn down without a word: only the
            // recheck list knows them, and the third one is done.
            children.hub.borrow_mut().finished.clear();
            children.recheck = vec![0, 1, 2];
            let mut cx = Context::from_waker(Waker::noop());
            match children.poll_next(&mut cx) {
                Poll::Ready(Some((2, Ok(3)))) => {}
                other => panic!("the finished child was skipped: {other:?}"),
            }
            assert_eq!(children.recheck.len(), 2);
        });
    }

    /// gather's children: a two-word future and its notice make four words,
    /// with room for `Option`'s tag (`TaskFuture` holds an `Option`).
    #[test]
    fn a_child_adds_two_words_to_its_future() {
        let n = 7usize;
        let fut = async move { n };
        assert_eq!(std::mem::size_of_val(&fut), 16);
        assert_eq!(std::mem::size_of::<Option<Child<[usize; 2]>>>(), 32);
    }

    /// gather keeps each output in its child's place: no bigger than the
    /// handle for a word-sized output.
    #[test]
    fn a_slot_is_as_big_as_a_task_handle() {
        assert_eq!(std::mem::size_of::<Slot<usize, usize>>(), std::mem::size_of::<tulip_task::Task<usize>>());
    }
}
