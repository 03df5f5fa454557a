//! [`TaskFuture`]: what async-task polls for every task. It wraps the user's
//! future and makes it behave like an asyncio task: cancellation at the next
//! scheduling point, panics caught and stored (or reported), and the task
//! marked current on its thread while it runs.

use crate::current::{mark_finished, running_meta, CurrentGuard};
use crate::done_callbacks;
use crate::error::{CancelledError, PanicError, TaskError};
use crate::exception::ExceptionContext;
use crate::hooks;
use crate::meta::TaskMeta;
use crate::task_ref::TaskRef;
use std::any::Any;
use std::future::Future as StdFuture;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The error side of a task's stored output is boxed: every task allocation
/// reserves room for its output, and a bare `TaskError` would cost every
/// task 40 bytes for a case that is rare.
pub(crate) type RawOutput<T> = Result<T, Box<TaskError>>;

pin_project_lite::pin_project! {
    /// Drives the user's future inside the task allocation.
    ///
    /// Never unwinds out of `poll`: a panic of the future while it is polled, or
    /// of its destructor (which runs as soon as the future is finished or
    /// cancelled), is the task's panic. A destructor is the future's `finally:`
    /// block, so a panic there after the future returned a value is treated like
    /// an exception raised in `finally:` in Python: it replaces the value (which
    /// is dropped), and awaiting the task gives [`TaskError::Panicked`].
    ///
    /// It keeps no pointer to its task's metadata (8 bytes in every task):
    /// async-task polls and drops it only from inside `TaskRunnable::run` and
    /// `TaskRunnable`'s drop, which mark their task as the thread's running one
    /// (`current.rs`), and that is where it finds the metadata.
    pub(crate) struct TaskFuture<F> {
        #[pin]
        inner: Option<F>,
    }

    impl<F> PinnedDrop for TaskFuture<F> {
        fn drop(_this: Pin<&mut Self>) {
            // SAFETY: called by `drop`, used only within it.
            let meta = unsafe { own_meta() };
            if !meta.done() {
                // Torn down unfinished (its executor went away): the callbacks
                // will never run.
                drop_quietly(done_callbacks::take(meta));
            }
        }
    }
}

impl<F> TaskFuture<F> {
    pub(crate) fn new(future: F) -> Self {
        TaskFuture { inner: Some(future) }
    }
}

/// The metadata of the task that owns the `TaskFuture` being polled or
/// dropped.
///
/// # Safety
/// Only called by `TaskFuture::poll` and `TaskFuture::drop`, for the
/// duration of the call (`'a`).
#[inline]
unsafe fn own_meta<'a>() -> &'a TaskMeta {
    // SAFETY: async-task polls or drops a task's future only inside its
    // runnable's run or drop, and every runnable of a `TaskFuture` task is
    // a `TaskRunnable` (the builder wraps each one the moment async-task
    // hands it out), whose run and drop set the running task: the contract
    // of `running_meta`.
    match unsafe { running_meta() } {
        Some(meta) => meta,
        // Not reachable (see above); were it reached, a panic (an abort if
        // already unwinding), never undefined behaviour.
        None => panic!("tulip: a task's future was polled or dropped outside its runnable"),
    }
}

impl<F: StdFuture> StdFuture for TaskFuture<F> {
    type Output = RawOutput<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.project().inner;
        // SAFETY: called by `poll`, used only within it.
        let meta = unsafe { own_meta() };
        let _current = CurrentGuard::enter(meta);
        let Some(fut) = inner.as_mut().as_pin_mut() else {
            return Poll::Ready(Err(Box::new(CancelledError::default().into())));
        };
        if meta.cancel_requested() {
            // Dropping the future is the cancellation: its destructors are
            // the `finally:` blocks.
            if let Err(payload) = drop_in_place(inner) {
                report_panic(meta, PanicError::caught(payload), "Exception while cancelling a task");
            }
            meta.mark_done(true, false);
            finished(meta, cx);
            return Poll::Ready(Err(Box::new(CancelledError { message: meta.cancel_message() }.into())));
        }
        meta.mark_started();
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => match drop_in_place(inner) {
                Ok(()) => {
                    meta.mark_done(false, false);
                    finished(meta, cx);
                    Poll::Ready(Ok(value))
                }
                Err(payload) => {
                    drop_quietly(value);
                    let out = panicked(meta, payload);
                    finished(meta, cx);
                    out
                }
            },
            Err(payload) => {
                // What the hook saw of this panic, before a second one (from
                // the destructor) overwrites it.
                let first = PanicError::caught(payload);
                // The future may be in a broken state: drop it now; a second
                // panic from its destructor is dropped, the first one counts.
                if let Err(second) = drop_in_place(inner) {
                    let _ = crate::panics::take_unwinding();
                    drop_quietly(second);
                }
                let out = panicked_with(meta, first);
                finished(meta, cx);
                out
            }
        }
    }
}

/// The task just finished: its done callbacks are scheduled. The waker in
/// `cx` is the task's own (async-task polls a task with its waker).
fn finished(meta: &TaskMeta, cx: &Context<'_>) {
    mark_finished();
    if meta.has_callbacks() {
        done_callbacks::fire(&TaskRef::new(cx.waker().clone(), meta));
    }
}

/// Drops the future (assigning `None` writes it even if the drop unwinds),
/// catching a panic of its destructor.
fn drop_in_place<F>(mut inner: Pin<&mut Option<F>>) -> Result<(), Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(|| inner.set(None)))
}

/// Drops `value`; a panic of its destructor is caught, and its payload is
/// leaked rather than dropped (dropping it could panic again).
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        std::mem::forget(payload);
    }
}

/// The task's future panicked (in its destructor).
fn panicked<T>(meta: &TaskMeta, payload: Box<dyn Any + Send>) -> Poll<RawOutput<T>> {
    panicked_with(meta, PanicError::caught(payload))
}

/// The task's future panicked with `err`. With no handle left to hand it to,
/// it is reported now, unless its owner said it is taken care of.
fn panicked_with<T>(meta: &TaskMeta, err: PanicError) -> Poll<RawOutput<T>> {
    meta.mark_done(false, true);
    if meta.detached() {
        if meta.retrieved() {
            drop_quietly(err);
        } else {
            report_panic(meta, err, "Task exception was never retrieved");
        }
        return Poll::Ready(Err(Box::new(CancelledError::default().into())));
    }
    Poll::Ready(Err(Box::new(err.into())))
}

/// Reports a panic nobody will see otherwise. An exception handler that
/// panics in turn must not unwind into the executor: its panic is dropped.
fn report_panic(meta: &TaskMeta, err: PanicError, message: &str) {
    let ctx = ExceptionContext {
        message: message.into(),
        exception: Some(err.to_exception()),
        task: Some(meta.info()),
        source: Some(meta.created_at()),
    };
    drop_quietly(err);
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hooks::report(ctx))) {
        drop_quietly(payload);
    }
}
