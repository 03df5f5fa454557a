//! asyncio's `as_completed`: outputs in the order the children finish.

use super::completions::Completions;
use super::AsCompletedError;
use futures_lite::Stream;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tulip_timer::{Sleep, TimeoutError};

/// The stream returned by [`as_completed`].
#[must_use = "streams do nothing unless polled (the children run anyway)"]
pub struct AsCompleted<T> {
    children: Completions<T>,
    timeout: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
    expired: bool,
    /// After the timeout: how many `TimeoutError`s are still to be yielded.
    timeouts_left: usize,
}

// Never pin-projected: the outputs and task handles inside are only
// moved while not pinned by us, so the wrapper is `Unpin` whatever `T` is.
impl<T> Unpin for AsCompleted<T> {}

/// asyncio's `as_completed(aws, timeout=)`: runs every future as a task on
/// the running loop (at once) and yields their outputs **in the order they
/// finish** — `Ok(output)`, or [`AsCompletedError::Task`] for a child that
/// panicked or was cancelled. After the [`timeout`](AsCompleted::timeout)
/// (counted from the first poll), each remaining child yields
/// [`AsCompletedError::Timeout`] instead, and the stream ends after them.
///
/// Use it as a [`Stream`] or with the inherent [`next`](AsCompleted::next).
/// Dropping it (or the timeout expiring) leaves the children it has not
/// yielded running, detached, as asyncio does; a panic of one of them is
/// then reported as "Task exception was never retrieved".
///
/// # Panics
/// If no loop is running on this thread.
///
/// ```
/// use std::time::Duration;
/// use tulip::{as_completed, EventLoop};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// let order = ev.run_until_complete(async {
///     let mut it = as_completed([3u64, 1, 2].map(|s| async move {
///         tulip::sleep(Duration::from_secs(s)).await;
///         s
///     }));
///     let mut order = Vec::new();
///     while let Some(r) = it.next().await {
///         order.push(r.unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [1, 2, 3]);
/// ```
#[track_caller]
pub fn as_completed<I, F, T>(futs: I) -> AsCompleted<T>
where
    I: IntoIterator<Item = F>,
    F: StdFuture<Output = T> + 'static,
    T: 'static,
{
    let futs = futs.into_iter();
    let mut children = Completions::new(false);
    children.reserve(futs.size_hint().0);
    for f in futs {
        children.spawn(f);
    }
    AsCompleted { children, timeout: None, timer: None, expired: false, timeouts_left: 0 }
}

impl<T: 'static> AsCompleted<T> {
    /// Gives up waiting `d` after the first poll: every child not yielded by
    /// then yields [`AsCompletedError::Timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use tulip::{as_completed, AsCompletedError, EventLoop};
    /// let ev = EventLoop::builder().virtual_clock().build().unwrap();
    /// ev.run_until_complete(async {
    ///     let mut it = as_completed([1u64, 5].map(|s| tulip::sleep(Duration::from_secs(s))))
    ///         .timeout(Duration::from_secs(2));
    ///     assert!(it.next().await.unwrap().is_ok());
    ///     assert!(matches!(it.next().await, Some(Err(AsCompletedError::Timeout(_)))));
    ///     assert!(it.next().await.is_none());
    /// });
    /// ```
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// How many children have not been yielded yet.
    pub fn remaining(&self) -> usize {
        if self.expired {
            self.timeouts_left
        } else {
            self.children.remaining()
        }
    }

    /// The next output to finish, or `None` when every child was yielded.
    pub async fn next(&mut self) -> Option<Result<T, AsCompletedError>> {
        futures_lite::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, AsCompletedError>>> {
        if self.expired {
            return Poll::Ready(self.take_timed_out());
        }
        match self.children.poll_next(cx) {
            Poll::Ready(Some((_, out))) => return Poll::Ready(Some(out.map_err(AsCompletedError::Task))),
            Poll::Ready(None) => {
                self.timer = None;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        let Some(d) = self.timeout else { return Poll::Pending };
        let timer = self.timer.get_or_insert_with(|| Box::pin(tulip_timer::sleep(d)));
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.expired = true;
        self.timeouts_left = self.children.remaining();
        self.timer = None;
        self.children.forget_parent();
        Poll::Ready(self.take_timed_out())
    }

    /// After the timeout, one `TimeoutError` per child not yielded.
    fn take_timed_out(&mut self) -> Option<Result<T, AsCompletedError>> {
        if self.timeouts_left == 0 {
            return None;
        }
        self.timeouts_left -= 1;
        Some(Err(AsCompletedError::Timeout(TimeoutError)))
    }
}

impl<T: 'static> Stream for AsCompleted<T> {
    type Item = Result<T, AsCompletedError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_item(cx)
    }
}
