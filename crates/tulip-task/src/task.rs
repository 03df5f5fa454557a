//! asyncio's `Task` on `async-task`: the handle to a future the loop drives
//! to completion, with cancellation, caught panics and detach-on-drop.

use crate::current::with_current_meta;
use crate::error::{CancelledError, TaskError};
use crate::exception::ExceptionContext;
use crate::hooks;
use crate::host::current_host_id;
use crate::meta::{TaskMeta, TaskRef, TaskState};
use crate::task_future::RawOutput;
use async_task::FallibleTask;
use std::fmt;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};

/// asyncio's `Task`: a handle to a future running on a loop.
///
/// Awaiting it gives the future's output, or a [`TaskError`] if the task was
/// cancelled or panicked. Dropping the handle does **not** cancel the task:
/// it keeps running, detached (asyncio's "keep a reference or your task may
/// vanish" footgun does not exist here). A panic in a task nobody awaits is
/// reported as "Task exception was never retrieved".
///
/// Tasks are created by an executor (e.g. `tulip::create_task`); see
/// [`TaskBuilder::spawn_local`](crate::TaskBuilder::spawn_local) to build one
/// yourself.
///
/// A `Task` is `!Send`: it takes or drops the task's output, which may be
/// `!Send`, so it stays on the thread that spawned the task.
///
/// ```compile_fail
/// fn on_another_thread<T: Send>(_: T) {}
/// let (_runnable, task) = tulip_task::TaskBuilder::new().spawn_local(async { std::rc::Rc::new(1) }, |_| {});
/// on_another_thread(task); // error: `Task` is not `Send`
/// ```
pub struct Task<T> {
    handle: Option<FallibleTask<RawOutput<T>, TaskMeta>>,
    this: TaskRef,
    /// The [`TaskHost::host_id`](crate::TaskHost::host_id) of the loop that
    /// owns the task, 0 if none does (spawned by hand).
    owner: usize,
}

impl<T> Task<T> {
    /// The handle of a task just spawned by the builder.
    pub(crate) fn new(handle: FallibleTask<RawOutput<T>, TaskMeta>, this: TaskRef) -> Self {
        Task { handle: Some(handle), this, owner: 0 }
    }

    /// Records which loop owns the task (see `spawn_on`).
    pub(crate) fn set_owner(&mut self, host_id: usize) {
        self.owner = host_id;
    }

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
            // Only an await that waits can hang: the check stays off the
            // path of a task that is already done.
            Poll::Pending => {
                self.check_awaiter();
                return Poll::Pending;
            }
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

impl<T> Task<T> {
    /// asyncio raises `RuntimeError` for an await that can never finish: a
    /// task awaiting itself, or a task of one loop awaited on another (its
    /// loop is not the one running, so it never makes progress). The Rust
    /// shape of that exception is a panic in the awaiting task: it fails
    /// that task with the message, and is reported like an exception.
    #[track_caller]
    fn check_awaiter(&self) {
        let id = self.this.meta().id();
        if with_current_meta(|m| m.is_some_and(|m| m.id() == id)) {
            panic!("Task cannot await on itself: {:?}", self.this);
        }
        if self.owner != 0 && current_host_id().is_some_and(|running| running != self.owner) {
            panic!("{:?} is attached to a different event loop than the one running", self.this);
        }
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
