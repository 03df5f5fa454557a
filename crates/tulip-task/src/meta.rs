//! Per-task bookkeeping kept inside the task's own allocation (async-task
//! metadata), and [`TaskRef`], the type-erased handle to it.

use crate::exception::TaskInfo;
use std::cell::Cell;
use std::fmt;
use std::panic::Location;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::task::Waker;

// Flag bits. Tasks are only touched from their loop's thread; the atomics
// exist because async-task needs `Sync` metadata to move wakers across
// threads, and relaxed loads/stores cost nothing more than plain ones.
const STARTED: u8 = 1;
const DONE: u8 = 2;
const CANCELLED: u8 = 4;
const CANCEL_REQUESTED: u8 = 8;
const DETACHED: u8 = 16;
const PANICKED: u8 = 32;
const RETRIEVED: u8 = 64;
const INTERNAL: u8 = 128;

/// Where a task is in its life (asyncio's task states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// Created, never run yet.
    Pending,
    /// Has run at least once and is not finished.
    Running,
    /// Finished with a value or a panic.
    Done,
    /// Finished by cancellation.
    Cancelled,
}

#[derive(Default)]
struct Extra {
    name: Option<Box<str>>,
    cancel_message: Option<Box<str>>,
}

/// The rarely used part of a task's metadata, allocated on first use.
///
/// A `Cell`, not a lock: async-task needs the metadata to be `Sync` (wakers,
/// and so runnables, may cross threads), but this field is only reachable
/// through the crate-private methods below, which are called only from
/// `TaskRef` and `Task` (both `!Send` and `!Sync`, so they never leave the
/// loop's thread) and from inside the task's own poll on that thread.
struct LocalExtra(Cell<Option<Box<Extra>>>);

// SAFETY: see above: every access happens on the thread that owns the task.
// Dropping it (with the task, possibly on another thread once every handle
// is gone) is exclusive access and needs only `Send`, which `Box` is.
unsafe impl Sync for LocalExtra {}

/// What every task carries inside its own allocation: id, state flags,
/// creation site, and (rarely set, so allocated lazily) a name and a
/// cancellation message. Its public methods are safe from any thread.
pub struct TaskMeta {
    id: u64,
    slot: u32,
    flags: AtomicU8,
    created_at: &'static Location<'static>,
    extra: LocalExtra,
}

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

impl TaskMeta {
    pub(crate) fn new(slot: u32, name: Option<Box<str>>, created_at: &'static Location<'static>) -> Self {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let extra = name.map(|name| Box::new(Extra { name: Some(name), cancel_message: None }));
        TaskMeta { id, slot, flags: AtomicU8::new(0), created_at, extra: LocalExtra(Cell::new(extra)) }
    }

    /// The task's id: unique among the tasks created on this thread.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The executor's key for this task, as given to the builder.
    pub fn slot(&self) -> u32 {
        self.slot
    }

    /// Where the task was created.
    pub fn created_at(&self) -> &'static Location<'static> {
        self.created_at
    }

    fn has(&self, bit: u8) -> bool {
        self.flags.load(Relaxed) & bit != 0
    }

    fn set(&self, bit: u8) {
        self.flags.store(self.flags.load(Relaxed) | bit, Relaxed);
    }

    pub(crate) fn mark_started(&self) {
        self.set(STARTED);
    }

    pub(crate) fn mark_done(&self, cancelled: bool, panicked: bool) {
        let mut bits = DONE;
        if cancelled {
            bits |= CANCELLED;
        }
        if panicked {
            bits |= PANICKED;
        }
        self.set(bits);
    }

    pub(crate) fn mark_detached(&self) {
        self.set(DETACHED);
    }

    pub(crate) fn mark_internal(&self) {
        self.set(INTERNAL);
    }

    /// True for a task the runtime itself runs (e.g. the signal reader):
    /// not listed by `all_tasks` nor reported when a loop closes.
    pub fn internal(&self) -> bool {
        self.has(INTERNAL)
    }

