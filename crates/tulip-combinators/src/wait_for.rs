//! asyncio's `wait_for`: a timeout that cancels the work it gives up on.

use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tulip_task::{CancelledError, PanicError, Task, TaskError};
use tulip_timer::{Timeout, TimeoutError};

pin_project_lite::pin_project! {
    /// The future returned by [`wait_for`]: tulip-timer's [`Timeout`], whose
    /// timer is only created once the future has to wait.
    #[must_use = "futures do nothing unless awaited"]
    pub struct WaitFor<F> {
        // `None` for a zero timeout: asyncio 3.11 cancels the work before it
        // starts, so the future is never polled.
        #[pin]
        inner: Option<Timeout<F>>,
    }
}

/// asyncio's `wait_for(aw, timeout)`: `fut`'s output, or
/// `Err(TimeoutError)` if it takes longer than `timeout` (`None` waits
/// forever). On timeout the inner future is cancelled — dropped, so its
/// destructors (its `finally:` blocks) have run before `wait_for` returns.
/// With a zero timeout the future is never polled at all, as asyncio 3.11
/// cancels the coroutine before it starts.
///
/// The future is polled in place, not spawned (no task is created, so this
/// is as cheap as a timer). To time out a [`Task`] — which dropping would
/// only detach — use [`wait_for_task`], which cancels it and waits for the
/// cancellation to finish, as asyncio does.
///
/// ```
/// use std::time::Duration;
/// use tulip::{wait_for, EventLoop};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let slow = tulip::sleep(Duration::from_secs(3600));
///     assert!(wait_for(slow, Some(Duration::from_secs(1))).await.is_err());
///     assert_eq!(wait_for(async { 7 }, None).await.unwrap(), 7);
/// });
/// ```
pub fn wait_for<F: StdFuture>(fut: F, timeout: Option<Duration>) -> WaitFor<F> {
    let inner = match timeout {
        // asyncio 3.11: `wait_for(coro, 0)` cancels the coroutine before it
        // starts (the future is dropped unpolled: its body never runs).
        Some(d) if d.is_zero() => None,
        Some(d) => Some(tulip_timer::timeout(d, fut)),
        None => Some(tulip_timer::timeout_at(None, fut)),
    };
    WaitFor { inner }
}

impl<F: StdFuture> StdFuture for WaitFor<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Once ready, the `Timeout` has dropped the future itself; the rest
        // goes with the `WaitFor` (dropping it here costs an out-of-line
        // drop per call, measured by wait_for_1m).
        match self.project().inner.as_pin_mut() {
            Some(inner) => inner.poll(cx),
            None => Poll::Ready(Err(TimeoutError)),
        }
    }
}

/// [`wait_for`] for a [`Task`]: on timeout the task is cancelled and
/// awaited until it has finished cancelling (its destructors ran), then
/// `Err(TimeoutError)` is returned — unless the task finished anyway in the
/// meantime, in which case its outcome is returned (asyncio 3.11 does the
/// same). `None` waits forever. Dropping the returned future cancels the
/// task (asyncio: cancelling `wait_for` cancels what it waits for).
///
/// One level of `Result`, as asyncio has one raise: the output, or a
/// [`WaitForError`] — the timeout, or the task's own panic or cancellation.
///
/// ```
/// use std::time::Duration;
/// use tulip::{create_task, wait_for_task, EventLoop};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let task = create_task(tulip::sleep(Duration::from_secs(3600)));
///     let probe = task.task_ref();
///     let err = wait_for_task(task, Some(Duration::from_secs(1))).await.unwrap_err();
///     assert!(matches!(err, tulip::WaitForError::Timeout(_)));
///     assert!(probe.cancelled());
///     assert_eq!(wait_for_task(create_task(async { 5 }), None).await.unwrap(), 5);
/// });
/// ```
pub async fn wait_for_task<T>(task: Task<T>, timeout: Option<Duration>) -> Result<T, WaitForError> {
    // asyncio: if the wait itself is cancelled (here: dropped), the task is
    // cancelled too. Cancelling a finished task does nothing.
    let mut guard = CancelOnDrop(task);
    let Some(d) = timeout else { return Ok((&mut guard.0).await?) };
    match tulip_timer::timeout(d, &mut guard.0).await {
        Ok(out) => Ok(out?),
        Err(timed_out) => {
            guard.0.cancel();
            match (&mut guard.0).await {
                Err(TaskError::Cancelled(_)) => Err(timed_out.into()),
                other => Ok(other?),
            }
        }
    }
}

/// Why [`wait_for_task`] gave no output: asyncio's `TimeoutError`, or the
/// exception the task raised (its panic) or its `CancelledError`.
#[derive(Debug, thiserror::Error)]
pub enum WaitForError {
    /// The timeout expired (the task was cancelled).
    #[error(transparent)]
    Timeout(#[from] TimeoutError),
    /// The task was cancelled by someone else.
    #[error(transparent)]
    Cancelled(CancelledError),
    /// The task panicked.
    #[error(transparent)]
    Panicked(PanicError),
}

impl From<TaskError> for WaitForError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::Cancelled(c) => WaitForError::Cancelled(c),
            TaskError::Panicked(p) => WaitForError::Panicked(p),
        }
    }
}

impl From<WaitForError> for std::io::Error {
    /// `TimedOut`, `Interrupted` (cancelled) or `Other` (panicked).
    fn from(e: WaitForError) -> Self {
        let kind = match e {
            WaitForError::Timeout(_) => std::io::ErrorKind::TimedOut,
            WaitForError::Cancelled(_) => std::io::ErrorKind::Interrupted,
            WaitForError::Panicked(_) => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

struct CancelOnDrop<T>(Task<T>);

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        self.0.cancel();
    }
}
