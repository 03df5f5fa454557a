//! Exceptions (errors stored in futures) and the context handed to a loop's
//! exception handler.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// An error stored in a [`Future`](crate::Future) by `set_exception`: asyncio
/// futures hold any exception, so this is a cheaply cloneable, type-erased
/// error. Convert any `std::error::Error` into it with `into()`.
///
/// ```
/// use tulip::Exception;
/// let e: Exception = std::io::Error::other("boom").into();
/// assert_eq!(e.to_string(), "boom");
/// assert!(e.downcast_ref::<std::io::Error>().is_some());
/// ```
#[derive(Clone)]
pub struct Exception(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Exception {
    /// Wraps an error.
    pub fn new<E: std::error::Error + Send + Sync + 'static>(e: E) -> Self {
        Exception(Arc::new(e))
    }

    /// An exception that is only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Exception(Arc::new(Message(message.into())))
    }

    /// The error, if it is of type `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }

    /// The wrapped error.
    pub fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Exception {
    fn from(e: E) -> Self {
        Exception::new(e)
    }
}

impl fmt::Debug for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// Who a report is about: a task's id, name and creation site.
#[derive(Debug, Clone)]
pub struct TaskInfo {
    /// The task's id (unique on its thread).
    pub id: u64,
    /// The task's name (`Task-<id>` unless set).
    pub name: String,
    /// Where `create_task` was called.
    pub created_at: &'static Location<'static>,
}

/// What a loop's exception handler receives: asyncio's context dict as a
/// struct. `message` is always set; the other fields when they apply.
#[derive(Debug, Clone, Default)]
pub struct ExceptionContext {
    /// What happened, e.g. "Task exception was never retrieved".
    pub message: String,
    /// The exception (or panic message) involved.
    pub exception: Option<Exception>,
    /// The task involved.
    pub task: Option<TaskInfo>,
    /// Where the future or callback involved was created or scheduled.
    pub source: Option<&'static Location<'static>>,
}

impl ExceptionContext {
    /// A context with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        ExceptionContext { message: message.into(), ..Default::default() }
    }
}

impl fmt::Display for ExceptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(t) = &self.task {
            write!(f, "\ntask: <Task name='{}' id={} created at {}>", t.name, t.id, t.created_at)?;
        }
        if let Some(src) = self.source {
            write!(f, "\nsource: {src}")?;
        }
        if let Some(e) = &self.exception {
            write!(f, "\nexception: {e}")?;
        }
        Ok(())
    }
}

/// The default exception handler: prints the context to stderr, like
/// asyncio's `default_exception_handler` logs it. It never panics: a report
/// that cannot be written (stderr closed) is dropped, since it runs where a
/// panic would unwind into the executor.
///
/// ```
/// use tulip_task::{default_exception_handler, ExceptionContext};
/// default_exception_handler(&ExceptionContext::new("something went wrong"));
/// ```
pub fn default_exception_handler(ctx: &ExceptionContext) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{ctx}");
}
