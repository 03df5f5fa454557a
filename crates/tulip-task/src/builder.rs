//! [`TaskBuilder`]: names a task and spawns it on async-task.

use crate::meta::TaskMeta;
use crate::runnable::TaskRunnable;
use crate::task::Task;
use crate::task_future::TaskFuture;
use crate::task_ref::TaskRef;
use crate::thread_bound::ThreadBound;
use std::future::Future as StdFuture;
use std::panic::Location;

/// Configures a task before spawning it: a name, and the executor's key.
#[derive(Debug, Default)]
pub struct TaskBuilder {
    name: Option<Box<str>>,
    slot: u32,
    internal: bool,
}

impl TaskBuilder {
    /// A builder with no name and slot 0.
    ///
    /// ```
    /// let (_runnable, task) = tulip_task::TaskBuilder::new().spawn_local(async {}, |_| {});
    /// assert_eq!(task.name(), format!("Task-{}", task.id()));
    /// ```
    pub fn new() -> Self {
        TaskBuilder::default()
    }

    /// Names the task (asyncio's `create_task(coro, name=...)`).
    ///
    /// ```
    /// let (_runnable, task) = tulip_task::TaskBuilder::new().name("fetch").spawn_local(async {}, |_| {});
    /// assert_eq!(task.name(), "fetch");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into().into_boxed_str());
        self
    }

    /// Marks the task as the runtime's own (see [`TaskMeta::internal`]).
    ///
    /// ```
    /// let (runnable, _task) = tulip_task::TaskBuilder::new().internal(true).spawn_local(async {}, |_| {});
    /// assert!(runnable.meta().internal());
    /// ```
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }

    /// The executor's key for the task (e.g. its registry index), available
    /// later through [`TaskMeta::slot`].
    ///
    /// ```
    /// let (runnable, _task) = tulip_task::TaskBuilder::new().slot(3).spawn_local(async {}, |_| {});
    /// assert_eq!(runnable.meta().slot(), 3);
    /// ```
    pub fn slot(mut self, slot: u32) -> Self {
        self.slot = slot;
        self
    }

    /// Creates a task for a `!Send` future: a runnable for the executor to
    /// queue (nothing runs until it is run), and the user's [`Task`] handle.
    /// `schedule` receives the runnable every time the task is woken; it may
    /// be called from any thread.
    ///
    /// The future is only ever polled or dropped on the calling thread: the
    /// task records the thread and checks it whenever the future is polled
    /// or dropped. Running or dropping the runnable on another thread
    /// (while the future is alive) aborts the process, since a drop cannot
    /// be refused. So `schedule` must move the runnables it gets to a queue
    /// that this thread drains.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// use tulip_task::TaskBuilder;
    /// // A tiny executor: a queue of runnables on one thread.
    /// let queue = Rc::new(RefCell::new(Vec::new()));
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let (runnable, task) = TaskBuilder::new().name("adder").spawn_local(async { 1 + 2 }, move |r| {
    ///     let _ = tx.send(r);
    /// });
    /// queue.borrow_mut().push(runnable);
    /// while let Some(r) = queue.borrow_mut().pop() { r.run(); }
    /// while let Ok(r) = rx.try_recv() { r.run(); }
    /// assert_eq!(task.name(), "adder");
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn spawn_local<F, S>(self, future: F, schedule: S) -> (TaskRunnable, Task<F::Output>)
    where
        F: StdFuture + 'static,
        F::Output: 'static,
        S: Fn(TaskRunnable) + Send + Sync + 'static,
    {
        // SAFETY: with the thread check on, there is no contract to uphold.
        unsafe { self.spawn(future, schedule, true) }
    }

    /// Like [`spawn_local`](Self::spawn_local), without the per-task guard
    /// that checks, at every poll and at drop, that the future stays on the
    /// thread that spawned it. The event loop uses it: the guard costs 8
    /// bytes per task and a thread-local lookup per poll (measured in
    /// `docs/benchmarks.md`), and the loop upholds the rule by construction.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use tulip_task::{TaskBuilder, TaskRunnable};
    /// // Every runnable goes to `queue`, drained (and finally dropped) on this
    /// // thread only: the contract below.
    /// let queue: Arc<Mutex<Vec<TaskRunnable>>> = Arc::default();
    /// let q = queue.clone();
    /// // SAFETY: runnables are only run and dropped on this thread.
    /// let (runnable, task) = unsafe { TaskBuilder::new().spawn_local_unchecked(async { "ok" }, move |r| q.lock().unwrap().push(r)) };
    /// runnable.run();
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), "ok");
    /// ```
    ///
    /// # Safety
    /// The future (and everything it owns) may be `!Send`, so it must only
    /// be polled and dropped on the thread that calls this function, the
    /// *owner*. async-task polls it in [`TaskRunnable::run`] and drops it
    /// either there (when it finishes, panics, or is cancelled) or when a
    /// [`TaskRunnable`] is dropped without being run. So the caller must
    /// ensure that **every `TaskRunnable` of the task is run or dropped on
    /// the owner thread**: the one returned here and each one passed to
    /// `schedule`. In particular:
    ///
    /// * `schedule` runs on whatever thread wakes the task (any clone of its
    ///   waker, on any thread), and also on the thread that drops the *last*
    ///   waker of a task that is neither finished nor awaited by a `Task`
    ///   handle: async-task then closes the task and schedules it once more
    ///   so that the executor drops the future. `schedule` must therefore
    ///   never run or drop the runnable it is given; it must move it to a
    ///   queue that only the owner thread runs or drops.
    /// * That queue must not drop its runnables anywhere but on the owner
    ///   thread, also when the executor shuts down while wakers live on
    ///   other threads: the executor must drop the queued runnables (or run
    ///   the tasks to completion) on the owner thread, and a runnable that
    ///   `schedule` receives afterwards must be kept (leaked, or queued where
    ///   nothing ever drops it) rather than dropped where it arrives.
    ///
    /// The rest is safe whatever the thread: the task's output is only
    /// taken or dropped by its `Task` handle, which is `!Send`, or by `run`
    /// when no handle is left; the allocation itself (the metadata and the
    /// `Send + Sync` schedule function) may be freed on any thread.
    #[track_caller]
    pub unsafe fn spawn_local_unchecked<F, S>(self, future: F, schedule: S) -> (TaskRunnable, Task<F::Output>)
    where
        F: StdFuture + 'static,
        F::Output: 'static,
        S: Fn(TaskRunnable) + Send + Sync + 'static,
    {
        // SAFETY: the caller upholds this function's contract.
        unsafe { self.spawn(future, schedule, false) }
    }

    /// Both spawns. `check_thread` selects async-task's thread check.
    ///
    /// # Safety
    /// With `check_thread == false`, the contract of
    /// [`spawn_local_unchecked`](Self::spawn_local_unchecked).
    #[track_caller]
    unsafe fn spawn<F, S>(self, future: F, schedule: S, check_thread: bool) -> (TaskRunnable, Task<F::Output>)
    where
        F: StdFuture + 'static,
        F::Output: 'static,
        S: Fn(TaskRunnable) + Send + Sync + 'static,
    {
        let meta = TaskMeta::new(self.slot, self.name, Location::caller());
        if self.internal {
            meta.mark_internal();
        }
        let builder = async_task::Builder::new().metadata(meta);
        let schedule = move |r| schedule(TaskRunnable::new(r));
        let (runnable, task) = if check_thread {
            let make = move |_: &TaskMeta| ThreadBound::new(TaskFuture::new(future));
            // SAFETY: async-task's requirements for a `!Send` future are that
            // it is only polled and dropped on this thread: `ThreadBound`
            // aborts the process before the future is touched anywhere else.
            // The future and the schedule function are 'static, and the
            // schedule function is `Send + Sync`.
            unsafe { builder.spawn_unchecked(make, schedule) }
        } else {
            let make = move |_: &TaskMeta| TaskFuture::new(future);
            // SAFETY: as above, with the thread rule upheld by the caller
            // (this function's contract) instead of by a guard.
            unsafe { builder.spawn_unchecked(make, schedule) }
        };
        let this = TaskRef::new(runnable.waker(), runnable.metadata());
        (TaskRunnable::new(runnable), Task::new(task.fallible(), this))
    }
}
