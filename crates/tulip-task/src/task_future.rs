//! [`TaskFuture`]: what async-task polls for every task. It wraps the user's
//! future and makes it behave like an asyncio task: cancellation at the next
//! scheduling point, panics caught and stored (or reported), and the task
//! marked current on its thread while it runs.

use crate::current::CurrentGuard;
use crate::error::{CancelledError, PanicError, TaskError};
use crate::exception::{Exception, ExceptionContext};
use crate::hooks;
use crate::meta::TaskMeta;
use std::any::Any;
use std::future::Future as StdFuture;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

/// The error side of a task's stored output is boxed: every task allocation
/// reserves room for its output, and a bare `TaskError` would cost every
/// task 40 bytes for a case that is rare.
pub(crate) type RawOutput<T> = Result<T, Box<TaskError>>;

/// Drives the user's future inside the task allocation.
///
/// Never unwinds out of `poll`: a panic of the future while it is polled, or
/// of its destructor (which runs as soon as the future is finished or
/// cancelled), is the task's panic. A destructor is the future's `finally:`
/// block, so a panic there after the future returned a value is treated like
/// an exception raised in `finally:` in Python: it replaces the value (which
/// is dropped), and awaiting the task gives [`TaskError::Panicked`].
pub(crate) struct TaskFuture<F> {
    /// The task's metadata, in the header of the async-task allocation that
    /// also holds this future.
    ///
    /// Valid for as long as this `TaskFuture` exists: async-task passes the
    /// metadata's address to the closure that builds the future, and drops
    /// the future (in `run`, or when a runnable is dropped) strictly before
    /// it drops the header with the metadata (when the last reference goes).
    meta: NonNull<TaskMeta>,
    inner: Option<F>,
}

impl<F> TaskFuture<F> {
    /// Built by async-task with the metadata of the task that will own it.
    pub(crate) fn new(future: F, meta: &TaskMeta) -> Self {
        TaskFuture { meta: NonNull::from(meta), inner: Some(future) }
    }
}

impl<F: StdFuture> StdFuture for TaskFuture<F> {
    type Output = RawOutput<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is never moved out: it is polled through a pinned
        // reference and dropped in place (by assigning `None`).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see the `meta` field: valid while `self` is.
        let meta = unsafe { this.meta.as_ref() };
        let _current = CurrentGuard::enter(meta);
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(Err(Box::new(CancelledError::default().into())));
        };
        if meta.cancel_requested() {
            // Dropping the future is the cancellation: its destructors are
            // the `finally:` blocks.
            if let Err(payload) = drop_in_place(&mut this.inner) {
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
            Ok(Poll::Ready(value)) => match drop_in_place(&mut this.inner) {
                Ok(()) => {
                    meta.mark_done(false, false);
                    Poll::Ready(Ok(value))
                }
                Err(payload) => {
                    drop_quietly(value);
                    panicked(meta, payload)
                }
            },
            Err(payload) => {
                // The future may be in a broken state: drop it now; a second
                // panic from its destructor is dropped, the first one counts.
                if let Err(second) = drop_in_place(&mut this.inner) {
                    drop_quietly(second);
                }
                panicked(meta, payload)
            }
        }
    }
}

/// Drops the future (assigning `None` writes it even if the drop unwinds),
/// catching a panic of its destructor.
fn drop_in_place<F>(inner: &mut Option<F>) -> Result<(), Box<dyn Any + Send>> {
    catch_unwind(AssertUnwindSafe(|| *inner = None))
}

/// Drops `value`; a panic of its destructor is caught, and its payload is
/// leaked rather than dropped (dropping it could panic again).
fn drop_quietly<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        std::mem::forget(payload);
    }
}

/// The task's future panicked (in `poll` or in its destructor).
fn panicked<T>(meta: &TaskMeta, payload: Box<dyn Any + Send>) -> Poll<RawOutput<T>> {
    meta.mark_done(false, true);
    let err = PanicError::new(payload);
    if meta.detached() {
        report_panic(meta, err, "Task exception was never retrieved");
        return Poll::Ready(Err(Box::new(CancelledError::default().into())));
    }
    Poll::Ready(Err(Box::new(err.into())))
}

/// Reports a panic nobody will see otherwise. An exception handler that
/// panics in turn must not unwind into the executor: its panic is dropped.
fn report_panic(meta: &TaskMeta, err: PanicError, message: &str) {
    let ctx = ExceptionContext {
        message: message.into(),
        exception: Some(Exception::msg(err.message().to_owned())),
        task: Some(meta.info()),
        source: Some(meta.created_at()),
    };
    drop_quietly(err);
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hooks::report(ctx))) {
        drop_quietly(payload);
    }
}
