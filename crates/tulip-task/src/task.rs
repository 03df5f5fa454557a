//! asyncio's `Task` on `async-task`: the handle to a future the loop drives
//! to completion, with cancellation, caught panics and detach-on-drop.

use crate::current::with_current_meta;
use crate::done_callbacks::{self, TaskCallbackId};
use crate::error::{CancelledError, FutureError, InvalidStateError, TaskError};
use crate::exception::{Exception, ExceptionContext};
use crate::hooks;
use crate::host::current_host;
use crate::meta::{TaskMeta, TaskState};
use crate::shared::SharedTask;
use crate::task_future::RawOutput;
use crate::task_ref::TaskRef;
use async_task::FallibleTask;
use std::cell::Cell;
use std::fmt;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// asyncio's `Task`: a handle to a future running on a loop.
///
/// Awaiting it gives the future's output, or a [`TaskError`] if the task was
/// cancelled or panicked ([`propagate`](Task::propagate) re-raises the
/// panic instead). Dropping the handle does **not** cancel the task: it
/// keeps running, detached (asyncio's "keep a reference or your task may
/// vanish" footgun does not exist here) — except when the drop is the
/// cancellation of a task that was awaiting this one: asyncio cancels the
/// awaited task too, and so does tulip (`tulip::shield` opts out). A panic in a
/// task nobody awaits is reported as "Task exception was never retrieved",
/// with the panic's message and location.
///
/// Tasks are created by the loop: `tulip::create_task(fut)` (an executor
/// of your own builds them with `tulip_task::TaskBuilder`).
///
/// A `Task` is `!Send`: it takes or drops the task's output, which may be
/// `!Send`, so it stays on the thread that spawned the task.
///
/// ```compile_fail
/// fn on_another_thread<T: Send>(_: T) {}
/// tulip::run(async {
///     let task = tulip::create_task(async { std::rc::Rc::new(1) });
///     on_another_thread(task); // error: `Task` is not `Send`
/// });
/// ```
pub struct Task<T> {
    slot: Cell<Slot<T>>,
    this: TaskRef,
}

// Never pin-projected: the output is only moved, never pinned, so the
// handle is `Unpin` whatever `T` is (as it was while async-task held it).
impl<T> Unpin for Task<T> {}

/// Where the task's outcome is: still in the task, taken out into the
/// handle (by `poll_done`, `result` or `exception`; boxed, so that the
/// handle stays two words plus the task's reference, whatever `T` is: a
/// plain `.await` never boxes), or handed out.
enum Slot<T> {
    Running(FallibleTask<RawOutput<T>, TaskMeta>),
    Done(Box<RawOutput<T>>),
    Taken,
}

impl<T> Task<T> {
    /// The handle of a task just spawned by the builder.
    pub(crate) fn new(handle: FallibleTask<RawOutput<T>, TaskMeta>, this: TaskRef) -> Self {
        Task { slot: Cell::new(Slot::Running(handle)), this }
    }

    /// Marks the task as a loop's own (see `spawn_on`): awaiting it while
    /// another host runs is an error. Which loop is asked of the running
    /// host ([`TaskHost::owns`](crate::TaskHost::owns)) rather than kept in
    /// the handle: spawn_join holds a million handles, and the word it cost
    /// made each 48 bytes instead of 40.
    pub(crate) fn mark_loop_owned(&self) {
        self.this.meta().mark_loop_owned();
    }

    /// Polls for completion without taking the outcome: `Ready` once the
    /// task is done (its outcome then waits in the handle for `await`,
    /// [`result`](Self::result) or [`exception`](Self::exception)). This is
    /// how `wait` watches tasks and leaves them to you, as asyncio's
    /// `wait` returns done tasks whose exceptions are still to retrieve.
    pub fn poll_done(&self, cx: &mut Context<'_>) -> Poll<()> {
        match self.poll_outcome(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(()),
            Poll::Ready(Some(out)) => {
                self.slot.set(Slot::Done(Box::new(out)));
                Poll::Ready(())
            }
        }
    }