    pub(crate) fn mark_retrieved(&self) {
        self.set(RETRIEVED);
    }

    pub(crate) fn detached(&self) -> bool {
        self.has(DETACHED)
    }

    pub(crate) fn unretrieved_panic(&self) -> bool {
        self.flags.load(Relaxed) & (PANICKED | RETRIEVED) == PANICKED
    }

    /// True once the task finished (value, panic or cancellation).
    pub fn done(&self) -> bool {
        self.has(DONE)
    }

    /// True if the task finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.has(CANCELLED)
    }

    /// True if `cancel` was called and the task has not finished yet.
    pub fn cancelling(&self) -> bool {
        self.flags.load(Relaxed) & (CANCEL_REQUESTED | DONE) == CANCEL_REQUESTED
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.has(CANCEL_REQUESTED)
    }

    /// The task's state.
    pub fn state(&self) -> TaskState {
        let f = self.flags.load(Relaxed);
        if f & CANCELLED != 0 {
            TaskState::Cancelled
        } else if f & DONE != 0 {
            TaskState::Done
        } else if f & STARTED != 0 {
            TaskState::Running
        } else {
            TaskState::Pending
        }
    }

    fn with_extra<R>(&self, f: impl FnOnce(&mut Option<Box<Extra>>) -> R) -> R {
        let mut extra = self.extra.0.take();
        let r = f(&mut extra);
        self.extra.0.set(extra);
        r
    }

    /// The task's name: `Task-<id>` unless one was set.
    pub(crate) fn name(&self) -> String {
        self.with_extra(|e| e.as_ref().and_then(|e| e.name.as_deref().map(str::to_owned)))
            .unwrap_or_else(|| format!("Task-{}", self.id))
    }

    pub(crate) fn set_name(&self, name: impl Into<String>) {
        let name = name.into().into_boxed_str();
        self.with_extra(|e| e.get_or_insert_with(Default::default).name = Some(name));
    }

    pub(crate) fn request_cancel(&self, msg: Option<&str>) -> bool {
        if self.done() {
            return false;
        }
        if let Some(m) = msg {
            let m: Box<str> = m.into();
            self.with_extra(|e| e.get_or_insert_with(Default::default).cancel_message = Some(m));
        }
        self.set(CANCEL_REQUESTED);
        true
    }

    pub(crate) fn cancel_message(&self) -> Option<String> {
        self.with_extra(|e| e.as_ref().and_then(|e| e.cancel_message.as_deref().map(str::to_owned)))
    }

    pub(crate) fn info(&self) -> TaskInfo {
        TaskInfo { id: self.id, name: self.name(), created_at: self.created_at }
    }
}

/// A type-erased handle to any task: what `current_task()` and `all_tasks()`
/// return, and what an executor keeps in its registry of live tasks.
///
/// It can name, inspect and cancel the task, but not take its output.
#[derive(Clone)]
pub struct TaskRef {
    waker: Waker,
    meta: NonNull<TaskMeta>,
}

impl TaskRef {
    /// Made only from a waker and the metadata of the same task.
    pub(crate) fn new(waker: Waker, meta: &TaskMeta) -> Self {
        TaskRef { waker, meta: NonNull::from(meta) }
    }

    /// The task's metadata.
    pub fn meta(&self) -> &TaskMeta {
        // SAFETY: `waker` is a waker of the task whose allocation holds this
        // metadata; a live waker holds a reference count on that allocation,
        // and async-task drops the metadata only when the count reaches zero.
        unsafe { self.meta.as_ref() }
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
        self.meta == other.meta
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meta = self.meta();
        let state = match meta.state() {
            _ if meta.cancelling() => "cancelling",
            TaskState::Pending => "pending",
            TaskState::Running => "running",
            TaskState::Done => "finished",
            TaskState::Cancelled => "cancelled",
        };
        write!(f, "<Task {state} name='{}' created at {}>", meta.name(), meta.created_at)
    }
}
