//! asyncio's `Task` on `async-task`: a future the loop drives to completion,
//! with cancellation, caught panics and a detach-on-drop handle.

use crate::error::{CancelledError, PanicError, TaskError};
use crate::exception::{Exception, ExceptionContext};
use crate::hooks;
use crate::meta::{TaskMeta, TaskRef, TaskState};
use async_task::{FallibleTask, Runnable};
use std::cell::Cell;
use std::fmt;
use std::future::Future as StdFuture;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// The metadata of the task being polled on this thread, if any.
    static CURRENT: Cell<*const TaskMeta> = const { Cell::new(std::ptr::null()) };
}

/// A task ready to run: what an executor queues and runs. Running it polls
/// the task's future once (with the task marked as the thread's current task).
pub struct TaskRunnable(Runnable<TaskMeta>);

impl TaskRunnable {
    /// Polls the task once. Returns true if it was woken while running (it
    /// has already been scheduled again).
    #[inline]
    pub fn run(self) -> bool {
        let meta: *const TaskMeta = self.0.metadata();
        let previous = CURRENT.with(|c| c.replace(meta));
        let woken = self.0.run();
        CURRENT.with(|c| c.set(previous));
        woken
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

/// Calls `f` with the metadata of the task being polled on this thread.
pub fn with_current_meta<R>(f: impl FnOnce(Option<&TaskMeta>) -> R) -> R {
    let ptr = CURRENT.with(|c| c.get());
    // SAFETY: CURRENT is non-null only inside `TaskRunnable::run`, which holds
    // the runnable (and so the task allocation holding the metadata) for the
    // whole poll; it is reset before `run` returns.
    f(unsafe { ptr.as_ref() })
}

/// Configures a task before spawning it: a name, and the executor's key.
#[derive(Debug, Default)]
pub struct TaskBuilder {
    name: Option<Box<str>>,
    slot: u32,
    internal: bool,
}

impl TaskBuilder {
    /// A builder with no name and slot 0.
    pub fn new() -> Self {
        TaskBuilder::default()
    }

    /// Names the task (asyncio's `create_task(coro, name=...)`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into().into_boxed_str());
        self
    }

    /// Marks the task as the runtime's own (see [`TaskMeta::internal`]).
    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }

    /// The executor's key for the task (e.g. its registry index), available
    /// later through [`TaskMeta::slot`].
    pub fn slot(mut self, slot: u32) -> Self {
        self.slot = slot;
        self
    }

    /// Creates a task for a `!Send` future: a runnable for the executor to
    /// queue (nothing runs until it is run), and the user's [`Task`] handle.
    /// `schedule` receives the runnable every time the task is woken; it may
    /// be called from any thread.
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
        let internal = self.internal;
        let meta = TaskMeta::new(self.slot, self.name, Location::caller());
        let (runnable, task) = async_task::Builder::new()
            .metadata(meta)
            .spawn_local(move |_| TaskFuture { inner: Some(future) }, move |r| schedule(TaskRunnable(r)));
        Self::finish(internal, runnable, task)
    }

    /// Like [`spawn_local`](Self::spawn_local), without the per-task guard
    /// that checks, at every poll and at drop, that the future stays on the
    /// thread that spawned it. The event loop uses it: the guard costs 8
    /// bytes per task and a thread-local lookup per poll (measured in
    /// `docs/benchmarks.md`), and the loop upholds the rule by construction.
    ///
    /// # Safety
    /// The caller must ensure that the runnable is only ever run or dropped
    /// on the thread that called this function, and that the future is never
    /// dropped elsewhere: `schedule` must hand runnables only to queues
    /// drained on this thread, and such a queue must never be dropped on
    /// another thread while it holds runnables.
    #[track_caller]
    pub unsafe fn spawn_local_unchecked<F, S>(self, future: F, schedule: S) -> (TaskRunnable, Task<F::Output>)
    where
        F: StdFuture + 'static,
        F::Output: 'static,
        S: Fn(TaskRunnable) + Send + Sync + 'static,
    {
        let internal = self.internal;
        let meta = TaskMeta::new(self.slot, self.name, Location::caller());
        // SAFETY: the future and output are 'static; the thread rule that
        // spawn_local would check at run time is the caller's contract.
        let (runnable, task) = unsafe {
            async_task::Builder::new()
                .metadata(meta)
                .spawn_unchecked(move |_| TaskFuture { inner: Some(future) }, move |r| schedule(TaskRunnable(r)))
        };
        Self::finish(internal, runnable, task)
    }

    fn finish<T>(
        internal: bool,
        runnable: Runnable<TaskMeta>,
        task: async_task::Task<RawOutput<T>, TaskMeta>,
    ) -> (TaskRunnable, Task<T>) {
        if internal {
            runnable.metadata().mark_internal();
        }
        let this = TaskRef::new(runnable.waker(), runnable.metadata());
        (TaskRunnable(runnable), Task { handle: Some(task.fallible()), this })
    }
}