    /// Polls the task for its outcome, taking it out: `Ready(None)` if the
    /// handle holds it already (`Slot::Done`, left in place) or gave it out.
    fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Option<RawOutput<T>>> {
        match self.slot.replace(Slot::Taken) {
            Slot::Running(mut handle) => match Pin::new(&mut handle).poll(cx) {
                Poll::Pending => {
                    self.slot.set(Slot::Running(handle));
                    Poll::Pending
                }
                Poll::Ready(Some(out)) => Poll::Ready(Some(out)),
                // The executor dropped the task without finishing it (it was
                // closed or dropped with the task still queued).
                Poll::Ready(None) => Poll::Ready(Some(Err(Box::new(CancelledError::default().into())))),
            },
            other => {
                self.slot.set(other);
                Poll::Ready(None)
            }
        }
    }

    /// The outcome, if the task is done, taken out of the task into the
    /// handle; `None` while it runs.
    fn with_outcome<R>(&self, f: impl FnOnce(Option<&RawOutput<T>>) -> R) -> R {
        if self.this.done() {
            let _ = self.poll_done(&mut Context::from_waker(Waker::noop()));
        }
        // Out of the cell while `f` looks (and back after, also if `f`
        // unwinds: a `T::clone` that panics leaves the outcome in place).
        struct PutBack<'a, T>(&'a Cell<Slot<T>>, Slot<T>);
        impl<T> Drop for PutBack<'_, T> {
            fn drop(&mut self) {
                self.0.set(std::mem::replace(&mut self.1, Slot::Taken));
            }
        }
        let held = PutBack(&self.slot, self.slot.replace(Slot::Taken));
        match &held.1 {
            Slot::Done(out) => f(Some(out)),
            _ => f(None),
        }
    }

    /// asyncio's `task.exception()`: `Ok(None)` if the task returned,
    /// `Ok(Some(e))` if it panicked (the panic's message and location; the
    /// panic itself stays in the task for `await`),
    /// [`FutureError::Cancelled`] if it was cancelled and
    /// [`FutureError::InvalidState`] while it runs. It counts as retrieving
    /// the exception: no "never retrieved" report follows.
    ///
    /// ```
    /// tulip::run(async {
    ///     let t = tulip::create_task(async { panic!("boom") });
    ///     assert!(t.exception().is_err()); // not done yet
    ///     tulip::sleep(std::time::Duration::ZERO).await;
    ///     assert!(t.exception().unwrap().unwrap().to_string().starts_with("boom"));
    /// });
    /// ```
    pub fn exception(&self) -> Result<Option<Exception>, FutureError> {
        self.with_outcome(|out| {
            let out = out.ok_or(InvalidStateError("the task is not done yet"))?;
            self.this.meta().mark_retrieved();
            match out {
                Ok(_) => Ok(None),
                Err(e) => match &**e {
                    TaskError::Cancelled(c) => Err(c.clone().into()),
                    TaskError::Panicked(p) => Ok(Some(p.to_exception())),
                },
            }
        })
    }

    /// asyncio's `task.add_done_callback(cb)`: `callback(&task)` runs once
    /// the task is done, through the loop's `call_soon` (scheduled at once
    /// if it is done already). It gets a [`TaskRef`] (the output belongs to
    /// the handle); it keeps running if the handle is dropped.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// tulip::run(async {
    ///     let seen = Rc::new(Cell::new(false));
    ///     let t = tulip::create_task(async { 1 });
    ///     let s = seen.clone();
    ///     t.add_done_callback(move |t| s.set(t.done()));
    ///     let unwanted = t.add_done_callback(|_| unreachable!("removed"));
    ///     assert_eq!(t.remove_done_callback(unwanted), 1);
    ///     assert_eq!(t.await.unwrap(), 1);
    ///     tulip::sleep(std::time::Duration::ZERO).await;
    ///     assert!(seen.get());
    /// });
    /// ```
    pub fn add_done_callback(&self, callback: impl FnOnce(&TaskRef) + 'static) -> TaskCallbackId {
        done_callbacks::add(&self.this, Box::new(callback))
    }

    /// Removes a callback that has not run yet; how many were removed (0 or
    /// 1), like asyncio.
    pub fn remove_done_callback(&self, id: TaskCallbackId) -> usize {
        done_callbacks::remove(self.this.id(), id)
    }

    /// Counts a panic this task ends with as retrieved: it will not be
    /// reported as "Task exception was never retrieved". asyncio's `gather`
    /// does this for its children once it has finished.
    pub fn set_exception_retrieved(&self) {
        self.this.meta().mark_retrieved();
    }

    /// asyncio's `task.cancelling()`: pending cancellation requests (see
    /// [`TaskMeta::cancelling`]).
    pub fn cancelling(&self) -> u32 {
        self.this.meta().cancelling()
    }

    /// asyncio's `task.uncancel()` (see [`TaskMeta::uncancel`]).
    pub fn uncancel(&self) -> u32 {
        self.this.meta().uncancel()
    }

    /// Awaits the task and re-raises its panic in the awaiting code, as
    /// `await task` raises the task's exception in Python: the output, or
    /// the [`CancelledError`] if the task was cancelled.
    ///
    /// ```
    /// tulip::run(async {
    ///     let t = tulip::create_task(async { 6 * 7 });
    ///     assert_eq!(t.propagate().await, Ok(42));
    ///     let boom = tulip::create_task(async { panic!("boom") });
    ///     let outer = tulip::create_task(async move { boom.propagate().await });
    ///     // The panic went on to the task that awaited it.
    ///     assert!(outer.await.unwrap_err().is_panic());
    /// });
    /// ```
    pub async fn propagate(self) -> Result<T, CancelledError> {
        match self.await {
            Ok(v) => Ok(v),
            Err(TaskError::Cancelled(c)) => Err(c),
            Err(TaskError::Panicked(p)) => p.resume(),
        }
    }

    /// Requests cancellation (asyncio's `task.cancel()`): returns false if
    /// the task is already done. The future is dropped the next time the task
    /// is scheduled (never polled at all if it had not started), and awaiting
    /// the task then gives `TaskError::Cancelled`.
    ///
    /// ```
    /// use tulip::{TaskError, TaskState};
    /// tulip::run(async {
    ///     let task = tulip::create_task(async { unreachable!("cancelled before it ran") });
    ///     assert_eq!(task.state(), TaskState::Pending);
    ///     assert!(task.cancel());
    ///     tulip::sleep(std::time::Duration::ZERO).await;
    ///     assert!(task.done() && task.cancelled());
    ///     assert!(!task.cancel()); // already finished
    ///     assert!(matches!(task.await, Err(TaskError::Cancelled(_))));
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        self.this.cancel(None)
    }

    /// Like [`cancel`](Self::cancel), with a message kept in the
    /// `CancelledError` (asyncio's `task.cancel(msg)`; the first message
    /// counts).
    ///
    /// ```
    /// tulip::run(async {
    ///     let task = tulip::create_task(std::future::pending::<()>());
    ///     task.cancel_with("shutting down");
    ///     match task.await {
    ///         Err(tulip::TaskError::Cancelled(e)) => assert_eq!(e.message.as_deref(), Some("shutting down")),
    ///         other => panic!("{other:?}"),
    ///     }
    /// });
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

    /// True if the task finished by panicking (asyncio: done, not
    /// cancelled, with an exception); reading this retrieves nothing.
    pub fn panicked(&self) -> bool {
        self.this.meta().panicked()
    }

    /// The task's state: pending (never run), running, done, cancelled.
    pub fn state(&self) -> TaskState {
        self.this.state()
    }

    /// The task's name (`Task-<id>` unless set).
    ///
    /// ```
    /// tulip::run(async {
    ///     let task = tulip::create_task(async {});
    ///     assert_eq!(task.name(), format!("Task-{}", task.id()));
    ///     task.set_name("worker");
    ///     assert_eq!(task.name(), "worker");
    ///     assert_eq!(task.task_ref().name(), "worker");
    /// });
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

    /// Lets the task run on without a handle (what dropping does too, but
    /// for the cancellation of an awaiting task: see [`Task`]).
    pub fn detach(self) {
        self.this.meta().clear_awaited();
    }
}

