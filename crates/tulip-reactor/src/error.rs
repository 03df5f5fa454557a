//! The loop's own errors.

/// A loop used the wrong way (asyncio raises `RuntimeError` for these).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// `run_until_complete`/`run_forever` on a loop that is already running.
    #[error("this event loop is already running")]
    AlreadyRunning,
    /// Another loop is running on this thread (one loop per thread at a time).
    #[error("cannot run the event loop while another loop is running")]
    AnotherLoopRunning,
    /// The loop was closed.
    #[error("event loop is closed")]
    Closed,
    /// `stop()` was called before the future given to `run_until_complete` finished.
    #[error("event loop stopped before the future completed")]
    StoppedBeforeComplete,
    /// The future given to `run_until_complete` was cancelled.
    #[error("the future given to run_until_complete was cancelled")]
    Cancelled,
    /// No loop is running on this thread.
    #[error("no running event loop")]
    NoRunningLoop,
}