/// Drives the user's future: checks for cancellation before each poll and
/// turns a panic into a stored [`PanicError`].
struct TaskFuture<F> {
    inner: Option<F>,
}

/// The error side of a task's stored output is boxed: every task allocation
/// reserves room for its output, and a bare `TaskError` would cost every
/// task 40 bytes for a case that is rare.
type RawOutput<T> = Result<T, Box<TaskError>>;

impl<F: StdFuture> StdFuture for TaskFuture<F> {
    type Output = RawOutput<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is never moved out: it is polled through a pinned
        // reference and dropped in place (by assigning `None`).
        let this = unsafe { self.get_unchecked_mut() };
        with_current_meta(|meta| {
            // A TaskFuture is only ever polled through TaskRunnable::run.
            let Some(meta) = meta else { return Poll::Pending };
            let Some(inner) = this.inner.as_mut() else {
                return Poll::Ready(Err(Box::new(CancelledError::default().into())));
            };
            if meta.cancel_requested() {
                // Dropping the future is the cancellation: its destructors
                // are the `finally:` blocks.
                let dropped = catch_unwind(AssertUnwindSafe(|| this.inner = None));
                if let Err(payload) = dropped {
                    report_panic(meta, PanicError::new(payload), "Exception while cancelling a task");
                }
                meta.mark_done(true, false);
                return Poll::Ready(Err(Box::new(CancelledError { message: meta.cancel_message() }.into())));
            }
            meta.mark_started();
            // SAFETY: `inner` lives inside the pinned TaskFuture and is never moved.
            let pinned = unsafe { Pin::new_unchecked(inner) };
            match catch_unwind(AssertUnwindSafe(|| pinned.poll(cx))) {
                Ok(Poll::Pending) => Poll::Pending,
                Ok(Poll::Ready(value)) => {
                    this.inner = None;
                    meta.mark_done(false, false);
                    Poll::Ready(Ok(value))
                }
                Err(payload) => {
                    // The future may be in a broken state: drop it now, but a
                    // second panic from its destructor must not escape either.
                    let _ = catch_unwind(AssertUnwindSafe(|| this.inner = None));
                    meta.mark_done(false, true);
                    let err = PanicError::new(payload);
                    if meta.detached() {
                        report_panic(meta, err, "Task exception was never retrieved");
                        return Poll::Ready(Err(Box::new(CancelledError::default().into())));
                    }
                    Poll::Ready(Err(Box::new(err.into())))
                }
            }
        })
    }
}

fn report_panic(meta: &TaskMeta, err: PanicError, message: &str) {
    hooks::report(ExceptionContext {
        message: message.into(),
        exception: Some(Exception::msg(err.message().to_owned())),
        task: Some(meta.info()),
        source: Some(meta.created_at()),
    });
}

/// asyncio's `Task`: a handle to a future running on a loop.
///
/// Awaiting it gives the future's output, or a [`TaskError`] if the task was
/// cancelled or panicked. Dropping the handle does **not** cancel the task:
/// it keeps running, detached (asyncio's "keep a reference or your task may
/// vanish" footgun does not exist here). A panic in a task nobody awaits is
/// reported as "Task exception was never retrieved".
///
/// Tasks are created by an executor (e.g. `tulip::create_task`); see
/// [`TaskBuilder::spawn_local`] to build one yourself.
pub struct Task<T> {
    handle: Option<FallibleTask<RawOutput<T>, TaskMeta>>,
    this: TaskRef,
}

impl<T> Task<T> {
    /// Requests cancellation (asyncio's `task.cancel(msg)`): returns false if
    /// the task is already done. The future is dropped the next time the task
    /// is scheduled (never polled at all if it had not started), and awaiting
    /// the task then gives `TaskError::Cancelled`.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # fn spawn<F: std::future::Future + 'static>(f: F) -> (Arc<Mutex<Vec<tulip_task::TaskRunnable>>>, tulip_task::Task<F::Output>) where F::Output: 'static {
    /// #     let q: Arc<Mutex<Vec<tulip_task::TaskRunnable>>> = Arc::default();
    /// #     let q2 = q.clone();
    /// #     let (r, t) = tulip_task::TaskBuilder::new().spawn_local(f, move |r| q2.lock().unwrap().push(r));
    /// #     q.lock().unwrap().push(r);
    /// #     (q, t)
    /// # }
    /// # fn run_all(q: &Arc<Mutex<Vec<tulip_task::TaskRunnable>>>) { loop { let r = q.lock().unwrap().pop(); match r { Some(r) => { r.run(); } None => break } } }
    /// use tulip_task::{TaskError, TaskState};
    /// let (queue, task) = spawn(async { unreachable!("cancelled before it ran") });
    /// assert_eq!(task.state(), TaskState::Pending);
    /// assert!(task.cancel());
    /// run_all(&queue);
    /// assert!(task.done() && task.cancelled());
    /// assert!(!task.cancel()); // already finished
    /// assert!(matches!(futures_lite::future::block_on(task), Err(TaskError::Cancelled(_))));
    /// ```
    pub fn cancel(&self) -> bool {
        self.this.cancel(None)
    }

