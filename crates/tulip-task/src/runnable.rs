//! [`TaskRunnable`]: a scheduled task step, what an executor queues and runs.

use crate::meta::{TaskMeta, TaskRef};
use async_task::Runnable;
use std::fmt;

/// A task ready to run: what an executor queues and runs. Running it polls
/// the task's future once (with the task marked as the thread's current
/// task for the duration of the poll).
///
/// It is `Send`: the schedule function receives it on whatever thread woke
/// the task, and must hand it to the task's own thread. Everything it
/// exposes there is thread-safe ([`TaskMeta`] and [`TaskRef`] use atomics
/// and a lock); running it on another thread is refused by the thread
/// check of [`TaskBuilder::spawn_local`](crate::TaskBuilder::spawn_local),
/// and is excluded by the contract of
/// [`spawn_local_unchecked`](crate::TaskBuilder::spawn_local_unchecked).
pub struct TaskRunnable(pub(crate) Runnable<TaskMeta>);

impl TaskRunnable {
    /// Polls the task once. Returns true if it was woken while running (it
    /// has already been scheduled again).
    ///
    /// It unwinds only if the schedule function panics (when the task woke
    /// itself) or, for [`spawn_local`](crate::TaskBuilder::spawn_local)
    /// tasks, if it is run on the wrong thread; panics of the task's future
    /// are the task's own (see [`Task`](crate::Task)).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let queue = Arc::new(Mutex::new(Vec::new()));
    /// let q = queue.clone();
    /// let (runnable, task) = tulip_task::TaskBuilder::new().spawn_local(async { 6 * 7 }, move |r| q.lock().unwrap().push(r));
    /// assert!(!runnable.run()); // finished: not scheduled again
    /// assert!(queue.lock().unwrap().is_empty());
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), 42);
    /// ```
    #[inline]
    pub fn run(self) -> bool {
        self.0.run()
    }

    /// The task's metadata.
    pub fn meta(&self) -> &TaskMeta {
        self.0.metadata()
    }

    /// A handle to the task (holds a waker, so keeps its metadata alive).
    pub fn task_ref(&self) -> TaskRef {
        TaskRef::new(self.0.waker(), self.0.metadata())
    }

    /// Schedules the task through its schedule function.
    pub fn schedule(self) {
        self.0.schedule()
    }
}

impl fmt::Debug for TaskRunnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<TaskRunnable id={}>", self.0.metadata().id())
    }
}
