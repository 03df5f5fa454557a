//! [`TaskRunnable`]: a scheduled task step, what an executor queues and runs.

use crate::current::RunningGuard;
use crate::meta::TaskMeta;
use crate::task_ref::TaskRef;
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
///
/// Its run and its drop mark the task as the thread's running one, which
/// is how the task's future finds its metadata (see `task_future.rs`).
pub struct TaskRunnable(Option<Runnable<TaskMeta>>);

impl TaskRunnable {
    /// Wraps a runnable of a task made by the builder.
    pub(crate) fn new(runnable: Runnable<TaskMeta>) -> Self {
        TaskRunnable(Some(runnable))
    }

    /// The runnable: `None` only inside `run`, `schedule` and `drop`, which
    /// take it out of a runnable that is going away.
    fn inner(&self) -> &Runnable<TaskMeta> {
        match &self.0 {
            Some(r) => r,
            None => unreachable!("a TaskRunnable is used after it was run"),
        }
    }

    /// Hints the CPU to start loading this task's header and the start of
    /// its future, for an executor that knows it will run it a few steps
    /// from now (a ready queue's entry some places ahead). Nothing is read.
    ///
    /// ```
    /// let (runnable, task) = tulip_task::TaskBuilder::new().spawn_local(async { 1 }, |_| ());
    /// runnable.prefetch();
    /// assert!(!runnable.run());
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), 1);
    /// ```
    #[inline(always)]
    pub fn prefetch(&self) {
        crate::prefetch::prefetch_task(self.inner().metadata());
    }

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
    pub fn run(mut self) -> bool {
        let Some(runnable) = self.0.take() else { return false };
        let _running = RunningGuard::enter(runnable.metadata());
        runnable.run()
    }

    /// Polls the task once, like [`run`](Self::run), and returns true if
    /// that poll finished it (with a value, a panic or a cancellation).
    ///
    /// This is how an executor learns that a task is done without looking
    /// at the task after the run (the run may have freed it, and a registry
    /// of live tasks is cold memory): the loop forgets a task only after the
    /// step that finished it.
    ///
    /// ```
    /// let (runnable, task) = tulip_task::TaskBuilder::new().spawn_local(async { 6 * 7 }, |_| {});
    /// assert!(runnable.step()); // finished in this step
    /// assert_eq!(futures_lite::future::block_on(task).unwrap(), 42);
    /// ```
    #[inline]
    pub fn step(mut self) -> bool {
        let Some(runnable) = self.0.take() else { return false };
        let running = RunningGuard::enter(runnable.metadata());
        runnable.run();
        running.leave()
    }

    /// The task's metadata.
    pub fn meta(&self) -> &TaskMeta {
        self.inner().metadata()
    }

    /// A handle to the task (holds a waker, so keeps its metadata alive).
    pub fn task_ref(&self) -> TaskRef {
        let r = self.inner();
        TaskRef::new(r.waker(), r.metadata())
    }

    /// Schedules the task through its schedule function.
    pub fn schedule(mut self) {
        if let Some(runnable) = self.0.take() {
            runnable.schedule();
        }
    }
}

impl Drop for TaskRunnable {
    /// Dropping a runnable without running it closes the task and drops
    /// its future: as when it runs, the future finds its metadata through
    /// the running task.
    #[inline]
    fn drop(&mut self) {
        // Empty after `run` (the common case): only the check is inline.
        if let Some(runnable) = self.0.take() {
            drop_unrun(runnable);
        }
    }
}

#[cold]
#[inline(never)]
fn drop_unrun(runnable: Runnable<TaskMeta>) {
    let _running = RunningGuard::enter(runnable.metadata());
    drop(runnable);
}

impl fmt::Debug for TaskRunnable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<TaskRunnable id={}>", self.meta().id())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::TaskBuilder;
    use std::cell::Cell;
    use std::rc::Rc;

    struct SetOnDrop(Rc<Cell<bool>>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    /// The future of a runnable dropped unrun is dropped there, and finds
    /// its metadata (it takes the done callbacks that will never run).
    #[test]
    fn dropping_an_unrun_runnable_drops_the_future_and_its_callbacks() {
        let (fut_dropped, cb_dropped) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
        let guard = SetOnDrop(fut_dropped.clone());
        let (runnable, task) = TaskBuilder::new().spawn_local(
            async move {
                let _guard = guard;
            },
            |_| {},
        );
        let in_callback = SetOnDrop(cb_dropped.clone());
        task.add_done_callback(move |_| drop(in_callback));
        drop(runnable);
        assert!(fut_dropped.get());
        assert!(cb_dropped.get());
        assert!(!task.done());
    }

    /// Runnables run inside another task's poll restore the outer task as
    /// the running one (the outer task then finishes normally).
    #[test]
    fn nested_runs_restore_the_running_task() {
        let (runnable, task) = TaskBuilder::new().name("outer").spawn_local(
            async {
                let (inner, inner_task) = TaskBuilder::new().name("inner").spawn_local(async { 1 }, |_| {});
                inner.run();
                let inner_out = futures_lite::future::block_on(inner_task).unwrap();
                let here = crate::with_current_meta(|m| m.map(|m| m.name()));
                (inner_out, here)
            },
            |_| {},
        );
        runnable.run();
        assert_eq!(futures_lite::future::block_on(task).unwrap(), (1, Some("outer".to_string())));
    }

    /// `step` is true for the step that finishes a task (by value, panic or
    /// cancellation) and only for it; a task finished by a nested step
    /// does not count for the task whose poll ran it.
    #[test]
    fn step_tells_which_step_finished_the_task() {
        let queue = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let q = queue.clone();
        let (first, task) = TaskBuilder::new().spawn_local(
            async {
                let (inner, _t) = TaskBuilder::new().spawn_local(async {}, |_| {});
                let inner_finished = inner.step();
                futures_lite::future::yield_now().await;
                inner_finished
            },
            move |r| q.lock().unwrap().push(r),
        );
        assert!(!first.step(), "parked at the yield: not finished");
        let second = queue.lock().unwrap().pop().unwrap();
        assert!(second.step());
        assert!(futures_lite::future::block_on(task).unwrap());

        let (panics, task) = TaskBuilder::new().spawn_local(async { panic!("boom") }, |_| {});
        assert!(panics.step());
        assert!(futures_lite::future::block_on(task).is_err());

        let (cancelled, task) = TaskBuilder::new().spawn_local(std::future::pending::<()>(), |_| {});
        task.cancel();
        assert!(cancelled.step());
    }
}
