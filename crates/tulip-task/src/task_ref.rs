//! [`TaskRef`], the type-erased handle to a task: one waker, with the
//! task's [`TaskMeta`] found from it.
//!
//! Every loop keeps one per live task in its registry, and every `Task`
//! handle holds one, so its size counts per task: a waker and a pointer to
//! the metadata made it three words; the metadata sits at a fixed offset
//! from the waker's data pointer (async-task's waker points at the task's
//! header, which holds the metadata), so two words are enough. That offset
//! is not part of async-task's API: it is measured when the first handle is
//! made and checked for every later one (`TaskRef::new`), so that a handle
//! whose metadata is not where the offset says is never made.

use crate::exception::TaskInfo;
use crate::meta::{TaskMeta, TaskState};
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

/// `TaskMeta`'s address minus the waker's data pointer, the same for every
/// task (async-task's header is generic over the metadata only); `UNSET`
/// until the first `TaskRef` is made.
static META_OFFSET: AtomicUsize = AtomicUsize::new(UNSET);
const UNSET: usize = usize::MAX;

/// A type-erased handle to any task: what `current_task()` and `all_tasks()`
/// return, and what an executor keeps in its registry of live tasks.
///
/// It can name, inspect and cancel the task, but not take its output. Like
/// [`Task`](crate::Task) it is `!Send`, as it belongs to the loop's thread;
/// one made on another thread from a runnable
/// (`TaskRunnable::task_ref`) is still safe
/// to use there, as every method goes through the thread-safe [`TaskMeta`].
pub struct TaskRef {
    /// A waker of the task: it holds a reference count on the task's
    /// allocation, so the metadata in it lives as long as this handle.
    waker: Waker,
    /// `!Send` and `!Sync`, as documented (a bare `Waker` is both).
    _not_send: PhantomData<*const ()>,
}

impl TaskRef {
    /// Made only from a waker and the metadata of the same task.
    ///
    /// # Panics
    /// If `meta` is not at the offset from the waker's data pointer that
    /// every earlier handle had (it would mean async-task changed how its
    /// wakers point at tasks; no handle is made then).
    #[inline]
    pub(crate) fn new(waker: Waker, meta: &TaskMeta) -> Self {
        let offset = (meta as *const TaskMeta as usize).wrapping_sub(waker.data() as usize);
        if META_OFFSET.load(Ordering::Acquire) != offset {
            learn_offset(offset);
        }
        TaskRef { waker, _not_send: PhantomData }
    }

    /// The task's metadata.
    #[inline]
    pub fn meta(&self) -> &TaskMeta {
        let offset = META_OFFSET.load(Ordering::Acquire);
        let meta = self.waker.data().cast::<u8>().wrapping_add(offset).cast::<TaskMeta>();
        // SAFETY: this handle was made by `new`, which checked that the
        // task's metadata was at `offset` from this waker's data pointer
        // (`META_OFFSET` is written once, before any handle exists, and
        // `new` refuses any other offset; `clone` checks that the clone's
        // data pointer is the same). The waker holds a reference count on
        // the task's allocation, which async-task frees (dropping the
        // metadata) only when the count reaches zero, so the metadata is
        // alive and, being on the heap, has not moved. It is only read
        // through shared references (`TaskMeta` is `Sync`).
        unsafe { &*meta }
    }

    /// Requests cancellation: the task's future is dropped the next time the
    /// task is scheduled, and the task ends cancelled. Returns false if the
    /// task is already done.
    pub fn cancel(&self, msg: Option<&str>) -> bool {
        let requested = self.meta().request_cancel(msg);
        if requested {
            self.waker.wake_by_ref();
        }
        requested
    }

    /// The task's id.
    pub fn id(&self) -> u64 {
        self.meta().id()
    }

    /// asyncio's `task.cancelling()` (see [`TaskMeta::cancelling`]).
    pub fn cancelling(&self) -> u32 {
        self.meta().cancelling()
    }