    /// Like [`cancel`](Self::cancel), with a message kept in the `CancelledError`.
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # fn spawn<F: std::future::Future + 'static>(f: F) -> (Arc<Mutex<Vec<tulip_task::TaskRunnable>>>, tulip_task::Task<F::Output>) where F::Output: 'static {
    /// #     let q: Arc<Mutex<Vec<tulip_task::TaskRunnable>>> = Arc::default();
    /// #     let q2 = q.clone();
    /// #     let (r, t) = tulip_task::TaskBuilder::new().spawn_local(f, move |r| q2.lock().unwrap().push(r));
    /// #     q.lock().unwrap().push(r);
    /// #     (q, t)
    /// # }
    /// # fn run_all(q: &Arc<Mutex<Vec<tulip_task::TaskRunnable>>>) { loop { let r = q.lock().unwrap().pop(); match r { Some(r) => { r.run(); } None => break } } }
    /// let (queue, task) = spawn(std::future::pending::<()>());
    /// task.cancel_with("shutting down");
    /// run_all(&queue);
    /// match futures_lite::future::block_on(task) {
    ///     Err(tulip_task::TaskError::Cancelled(e)) => assert_eq!(e.message.as_deref(), Some("shutting down")),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn cancel_with(&self, msg: &str) -> bool {
        self.this.cancel(Some(msg))
    }

    /// True once the task finished (value, panic, or cancellation).
    pub fn done(&self) -> bool {
        self.this.done()
    }

    /// True if the task finished by cancellation.
    pub fn cancelled(&self) -> bool {
        self.this.cancelled()
    }

    /// The task's state: pending (never run), running, done, cancelled.
    pub fn state(&self) -> TaskState {
        self.this.state()
    }

    /// The task's name (`Task-<id>` unless set).
    ///
    /// ```
    /// # use std::sync::{Arc, Mutex};
    /// # fn spawn<F: std::future::Future + 'static>(f: F) -> (Arc<Mutex<Vec<tulip_task::TaskRunnable>>>, tulip_task::Task<F::Output>) where F::Output: 'static {
    /// #     let q: Arc<Mutex<Vec<tulip_task::TaskRunnable>>> = Arc::default();
    /// #     let q2 = q.clone();
    /// #     let (r, t) = tulip_task::TaskBuilder::new().spawn_local(f, move |r| q2.lock().unwrap().push(r));
    /// #     q.lock().unwrap().push(r);
    /// #     (q, t)
    /// # }
    /// # fn run_all(q: &Arc<Mutex<Vec<tulip_task::TaskRunnable>>>) { loop { let r = q.lock().unwrap().pop(); match r { Some(r) => { r.run(); } None => break } } }
    /// let (_queue, task) = spawn(async {});
    /// assert_eq!(task.name(), format!("Task-{}", task.id()));
    /// task.set_name("worker");
    /// assert_eq!(task.name(), "worker");
    /// assert_eq!(task.task_ref().name(), "worker");
    /// ```
    pub fn name(&self) -> String {
        self.this.name()
    }

    /// Renames the task.
    pub fn set_name(&self, name: impl Into<String>) {
        self.this.set_name(name)
    }

    /// The task's id.
    pub fn id(&self) -> u64 {
        self.this.id()
    }

    /// A type-erased handle to the same task.
    pub fn task_ref(&self) -> TaskRef {
        self.this.clone()
    }

    /// Lets the task run on without a handle (what dropping does too).
    pub fn detach(self) {}
}

impl<T> StdFuture for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(handle) = self.handle.as_mut() else {
            return Poll::Ready(Err(CancelledError::default().into()));
        };
        let out = match Pin::new(handle).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(out)) => out.map_err(|e| *e),
            // The executor dropped the task without finishing it (it was
            // closed or dropped with the task still queued).
            Poll::Ready(None) => Err(CancelledError::default().into()),
        };
        self.this.meta().mark_retrieved();
        self.handle = None;
        Poll::Ready(out)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        let Some(handle) = self.handle.take() else { return };
        let meta = self.this.meta();
        if handle.is_finished() {
            if meta.unretrieved_panic() {
                hooks::report(ExceptionContext {
                    message: "Task exception was never retrieved".into(),
                    exception: None,
                    task: Some(meta.info()),
                    source: Some(meta.created_at()),
                });
            }
        } else {
            meta.mark_detached();
        }
        handle.detach();
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.this, f)
    }
}
