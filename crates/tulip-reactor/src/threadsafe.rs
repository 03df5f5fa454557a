//! asyncio's `run_coroutine_threadsafe`: submit a future to a loop from any
//! thread and get back something a plain thread can block on or cancel, or
//! a task of another loop can await (asyncio's `wrap_future`).

use crate::remote::RemoteHandle;
use crate::running::create_task;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};
use tulip_task::{CancelledError, PanicError, TaskError};

struct State<T> {
    result: Option<Result<T, TaskError>>,
    cancel: bool,
    /// The loop-side task waiting for `cancel`.
    waker: Option<Waker>,
    /// Whoever awaits the handle (a task of another loop, say).
    awaiter: Option<Waker>,
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
        let awaiter = st.awaiter.take();
        drop(st);
        self.done.notify_all();
        if let Some(w) = awaiter {
            w.wake();
        }
    }
}

/// The handle [`run_coroutine_threadsafe`] returns (asyncio's
/// `concurrent.futures.Future`): `Send + Sync`. A plain thread blocks on
/// it ([`result`](Self::result)); a task, on this loop or another, awaits
/// it (asyncio's `wrap_future`), which yields the same
/// `Result<T, TaskError>`:
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// let t = std::thread::spawn(move || {
///     let worker = tulip::EventLoop::new();
///     tx.send(worker.remote()).unwrap();
///     worker.run_forever();
/// });
/// let remote = rx.recv().unwrap();
/// // On this thread's loop, await work done on the other loop.
/// let n = tulip::run({
///     let remote = remote.clone();
///     async move { tulip::run_coroutine_threadsafe(|| async { 6 * 7 }, &remote).await }
/// });
/// assert_eq!(n.unwrap(), 42);
/// remote.stop().unwrap();
/// t.join().unwrap();
/// ```
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
///     remote.stop().unwrap();
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
        state: Mutex::new(State { result: None, cancel: false, waker: None, awaiter: None }),
        done: Condvar::new(),
    });
    let ours = shared.clone();
    // Whatever happens from here on, the waiter gets an answer: the guard
    // answers "cancelled" if the work is dropped unfinished (the call is
    // refused or dropped by a closing loop, or the loop closing cancels the
    // task), a panic of `make` is answered at once, and a panic of the
    // future by the reporter task below.
    let answer = Answer(Some(shared.clone()));
    let queued = remote.call_soon_threadsafe(move || {
        let future = match catch_unwind(AssertUnwindSafe(make)) {
            Ok(f) => f,
            Err(payload) => return answer.give(Err(TaskError::Panicked(PanicError::new(payload)))),
        };
        let task = create_task(async move {
            let mut future = pin!(future);
            let outcome = poll_fn(|cx| {
                let mut st = lock(&answer.shared().state);
                if st.cancel {
                    return Poll::Ready(None);
                }
                st.waker = Some(cx.waker().clone());
                drop(st);
                future.as_mut().poll(cx).map(Some)
            })
            .await;
            match outcome {
                Some(v) => answer.give(Ok(v)),
                None => answer.give(Err(CancelledError::default().into())),
            }
        });
        create_task(async move {
            if let Err(e) = task.await {
                ours.finish(Err(e));
            }
        })
        .detach();
    });
    if queued.is_err() {
        shared.finish(Err(CancelledError { message: Some("the event loop is closed".into()) }.into()));
    }
    ConcurrentFuture { shared }
}

/// The loop side's promise to answer a [`ConcurrentFuture`]: given once, or
/// "cancelled" when dropped unanswered (not while unwinding: a panic is
/// answered by the task's own outcome).
struct Answer<T>(Option<Arc<Shared<T>>>);

impl<T> Answer<T> {
    fn shared(&self) -> &Shared<T> {
        match &self.0 {
            Some(s) => s,
            None => unreachable!("only `give` takes it, consuming the answer"),
        }
    }

    fn give(mut self, r: Result<T, TaskError>) {
        if let Some(shared) = self.0.take() {
            shared.finish(r);
        }
    }
}

impl<T> Drop for Answer<T> {
    fn drop(&mut self) {
        if let (Some(shared), false) = (self.0.take(), std::thread::panicking()) {
            let message = "the event loop dropped the coroutine before it finished".to_string();
            shared.finish(Err(CancelledError { message: Some(message) }.into()));
        }
    }
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

impl<T> Future for ConcurrentFuture<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let mut st = lock(&self.shared.state);
        if let Some(r) = st.result.take() {
            return Poll::Ready(r);
        }
        if !st.awaiter.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            st.awaiter = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for ConcurrentFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrentFuture").field("done", &self.done()).finish()
    }
}