impl<T: Clone> Task<T> {
    /// asyncio's `task.result()`: a clone of the output if the task is done;
    /// else the panic (as an [`Exception`]: message and location), the
    /// cancellation, or [`FutureError::InvalidState`] while it runs. The
    /// task keeps its outcome: it can still be awaited.
    ///
    /// ```
    /// tulip::run(async {
    ///     let t = tulip::create_task(async { "done".to_string() });
    ///     assert!(matches!(t.result(), Err(tulip::FutureError::InvalidState(_))));
    ///     tulip::sleep(std::time::Duration::ZERO).await;
    ///     assert_eq!(t.result().unwrap(), "done");
    ///     assert_eq!(t.await.unwrap(), "done");
    /// });
    /// ```
    pub fn result(&self) -> Result<T, FutureError> {
        self.with_outcome(|out| {
            let out = out.ok_or(InvalidStateError("the task is not done yet"))?;
            self.this.meta().mark_retrieved();
            match out {
                Ok(v) => Ok(v.clone()),
                Err(e) => match &**e {
                    TaskError::Cancelled(c) => Err(c.clone().into()),
                    TaskError::Panicked(p) => Err(FutureError::Exception(p.to_exception())),
                },
            }
        })
    }

    /// A handle that several places can await, each getting a clone of the
    /// output (asyncio lets any number of coroutines await one task).
    ///
    /// ```
    /// tulip::run(async {
    ///     let shared = tulip::create_task(async { 7 }).shared();
    ///     let other = shared.clone();
    ///     let doubled = tulip::create_task(async move { other.await.unwrap() * 2 });
    ///     assert_eq!(shared.await.unwrap(), 7);
    ///     assert_eq!(doubled.await.unwrap(), 14);
    /// });
    /// ```
    pub fn shared(self) -> SharedTask<T> {
        SharedTask::new(self)
    }
}

