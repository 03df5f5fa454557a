//! Per-task bookkeeping kept inside the task's own allocation (async-task
//! metadata).

use crate::exception::TaskInfo;
use crate::extra::ExtraCell;
use std::cell::Cell;
use std::panic::Location;
use std::sync::atomic::{AtomicU16, Ordering};

// Flag bits. Every change is an atomic `fetch_or`: a runnable (`Send`) and
// its `TaskRef` may be used on another thread while the task's own thread
// changes other bits. Set with release and read with acquire, so that what
// was written before a bit was set (a cancellation message) is seen by
// whoever sees the bit.
const STARTED: u16 = 1;
const DONE: u16 = 2;
const CANCELLED: u16 = 4;
const CANCEL_REQUESTED: u16 = 8;
const DETACHED: u16 = 16;
const PANICKED: u16 = 32;
/// The panic (if any) is taken care of: read, or owned by a combinator
/// that has finished (asyncio's gather marks its children's exceptions
/// retrieved); set before the task finishes, it silences the report.
const RETRIEVED: u16 = 64;
const INTERNAL: u16 = 128;
/// Done callbacks were registered (see `done_callbacks.rs`).
const HAS_CALLBACKS: u16 = 256;
/// The task's handle was awaited while the task was not done (and not
/// detached since): dropping it while the awaiting task is cancelled
/// cancels this task (asyncio cancels what a cancelled task awaits).
const AWAITED: u16 = 512;
/// Spawned by a [`TaskHost`](crate::TaskHost) (`spawn_on`), not by hand:
/// only the host that owns it can drive it to completion.
const LOOP_OWNED: u16 = 1024;

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

/// What every task carries inside its own allocation: id, state flags,
/// creation site, and (rarely set, so allocated lazily) a name and a
/// cancellation message.
///
/// It is `Send + Sync` by construction (atomics, immutable fields, and a
/// lock around the name), with no `unsafe impl`: async-task requires it, as
/// runnables and wakers cross threads, and everything reachable from them is
/// therefore safe to use from any thread.
pub struct TaskMeta {
    id: u64,
    slot: u32,
    flags: AtomicU16,
    /// asyncio's `_num_cancels_requested`: `cancel()` calls while not done,
    /// minus `uncancel()` calls.
    cancels: AtomicU16,
    /// The creation site, and the name and cancellation message once
    /// there is one (one word: see `extra.rs`).
    extra: ExtraCell,
}

// async-task hands runnables and wakers to other threads: the metadata they
// reach must be thread-safe, and is so without an `unsafe impl`.
const _: () = {
    const fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<TaskMeta>();
};

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
        TaskMeta {
            id,
            slot,
            flags: AtomicU16::new(0),
            cancels: AtomicU16::new(0),
            extra: ExtraCell::new(created_at, name),
        }
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
        self.extra.created_at()
    }

    fn flags(&self) -> u16 {
        self.flags.load(Ordering::Acquire)
    }

    fn has(&self, bit: u16) -> bool {
        self.flags() & bit != 0
    }

    fn set(&self, bits: u16) {
        self.flags.fetch_or(bits, Ordering::Release);
    }

    /// Called at every poll: a load, and a write only the first time.
    pub(crate) fn mark_started(&self) {
        if !self.has(STARTED) {
            self.set(STARTED);
        }
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

    pub(crate) fn mark_has_callbacks(&self) {
        self.set(HAS_CALLBACKS);
    }

    pub(crate) fn has_callbacks(&self) -> bool {
        self.has(HAS_CALLBACKS)
    }

    pub(crate) fn mark_awaited(&self) {
        if !self.has(AWAITED) {
            self.set(AWAITED);
        }
    }

    pub(crate) fn mark_loop_owned(&self) {
        self.set(LOOP_OWNED);
    }

    pub(crate) fn loop_owned(&self) -> bool {
        self.has(LOOP_OWNED)
    }

    pub(crate) fn clear_awaited(&self) {
        self.flags.fetch_and(!AWAITED, Ordering::Release);
    }

    pub(crate) fn awaited(&self) -> bool {
        self.has(AWAITED)
    }

    pub(crate) fn detached(&self) -> bool {
        self.has(DETACHED)
    }

    /// A panic the task ends with is taken care of (see `RETRIEVED`).
    pub(crate) fn retrieved(&self) -> bool {
        self.has(RETRIEVED)
    }

    pub(crate) fn unretrieved_panic(&self) -> bool {
        self.flags() & (PANICKED | RETRIEVED) == PANICKED
    }

    /// True once the task finished (value, panic or cancellation).
    pub fn done(&self) -> bool {
        self.has(DONE)
    }

    /// True if the task finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.has(CANCELLED)
    }

    /// True if the task finished by panicking.
    pub fn panicked(&self) -> bool {
        self.has(PANICKED)
    }

    /// asyncio's `task.cancelling()`: how many cancellation requests are
    /// pending — `cancel()` calls made while the task was not done, minus
    /// [`uncancel`](Self::uncancel) calls. Cleanup code of a cancelled task
    /// (a destructor run by the cancellation) reads it through
    /// `tulip::current_task()`.
    pub fn cancelling(&self) -> u32 {
        u32::from(self.cancels.load(Ordering::Acquire))
    }

    /// asyncio's `task.uncancel()`: takes back one cancellation request and
    /// returns how many remain. As in asyncio 3.11 it only changes the
    /// count: a requested cancellation still happens (structured code such
    /// as a timeout uses the count to tell its own cancellation from one of
    /// the caller).
    pub fn uncancel(&self) -> u32 {
        let prev = self.cancels.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| Some(n.saturating_sub(1)));
        u32::from(prev.unwrap_or(0).saturating_sub(1))
    }

    /// True if `cancel` was called and the task has not finished yet: it
    /// is on its way out (or its cleanup code is running).
    pub fn cancel_pending(&self) -> bool {
        self.flags() & (CANCEL_REQUESTED | DONE) == CANCEL_REQUESTED
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.has(CANCEL_REQUESTED)
    }

    /// The task's state.
    pub fn state(&self) -> TaskState {
        let f = self.flags();
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

    /// The task's name: `Task-<id>` unless one was set.
    pub(crate) fn name(&self) -> String {
        self.extra
            .read(|e| e.name.as_deref().map(str::to_owned))
            .flatten()
            .unwrap_or_else(|| format!("Task-{}", self.id))
    }

    pub(crate) fn set_name(&self, name: impl Into<String>) {
        let name = name.into().into_boxed_str();
        let old = self.extra.write(|e| e.name.replace(name));
        drop(old);
    }

    pub(crate) fn request_cancel(&self, msg: Option<&str>) -> bool {
        if self.done() {
            return false;
        }
        // The first message is the one delivered (asyncio: the first
        // `cancel(msg)` cancels what the task awaits, with that message).
        if let (Some(m), false) = (msg, self.cancel_requested()) {
            let m: Box<str> = m.into();
            let old = self.extra.write(|e| e.cancel_message.replace(m));
            drop(old);
        }
        let _ = self.cancels.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| Some(n.saturating_add(1)));
        self.set(CANCEL_REQUESTED);
        true
    }

    /// The message given to the first `cancel(msg)` of this task, if any:
    /// what its `CancelledError` carries (readable from cleanup code).
    pub fn cancel_message(&self) -> Option<String> {
        self.extra.read(|e| e.cancel_message.as_deref().map(str::to_owned)).flatten()
    }

    pub(crate) fn info(&self) -> TaskInfo {
        TaskInfo { id: self.id, name: self.name(), created_at: self.created_at() }
    }
}
