//! asyncio's `to_thread` / `run_in_executor(None, f)`: a blocking function
//! on the pool, its result handed back to the awaiting task by its waker
//! (from another thread, the waker queues the task on its loop's remote
//! queue and wakes the loop).

use crate::job_count::JobCount;
use crate::pool::{lock, pool};
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

struct Slot<T> {
    result: Option<thread::Result<T>>,
    waker: Option<Waker>,
}

/// The future of [`to_thread`].
#[must_use = "futures do nothing unless awaited (the function runs anyway)"]
pub struct ToThread<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// Runs the blocking function `f` on the blocking pool and waits for its
/// result without blocking the loop (asyncio's `to_thread`). A panic in `f`
/// is re-raised in the awaiting task. Dropping the future does not stop `f`
/// (a thread cannot be interrupted); its result is discarded.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let n = ev.run_until_complete(async {
///     tulip::to_thread(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)).await
/// });
/// assert!(n > 0);
/// ```
pub fn to_thread<T, F>(f: F) -> ToThread<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(Slot { result: None, waker: None }));
    let theirs = slot.clone();
    let counted = JobCount::start_job();
    pool().submit(Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f));
        let waker = {
            let mut s = lock(&theirs);
            s.result = Some(result);
            s.waker.take()
        };
        if let Some(count) = counted {
            count.finish_job();
        }
        if let Some(w) = waker {
            w.wake();
        }
    }));
    ToThread { slot }
}

/// asyncio's `loop.run_in_executor(None, f)`: the same as [`to_thread`].
///
/// ```
/// let ev = tulip::EventLoop::new();
/// assert_eq!(ev.run_until_complete(tulip::run_in_executor(|| 6 * 7)), 42);
/// ```
pub fn run_in_executor<T, F>(f: F) -> ToThread<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    to_thread(f)
}

impl<T> Future for ToThread<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = lock(&self.slot);
        match s.result.take() {
            Some(Ok(v)) => Poll::Ready(v),
            Some(Err(panic)) => {
                drop(s);
                resume_unwind(panic)
            }
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