impl<T> Task<T> {
    /// Hands out the outcome that `poll_done` took out of the task.
    pub(crate) fn take_outcome(&self) -> Result<T, TaskError> {
        let out = match self.slot.replace(Slot::Taken) {
            Slot::Done(out) => out.map_err(|e| *e),
            // Polled after it gave its outcome.
            Slot::Taken => Err(CancelledError::default().into()),
            // Only called once the outcome is out of the task: not reached,
            // but the handle stays as it was.
            Slot::Running(handle) => {
                self.slot.set(Slot::Running(handle));
                Err(CancelledError::default().into())
            }
        };
        self.this.meta().mark_retrieved();
        out
    }
}

impl<T> StdFuture for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.poll_outcome(cx) {
            Poll::Pending => {
                // Only an await that waits can hang: the check stays off
                // the path of a task that is already done.
                self.check_awaiter();
                self.this.meta().mark_awaited();
                Poll::Pending
            }
            // The common path: the outcome goes straight to the awaiter.
            Poll::Ready(Some(out)) => {
                self.this.meta().mark_retrieved();
                Poll::Ready(out.map_err(|e| *e))
            }
            Poll::Ready(None) => Poll::Ready(self.take_outcome()),
        }
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
        if self.this.meta().loop_owned() && current_host().is_some_and(|running| !running.owns(&self.this)) {
            panic!("{:?} is attached to a different event loop than the one running", self.this);
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        let meta = self.this.meta();
        let out = match std::mem::replace(self.slot.get_mut(), Slot::Taken) {
            Slot::Taken => return,
            Slot::Done(out) => *out,
            Slot::Running(mut handle) => {
                if !handle.is_finished() {
                    meta.mark_detached();
                    handle.detach();
                    // asyncio cancels what a cancelled task awaits: the
                    // awaiting task is being cancelled (its future is being
                    // dropped) while it waited on this handle.
                    if meta.awaited() && with_current_meta(|m| m.is_some_and(|m| m.cancel_pending())) {
                        self.this.cancel(None);
                    }
                    return;
                }
                match Pin::new(&mut handle).poll(&mut Context::from_waker(Waker::noop())) {
                    Poll::Ready(Some(out)) => out,
                    _ => return,
                }
            }
        };
        if meta.unretrieved_panic() {
            if let Err(e) = &out {
                if let TaskError::Panicked(p) = &**e {
                    hooks::report(ExceptionContext {
                        message: "Task exception was never retrieved".into(),
                        exception: Some(p.to_exception()),
                        task: Some(meta.info()),
                        source: Some(meta.created_at()),
                    });
                }
            }
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.this, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Task;

    /// spawn_join keeps a million handles: the outcome kept in the handle
    /// is boxed so that the handle does not grow with `T`.
    #[test]
    fn a_handle_is_four_words_whatever_the_output() {
        assert_eq!(std::mem::size_of::<Task<()>>(), 32);
        assert_eq!(std::mem::size_of::<Task<[u8; 256]>>(), 32);
    }

    /// The metadata lives in every task's allocation: at 24 bytes,
    /// async-task's header is 64 (at 32 it was 72).
    #[test]
    fn task_metadata_is_three_words() {
        assert_eq!(std::mem::size_of::<crate::TaskMeta>(), 24);
    }
}