    /// asyncio's `task.uncancel()` (see [`TaskMeta::uncancel`]).
    pub fn uncancel(&self) -> u32 {
        self.meta().uncancel()
    }

    /// The message of the first `cancel(msg)` (see [`TaskMeta::cancel_message`]).
    pub fn cancel_message(&self) -> Option<String> {
        self.meta().cancel_message()
    }

    /// The task's name.
    pub fn name(&self) -> String {
        self.meta().name()
    }

    /// Renames the task.
    pub fn set_name(&self, name: impl Into<String>) {
        self.meta().set_name(name)
    }

    /// True once finished.
    pub fn done(&self) -> bool {
        self.meta().done()
    }

    /// True if finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.meta().cancelled()
    }

    /// The task's state.
    pub fn state(&self) -> TaskState {
        self.meta().state()
    }

    /// Id, name and creation site, as reports carry them.
    pub fn info(&self) -> TaskInfo {
        self.meta().info()
    }

    /// True if both refer to the same task.
    pub fn same_task(&self, other: &TaskRef) -> bool {
        self.waker.data() == other.waker.data()
    }
}

/// Where the task whose metadata is `meta` begins (async-task's header, at
/// the waker's data pointer); `meta` itself until the first handle has
/// measured the offset. Only ever used as a cache hint, never read.
pub(crate) fn header_of(meta: &TaskMeta) -> *const u8 {
    let at = (meta as *const TaskMeta).cast::<u8>();
    match META_OFFSET.load(Ordering::Relaxed) {
        UNSET => at,
        offset => at.wrapping_sub(offset),
    }
}

/// The first handle sets the offset; any later one that disagrees stops.
#[cold]
#[inline(never)]
fn learn_offset(offset: usize) {
    match META_OFFSET.compare_exchange(UNSET, offset, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => {}
        Err(known) if known == offset => {}
        Err(known) => panic!(
            "tulip: async-task's waker no longer points at the task metadata's header ({offset} vs {known} bytes); \
             TaskRef needs updating"
        ),
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> Self {
        let waker = self.waker.clone();
        // What `meta`'s SAFETY relies on: the clone points where this one does.
        assert!(waker.data() == self.waker.data(), "tulip: a task's waker clone points elsewhere");
        TaskRef { waker, _not_send: PhantomData }
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meta = self.meta();
        let state = match meta.state() {
            _ if meta.cancel_pending() => "cancelling",
            TaskState::Pending => "pending",
            TaskState::Running => "running",
            TaskState::Done => "finished",
            TaskState::Cancelled => "cancelled",
        };
        write!(f, "<Task {state} name='{}' created at {}>", meta.name(), meta.created_at())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::TaskRef;
    use crate::TaskBuilder;

    /// One per live task in the registry and one in every `Task` handle.
    #[test]
    fn a_task_ref_is_one_waker_and_finds_its_metadata() {
        assert_eq!(std::mem::size_of::<TaskRef>(), 16);
        let (runnable, task) = TaskBuilder::new().slot(5).name("x").spawn_local(async {}, |_| {});
        let r = runnable.task_ref();
        let c = r.clone();
        assert!(std::ptr::eq(r.meta(), runnable.meta()));
        assert!(std::ptr::eq(c.meta(), runnable.meta()));
        assert!(c.same_task(&task.task_ref()));
        assert_eq!((c.meta().slot(), c.name()), (5, "x".to_string()));
        let (other, _other_task) = TaskBuilder::new().spawn_local(async {}, |_| {});
        assert!(!other.task_ref().same_task(&r));
        assert_ne!(other.task_ref().id(), r.id());
    }

    /// What the cache hints of `prefetch.rs` aim at: the task's first byte,
    /// where its waker points.
    #[test]
    fn header_of_is_where_the_waker_points() {
        let (runnable, _task) = TaskBuilder::new().spawn_local(async {}, |_| {});
        let r = runnable.task_ref();
        assert_eq!(super::header_of(r.meta()), r.waker.data().cast::<u8>());
    }
}
