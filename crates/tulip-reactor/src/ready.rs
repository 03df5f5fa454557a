//! The ready queue: the work of the loop's next iteration, and the fast
//! path that lets a task woken on the loop's own thread skip the
//! cross-thread queue.

use crate::handles::HandleInner;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use tulip_task::TaskRunnable;

/// Ready-queue capacity kept after a burst.
const READY_QUEUE_KEEP: usize = 1024;

/// One unit of work for an iteration of the loop.
pub(crate) enum Ready {
    /// A task step.
    Task(TaskRunnable),
    /// A `call_soon`/`call_later` callback (skipped if cancelled).
    Handle(Rc<HandleInner>),
    /// An internal callback (future done-callbacks, thread-safe calls).
    Call(Box<dyn FnOnce()>),
    /// `RemoteHandle::stop`, in its place among the thread-safe calls.
    Stop,
}

/// An entry of the queue: a [`Ready`] whose callback waits in the
/// queue's side list, so that an entry is 16 bytes instead of the 24 a
/// boxed `dyn FnOnce` would make every entry (a million tasks spawned at
/// once queue a million entries: spawn_join, gather, timers).
enum Entry {
    Task(TaskRunnable),
    Handle(Rc<HandleInner>),
    /// The next callback of `calls`.
    Call,
    Stop,
}

#[derive(Default)]
struct Items {
    entries: VecDeque<Entry>,
    /// The callbacks of the `Entry::Call`s, in the same order.
    calls: VecDeque<Box<dyn FnOnce()>>,
}

impl Items {
    #[inline(always)]
    fn push(&mut self, item: Ready) {
        let entry = match item {
            Ready::Task(t) => Entry::Task(t),
            Ready::Handle(h) => Entry::Handle(h),
            Ready::Call(f) => {
                self.calls.push_back(f);
                Entry::Call
            }
            Ready::Stop => Entry::Stop,
        };
        self.entries.push_back(entry);
    }

    fn pop(&mut self) -> Option<Ready> {
        Some(match self.entries.pop_front()? {
            Entry::Task(t) => Ready::Task(t),
            Entry::Handle(h) => Ready::Handle(h),
            // Pushed together, popped together: one callback per entry.
            Entry::Call => Ready::Call(self.calls.pop_front()?),
            Entry::Stop => Ready::Stop,
        })
    }
}

/// The loop's FIFO of ready work.
pub(crate) struct ReadyQueue {
    items: RefCell<Items>,
}

impl ReadyQueue {
    pub(crate) fn new() -> Self {
        let items = Items { entries: VecDeque::with_capacity(64), calls: VecDeque::new() };
        ReadyQueue { items: RefCell::new(items) }
    }

    // Always inline: where it was left out of line (once `TaskRunnable`
    // had a `Drop`), spawn_join took ~25 more instructions per task.
    #[inline(always)]
    pub(crate) fn push(&self, item: Ready) {
        self.items.borrow_mut().push(item);
    }

    pub(crate) fn pop(&self) -> Option<Ready> {
        self.items.borrow_mut().pop()
    }

    /// Hints the CPU to load the task `ahead` places from the front, if
    /// that entry is a task step (see `LoopState::run_ready_prefetching`).
    #[inline]
    pub(crate) fn prefetch_ahead(&self, ahead: usize) {
        if let Some(Entry::Task(t)) = self.items.borrow().entries.get(ahead) {
            t.prefetch();
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.items.borrow().entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.borrow().entries.is_empty()
    }

    /// Appends several items under one borrow.
    pub(crate) fn extend(&self, items: impl Iterator<Item = Ready>) {
        let mut queue = self.items.borrow_mut();
        items.for_each(|item| queue.push(item));
    }

    /// Takes everything out (the caller drops it outside the borrow: drops
    /// run user code).
    pub(crate) fn take_all(&self) -> impl Sized {
        std::mem::take(&mut *self.items.borrow_mut())
    }

    /// A burst (say a million tasks spawned at once) grows the queue; once
    /// it has drained, give that memory back (moving the few items left is
    /// cheap next to the iteration that just ran).
    pub(crate) fn trim(&self) {
        let mut items = self.items.borrow_mut();
        trim(&mut items.entries);
        trim(&mut items.calls);
    }
}

fn trim<T>(items: &mut VecDeque<T>) {
    let cap = items.capacity();
    if cap > READY_QUEUE_KEEP * 16 && items.len() < cap / 16 {
        let keep = (items.len() * 2).max(READY_QUEUE_KEEP);
        items.shrink_to(keep);
    }
}

thread_local! {
    /// The loop running on this thread: its id and its ready queue. The
    /// pointer is valid while the id is non-zero (see `LocalQueueGuard`).
    static LOCAL: Cell<(usize, *const ReadyQueue)> = const { Cell::new((0, std::ptr::null())) };
}

/// Pushes a task step onto the ready queue of loop `loop_id` if that loop is
/// running on this thread; otherwise gives the runnable back.
#[inline]
pub(crate) fn push_local(loop_id: usize, runnable: TaskRunnable) -> Result<(), TaskRunnable> {
    let (id, queue) = LOCAL.with(Cell::get);
    if id != loop_id {
        return Err(runnable);
    }
    // SAFETY: LOCAL holds this loop's id only between
    // `LocalQueueGuard::enter` and its drop, while the running loop holds
    // the `Rc<LoopState>` that owns the queue, keeping the pointee alive.
    let queue = unsafe { &*queue };
    queue.push(Ready::Task(runnable));
    Ok(())
}

/// Marks a loop's queue as the one running on this thread, and restores the
/// previous state on drop (also when unwinding).
pub(crate) struct LocalQueueGuard {
    previous: (usize, *const ReadyQueue),
}

impl LocalQueueGuard {
    /// The caller keeps `queue` alive until the guard is dropped.
    pub(crate) fn enter(loop_id: usize, queue: &ReadyQueue) -> Self {
        let previous = LOCAL.with(|r| r.replace((loop_id, queue as *const ReadyQueue)));
        LocalQueueGuard { previous }
    }

    /// True if some loop is running on this thread.
    pub(crate) fn any_running() -> bool {
        LOCAL.with(|r| r.get().0 != 0)
    }
}

impl Drop for LocalQueueGuard {
    fn drop(&mut self) {
        // `try_with`: a guard dropped during thread teardown must not abort.
        let _ = LOCAL.try_with(|r| r.set(self.previous));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_two_words() {
        assert_eq!(std::mem::size_of::<Entry>(), 16);
    }

    #[test]
    fn callbacks_keep_their_place_among_the_other_items() {
        let q = ReadyQueue::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        for i in 0..3 {
            let l = log.clone();
            q.push(Ready::Call(Box::new(move || l.borrow_mut().push(i))));
            q.push(Ready::Stop);
        }
        assert_eq!(q.len(), 6);
        let mut seen = Vec::new();
        while let Some(item) = q.pop() {
            match item {
                Ready::Call(f) => {
                    f();
                    seen.push(format!("call {}", log.borrow().last().unwrap()));
                }
                Ready::Stop => seen.push("stop".into()),
                _ => unreachable!(),
            }
        }
        assert_eq!(seen, ["call 0", "stop", "call 1", "stop", "call 2", "stop"]);
        assert!(q.is_empty());
    }
}
