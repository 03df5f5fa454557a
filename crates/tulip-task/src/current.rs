//! Which task is being polled on this thread: set for exactly the duration
//! of a task's poll by an RAII guard, so that it is restored on return and
//! on unwind alike.

use crate::meta::TaskMeta;
use std::cell::Cell;

thread_local! {
    /// The metadata of the task being polled on this thread, if any. Only a
    /// [`CurrentGuard`] writes it.
    static CURRENT: Cell<*const TaskMeta> = const { Cell::new(std::ptr::null()) };
}

/// Marks a task as the one being polled on this thread until dropped; the
/// drop (also while unwinding) restores whatever was current before, so
/// guards nest when a task is polled from inside another task's poll.
pub(crate) struct CurrentGuard {
    previous: *const TaskMeta,
}

impl CurrentGuard {
    /// Makes `meta` current. The caller keeps `meta` alive for as long as
    /// the guard lives (`TaskFuture::poll`, which holds the guard on its own
    /// stack frame, polls a future whose task allocation holds `meta`).
    pub(crate) fn enter(meta: &TaskMeta) -> Self {
        let previous = CURRENT.with(|c| c.replace(meta));
        CurrentGuard { previous }
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

thread_local! {
    /// The metadata of the task whose runnable is being run or dropped on
    /// this thread (the innermost one), if any. Only a [`RunningGuard`]
    /// writes it. This is how a task's `TaskFuture` finds its metadata
    /// without keeping a pointer to it in every task allocation.
    static RUNNING: Cell<*const TaskMeta> = const { Cell::new(std::ptr::null()) };
}

/// Marks the task whose runnable is being run or dropped until dropped,
/// restoring the previous one (also while unwinding), so guards nest.
pub(crate) struct RunningGuard {
    previous: *const TaskMeta,
}

/// The low bit of `RUNNING`: the running task's future has finished during
/// this run (`TaskMeta` is 8-aligned, so the bit is free). It is how
/// [`TaskRunnable::step`](crate::TaskRunnable::step) learns that the task
/// is done without reading the task after the run, which may have freed it.
const FINISHED: usize = 1;

impl RunningGuard {
    /// `meta` is the metadata of the runnable that the guard's owner runs
    /// or drops while the guard lives (`TaskRunnable::run` and its `Drop`),
    /// which keeps the task allocated until then.
    #[inline]
    pub(crate) fn enter(meta: &TaskMeta) -> Self {
        let previous = RUNNING.with(|c| c.replace(meta));
        RunningGuard { previous }
    }

    /// Ends the guard early, telling whether the task finished while it
    /// lived ([`mark_finished`]).
    #[inline]
    pub(crate) fn leave(self) -> bool {
        let this = std::mem::ManuallyDrop::new(self);
        let current = RUNNING.with(|c| c.replace(this.previous));
        current.addr() & FINISHED != 0
    }
}

/// The running task's future just finished (see [`RunningGuard::leave`]).
/// Only called from inside that task's poll, so `RUNNING` is set.
#[inline]
pub(crate) fn mark_finished() {
    RUNNING.with(|c| c.set(c.get().map_addr(|a| a | FINISHED)));
}

impl Drop for RunningGuard {
    #[inline]
    fn drop(&mut self) {
        RUNNING.with(|c| c.set(self.previous));
    }
}

/// The metadata of the task whose runnable is being run or dropped on this
/// thread, if any.
///
/// # Safety
/// The caller must be that task's own future, polled or dropped by
/// async-task from inside that runnable's run or drop (the only places
/// async-task polls or drops a task's future), and must not use the
/// reference beyond `'a`, the duration of that poll or drop. Then the
/// innermost `RunningGuard` is the one made for this very runnable (any
/// guard made inside it is gone before control comes back), and the task
/// is allocated until the run or drop returns.
#[inline]
pub(crate) unsafe fn running_meta<'a>() -> Option<&'a TaskMeta> {
    let ptr = RUNNING.with(|c| c.get()).map_addr(|a| a & !FINISHED);
    // SAFETY: see the contract above: the pointer, if set, is the metadata
    // of the runnable whose run or drop is on the stack, alive for 'a (with
    // the finished bit cleared, the address the guard was given).
    unsafe { ptr.as_ref() }
}

/// Calls `f` with the metadata of the task being polled on this thread
/// (`None` outside a task's poll). This is what `current_task()` is built on.
///
/// ```
/// use tulip_task::{with_current_meta, TaskBuilder};
/// assert!(with_current_meta(|m| m.is_none()));
/// let (runnable, task) = TaskBuilder::new().slot(7).spawn_local(async {
///     with_current_meta(|m| m.map(|m| m.slot()))
/// }, |_| {});
/// runnable.run();
/// assert_eq!(futures_lite::future::block_on(task).unwrap(), Some(7));
/// assert!(with_current_meta(|m| m.is_none()));
/// ```
pub fn with_current_meta<R>(f: impl FnOnce(Option<&TaskMeta>) -> R) -> R {
    let ptr = CURRENT.with(|c| c.get());
    // SAFETY: CURRENT is non-null only while a `CurrentGuard` lives, and the
    // only guards are made by `TaskFuture::poll` from the metadata of the
    // task it is polling, for the duration of that call; the guard restores
    // the previous value when the poll returns and when it unwinds. A
    // non-null pointer is therefore the metadata of a task whose poll is
    // still on this thread's stack (the innermost one, if polls nest). The
    // task's allocation outlives that poll: async-task holds a reference to
    // it across `poll` and never drops a future while polling it. `f` runs
    // inside that poll and cannot keep the reference (its lifetime is
    // higher-ranked).
    f(unsafe { ptr.as_ref() })
}
