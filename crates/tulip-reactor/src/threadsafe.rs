//! asyncio's `run_coroutine_threadsafe`: submit a future to a loop from any
//! thread and get back something a plain thread can block on or cancel.

use crate::remote::RemoteHandle;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};
use tulip_task::{CancelledError, TaskError};

struct State<T> {
    result: Option<Result<T, TaskError>>,
    cancel: bool,
    /// The loop-side task waiting for `cancel`.
    waker: Option<Waker>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    done: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Shared<T> {
    fn finish(&self, r: Result<T, TaskError>) {
        let mut st = lock(&self.state);
        if st.result.is_none() {
            st.result = Some(r);
        }
        self.done.notify_all();
    }
}

/// The handle [`run_coroutine_threadsafe`] returns (asyncio's
/// `concurrent.futures.Future`): `Send + Sync`, for plain threads.
pub struct ConcurrentFuture<T> {
    shared: Arc<Shared<T>>,
}

/// Schedules the future that `make` returns as a task on the loop behind
/// `remote` (from any thread) and returns a handle to wait for its result
/// or cancel it (asyncio's `run_coroutine_threadsafe`).
///
/// `make` runs on the loop's thread, so the future itself need not be
/// `Send` (it may sleep, use `Rc`, ...): only `make` and the output cross
/// threads — the Rust shape of passing a coroutine object that has not
/// started yet.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let remote = ev.remote();
/// let worker = std::thread::spawn(move || {
///     let fut = tulip::run_coroutine_threadsafe(|| async { 6 * 7 }, &remote);
///     let answer = fut.result().unwrap();
///     remote.stop();
///     answer
/// });
/// ev.run_forever();
/// assert_eq!(worker.join().unwrap(), 42);
/// ```
pub fn run_coroutine_threadsafe<M, F>(make: M, remote: &RemoteHandle) -> ConcurrentFuture<F::Output>
where
    M: FnOnce() -> F + Send + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    let shared = Arc::new(Shared {
        state: Mutex::new(State { result: None, cancel: false, waker: None }),
        done: Condvar::new(),
    });
    let ours = shared.clone();
    let queued = remote.call_soon_threadsafe(move || {
        let task_shared = ours.clone();
        let future = make();
        let task = crate::running::create_task(async move {
            let mut future = pin!(future);
            let cancelled = poll_fn(|cx| {
                let mut st = lock(&task_shared.state);
                if st.cancel {
                    return Poll::Ready(None);
                }
                st.waker = Some(cx.waker().clone());
                drop(st);
                future.as_mut().poll(cx).map(Some)
            })
            .await;
            match cancelled {
                Some(v) => task_shared.finish(Ok(v)),
                None => task_shared.finish(Err(CancelledError::default().into())),
            }
        });
        // Report a panic (or a cancellation by the loop) to the waiter.
        crate::running::create_task(async move {
            if let Err(e) = task.await {
                ours.finish(Err(e));
            }
        })
        .detach();
    });
    if !queued {
        shared.finish(Err(CancelledError { message: Some("the event loop is gone".into()) }.into()));
    }
    ConcurrentFuture { shared }
}

impl<T> ConcurrentFuture<T> {
    /// Blocks the calling thread until the result is there. Never call it
    /// on the loop's own thread: the loop could not run to produce it.
    pub fn result(self) -> Result<T, TaskError> {
        let mut st = lock(&self.shared.state);
        loop {
            if let Some(r) = st.result.take() {
                return r;
            }
            st = self.shared.done.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Like [`result`](Self::result), giving the handle back if `timeout`
    /// passes first.
    pub fn result_timeout(self, timeout: Duration) -> Result<Result<T, TaskError>, Self> {
        let deadline = tulip_timer::saturating_add(Instant::now(), timeout);
        {
            let mut st = lock(&self.shared.state);
            loop {
                if let Some(r) = st.result.take() {
                    return Ok(r);
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                st = self.shared.done.wait_timeout(st, left).unwrap_or_else(PoisonError::into_inner).0;
            }
        }
        Err(self)
    }

    /// True once the result is there.
    pub fn done(&self) -> bool {
        lock(&self.shared.state).result.is_some()
    }

    /// Asks the loop to cancel the task; its future is dropped on the loop,
    /// and [`result`](Self::result) gives `TaskError::Cancelled`. False if
    /// it had already finished.
    pub fn cancel(&self) -> bool {
        let mut st = lock(&self.shared.state);
        if st.result.is_some() {
            return false;
        }
        st.cancel = true;
        if let Some(w) = st.waker.take() {
            w.wake();
        }
        true
    }
}

impl<T> fmt::Debug for ConcurrentFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentFuture").field("done", &self.done()).finish()
    }
}
