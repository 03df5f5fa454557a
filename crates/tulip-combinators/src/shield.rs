//! asyncio's `shield`: await a task without passing on cancellation.

use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use tulip_task::{Task, TaskError, TaskRef};

/// The future returned by [`shield`].
#[must_use = "futures do nothing unless awaited (the task runs anyway)"]
pub struct Shield<T> {
    task: Option<Task<T>>,
    this: TaskRef,
}

/// asyncio's `shield(task)`: awaits `task`, but if the awaiting side is
/// cancelled (its future dropped) — or the `Shield` itself is dropped — the
/// task is **not** cancelled: it runs on to completion, detached. Only an
/// explicit `cancel` on the task itself stops it.
///
/// A plain future is shielded by making it a task first:
/// `shield(create_task(fut))` (asyncio's `shield(coro)` does that too).
/// Without `shield`, a task awaiting a bare [`Task`] that is cancelled
/// cancels the awaited task too, as in asyncio.
///
/// ```
/// use std::time::Duration;
/// use tulip::{create_task, shield, wait_for, EventLoop};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let work = create_task(async {
///         tulip::sleep(Duration::from_secs(5)).await;
///         "saved"
///     });
///     let probe = work.task_ref();
///     // The outer wait gives up after 1 s; the shielded work carries on.
///     assert!(wait_for(shield(work), Some(Duration::from_secs(1))).await.is_err());
///     tulip::sleep(Duration::from_secs(10)).await;
///     assert!(probe.done() && !probe.cancelled());
/// });
/// ```
pub fn shield<T>(task: Task<T>) -> Shield<T> {
    Shield { this: task.task_ref(), task: Some(task) }
}

impl<T> Shield<T> {
    /// The shielded task.
    pub fn task_ref(&self) -> TaskRef {
        self.this.clone()
    }
}

impl<T> StdFuture for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(task) = self.task.as_mut() else {
            panic!("shield polled after completion");
        };
        let out = std::task::ready!(Pin::new(task).poll(cx));
        self.task = None;
        Poll::Ready(out)
    }
}

impl<T> Drop for Shield<T> {
    /// Detaches the task: unlike dropping an awaited handle while the
    /// awaiting task is cancelled, this never cancels it.
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }
}
