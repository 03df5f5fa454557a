//! asyncio's ways of running many things at once, for the tulip event
//! loop: `gather` (and `gather!` for mixed types), `wait`, `as_completed`,
//! `wait_for`, `shield` and `TaskGroup` (asyncio keeps them in `tasks.py`
//! and `taskgroups.py`).
//!
//! The crate knows only `tulip-task` and `tulip-timer`: children become
//! tasks through [`tulip_task::create_task`], which asks the loop running on
//! this thread (any loop that installs tulip-task's hooks), and timeouts
//! are tulip-timer's. Used alone, next to `tulip-reactor`:
//!
//! ```
//! use std::time::Duration;
//! let ev = tulip::EventLoop::new();
//! let sums = ev.run_until_complete(async {
//!     tulip_combinators::gather((1..=3).map(|n| async move {
//!         tulip::sleep(Duration::from_millis(n)).await;
//!         n * 10
//!     }))
//!     .await
//! });
//! assert_eq!(sums.unwrap(), [10, 20, 30]);
//! ```
//!
//! How failure is expressed for Rust futures: a child *fails* when it
//! panics (the analogue of an uncaught exception) or is cancelled, which
//! surfaces as a [`TaskError`]; children that return `Result<T, E>` also
//! fail with `Err(e)` where a combinator is about fallible work
//! ([`try_gather`], [`TaskGroup`]), giving [`ChildError<E>`].

mod as_completed;
mod cleanup;
mod completions;
mod gather;
mod join;
mod shield;
mod taskgroups;
mod wait;
mod wait_for;

pub use as_completed::{as_completed, AsCompleted};
pub use cleanup::{async_with, on_cancel};
/// Streams (`async for`): futures-lite's, as tulip's own streams implement them.
pub use futures_lite::stream::{self, Stream, StreamExt};
#[doc(hidden)]
pub use gather::support as __gather_support;
pub use gather::{gather, gather_all, gather_tasks, try_gather, Gather, GatherAll, GatherTasks, TryGather};
#[doc(hidden)]
pub use join::support as __join_support;
pub use join::{gather_local, GatherLocal};
pub use shield::{shield, Shield};
pub use taskgroups::TaskGroup;
pub use wait::{wait, ReturnWhen, Wait};
pub use wait_for::{wait_for, wait_for_task, WaitFor, WaitForError};

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
