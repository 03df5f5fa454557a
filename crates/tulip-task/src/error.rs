//! Error types named after their asyncio counterparts.

use crate::exception::Exception;
use std::any::Any;
use std::fmt;

/// The operation is not allowed in the object's current state
/// (asyncio's `InvalidStateError`): reading the result of a pending future,
/// setting the result of a future that is already done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid state: {0}")]
pub struct InvalidStateError(pub &'static str);

/// The future or task was cancelled (asyncio's `CancelledError`), with the
/// optional message given to `cancel`.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct CancelledError {
    /// The message passed to `cancel(msg)`, if any.
    pub message: Option<String>,
}

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "cancelled: {m}"),
            None => f.write_str("cancelled"),
        }
    }
}

/// Why [`Future::result`](crate::Future::result) (or awaiting a future) gave
/// no value.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FutureError {
    /// The future is not done yet.
    #[error(transparent)]
    InvalidState(#[from] InvalidStateError),
    /// The future was cancelled.
    #[error(transparent)]
    Cancelled(#[from] CancelledError),
    /// The future was completed with `set_exception`.
    #[error("{0}")]
    Exception(Exception),
}

/// A panic caught inside a task: the analogue of an uncaught exception.
pub struct PanicError {
    message: String,
    /// In a mutex only so that the error is `Sync` (it goes into
    /// `Box<dyn Error + Send + Sync>` with `?`); never locked but to take it.
    payload: std::sync::Mutex<Box<dyn Any + Send + 'static>>,
    /// The panic hook printed it when it happened (false for a panic kept
    /// quiet by the loop until someone handles it).
    printed: bool,
    /// Where it happened (`file:line:col`), when the hook saw it.
    location: Option<String>,
}

/// The message of a caught panic: the `&str` or `String` that `panic!`
/// carries, or `"Box<dyn Any>"` for any other payload (as the standard
/// panic hook prints it). Use it on what `catch_unwind` returns.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("disk {} on fire", 2)).unwrap_err();
/// assert_eq!(tulip_task::panic_message(&*payload), "disk 2 on fire");
/// let payload = std::panic::catch_unwind(|| std::panic::panic_any(42)).unwrap_err();
/// assert_eq!(tulip_task::panic_message(&*payload), "Box<dyn Any>");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

impl PanicError {
    /// Wraps what `catch_unwind` caught.
    ///
    /// ```
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// assert_eq!(tulip::PanicError::new(payload).message(), "boom");
    /// ```
    pub fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        let message = panic_message(&*payload).to_owned();
        PanicError { message, payload: std::sync::Mutex::new(payload), printed: true, location: None }
    }

    /// A panic a task's poll caught, with what the panic hook saw of it.
    pub(crate) fn caught(payload: Box<dyn Any + Send + 'static>) -> Self {
        let seen = crate::panics::take_unwinding();
        PanicError { printed: seen.printed, location: seen.location, ..PanicError::new(payload) }
    }

    /// Takes `other`'s printed flag and location.
    pub(crate) fn copy_origin(&mut self, other: &PanicError) {
        self.printed = other.printed;
        self.location.clone_from(&other.location);
    }

    /// Where the panic happened (`file:line:col`), if known.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The panic as an [`Exception`]: its message and where it happened,
    /// what reports and [`Task::exception`](crate::Task::exception) carry.
    pub fn to_exception(&self) -> Exception {
        match &self.location {
            Some(at) => Exception::msg(format!("{} (panicked at {at})", self.message)),
            None => Exception::msg(self.message.clone()),
        }
    }

    /// The panic message (`"Box<dyn Any>"` if the payload was not a string).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The payload, to re-raise with [`std::panic::resume_unwind`].
    pub fn into_payload(self) -> Box<dyn Any + Send + 'static> {
        self.payload.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Re-raises the panic on the current thread (Python's bare `raise`).
    ///
    /// A panic the loop kept quiet is printed now if it leaves the tasks
    /// here (as Python prints an exception that propagates out of
    /// `asyncio.run`); re-raised inside a task it stays quiet and travels
    /// on to whoever handles that task.
    pub fn resume(self) -> ! {
        let mut printed = self.printed;
        if crate::panics::print_on_resume(printed) {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            let at = self.location.as_deref().unwrap_or("<unknown>");
            eprintln!("thread '{name}' panicked at {at}:\n{}", self.message);
            printed = true;
        }
        crate::panics::set_unwinding(crate::panics::Unwinding { printed, location: self.location.clone() });
        std::panic::resume_unwind(self.into_payload())
    }
}

impl fmt::Debug for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicError").field("message", &self.message).finish()
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task panicked: {}", self.message)
    }
}

impl std::error::Error for PanicError {}

/// Why awaiting a [`Task`](crate::Task) gave no value: it was cancelled, or
/// its future panicked.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The task was cancelled before it finished.
    #[error(transparent)]
    Cancelled(#[from] CancelledError),
    /// The task's future panicked; the panic is re-raised with
    /// [`PanicError::resume`] if you want asyncio's "the exception propagates".
    #[error(transparent)]
    Panicked(#[from] PanicError),
}

impl From<TaskError> for std::io::Error {
    /// A cancelled task is `Interrupted`, a panicked one `Other`: `?` on a
    /// task's outcome in a function returning `io::Result`.
    fn from(e: TaskError) -> Self {
        let kind = match e {
            TaskError::Cancelled(_) => std::io::ErrorKind::Interrupted,
            TaskError::Panicked(_) => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

impl From<CancelledError> for std::io::Error {
    fn from(e: CancelledError) -> Self {
        std::io::Error::new(std::io::ErrorKind::Interrupted, e)
    }
}

impl TaskError {
    /// True if the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled(_))
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }
}
