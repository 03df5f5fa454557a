//! The errors, named like asyncio's exceptions.

use thiserror::Error;

/// asyncio's `ValueError`: releasing a [`BoundedSemaphore`](crate::BoundedSemaphore)
/// above its initial value, or calling [`task_done`](crate::BaseQueue::task_done)
/// more times than items were put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("ValueError: {0}")]
pub struct ValueError(pub &'static str);

/// asyncio's `RuntimeError: cannot notify on un-acquired lock`:
/// [`Condition::notify`](crate::Condition::notify) without the lock held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("RuntimeError: cannot notify on un-acquired lock")]
pub struct NotifyError;

/// asyncio's `BrokenBarrierError`: the [`Barrier`](crate::Barrier) was aborted
/// or reset while (or before) waiting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("BrokenBarrierError: the barrier is broken")]
pub struct BrokenBarrierError;

/// asyncio's `QueueEmpty`: [`get_nowait`](crate::BaseQueue::get_nowait) on an empty queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("QueueEmpty")]
pub struct QueueEmpty;

/// asyncio's `QueueFull`: [`put_nowait`](crate::BaseQueue::put_nowait) on a full
/// queue. Carries the item back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("QueueFull")]
pub struct QueueFull<T>(pub T);

/// asyncio's `QueueShutDown` (3.13): the queue was [shut down](crate::BaseQueue::shutdown).
/// A failed put carries its item back (`QueueShutDown<T>`); a failed get carries `()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("QueueShutDown")]
pub struct QueueShutDown<T = ()>(pub T);

/// Why [`put_nowait`](crate::BaseQueue::put_nowait) failed; both carry the item back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PutNowaitError<T> {
    /// The queue is full.
    #[error(transparent)]
    Full(#[from] QueueFull<T>),
    /// The queue was shut down.
    #[error(transparent)]
    ShutDown(#[from] QueueShutDown<T>),
}

impl<T> PutNowaitError<T> {
    /// The item that could not be put.
    ///
    /// ```
    /// let q = tulip::sync::Queue::new(1);
    /// q.put_nowait(1).unwrap();
    /// assert_eq!(q.put_nowait(2).unwrap_err().into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(QueueFull(v)) | Self::ShutDown(QueueShutDown(v)) => v,
        }
    }
}

/// Why [`get_nowait`](crate::BaseQueue::get_nowait) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum GetNowaitError {
    /// The queue is empty.
    #[error(transparent)]
    Empty(#[from] QueueEmpty),
    /// The queue was shut down and is empty.
    #[error(transparent)]
    ShutDown(#[from] QueueShutDown),
}
