//! Running many things at once: asyncio's `gather`, `wait`, `as_completed`,
//! `wait_for`, `shield` and `TaskGroup`.
//!
//! They live in the reactor, not in `tulip-task`, because most of them wrap
//! futures into tasks (asyncio's `ensure_future`), which needs the running
//! loop's `create_task`. Timeouts come from `tulip-timer` (`timeout`,
//! `timeout_at`, `TimeoutError`).
//!
//! How failure is expressed for Rust futures: a child *fails* when it
//! panics (the analogue of an uncaught exception) or is cancelled, which
//! surfaces as a [`TaskError`]; children that return `Result<T, E>` also
//! fail with `Err(e)` where a combinator is about fallible work
//! ([`try_gather`], [`TaskGroup`]), giving [`ChildError<E>`].

mod as_completed;
mod completions;
mod gather;
mod shield;
mod task_group;
mod wait;
mod wait_for;

pub use as_completed::{as_completed, AsCompleted};
#[doc(hidden)]
pub use gather::support as gather_support;
pub use gather::{gather, gather_all, try_gather, Gather, GatherAll, TryGather};
pub use shield::{shield, Shield};
pub use task_group::TaskGroup;
pub use wait::{wait, Completed, ReturnWhen, Wait};
pub use wait_for::{wait_for, wait_for_task, WaitFor};

use std::fmt;
use tulip_task::{CancelledError, PanicError, TaskError};
use tulip_timer::TimeoutError;

/// How one child of [`try_gather`] or [`TaskGroup`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ChildError<E> {
    /// The child returned `Err(e)`.
    #[error("{0}")]
    Failed(E),
    /// The child panicked.
    #[error(transparent)]
    Panicked(PanicError),
    /// The child was cancelled (by someone other than the combinator).
    #[error(transparent)]
    Cancelled(CancelledError),
}

impl<E> From<TaskError> for ChildError<E> {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::Cancelled(c) => ChildError::Cancelled(c),
            TaskError::Panicked(p) => ChildError::Panicked(p),
        }
    }
}

/// Why an [`AsCompleted`] item has no output.
#[derive(Debug, thiserror::Error)]
pub enum AsCompletedError {
    /// The timeout expired before this child finished.
    #[error(transparent)]
    Timeout(#[from] TimeoutError),
    /// The child panicked or was cancelled.
    #[error(transparent)]
    Task(#[from] TaskError),
}

/// [`TaskGroup::create_task`] was refused (asyncio's `RuntimeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SpawnError {
    /// A child failed and the group is cancelling the others.
    #[error("TaskGroup is shutting down")]
    ShuttingDown,
    /// The group's `wait` has finished.
    #[error("TaskGroup is finished")]
    Finished,
}

/// Every failure of a [`TaskGroup`] (asyncio's `ExceptionGroup`), in the
/// order they happened.
pub struct TaskGroupError<E> {
    errors: Vec<ChildError<E>>,
}

impl<E> TaskGroupError<E> {
    pub(crate) fn new(errors: Vec<ChildError<E>>) -> Self {
        TaskGroupError { errors }
    }

    /// The failures, first one first.
    pub fn errors(&self) -> &[ChildError<E>] {
        &self.errors
    }

    /// The failures, by value.
    pub fn into_errors(self) -> Vec<ChildError<E>> {
        self.errors
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unhandled errors in a TaskGroup ({} sub-exception", self.errors.len())?;
        f.write_str(if self.errors.len() == 1 { ")" } else { "s)" })?;
        for e in &self.errors {
            write!(f, "; {e}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupError").field("errors", &self.errors).finish()
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskGroupError<E> {}
