//! The blocking pool: asyncio's `to_thread` / `run_in_executor(None, f)`.
//!
//! A process-wide pool of threads that grows on demand up to a bound and
//! shrinks when threads sit idle. A finished job's result goes back to the
//! awaiting task through its waker, which (from another thread) queues the
//! task on its loop's remote queue and wakes the loop's poller.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// asyncio's default: `min(32, cpus + 4)` threads at most.
fn max_threads() -> usize {
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    (cpus + 4).min(32)
}

/// How long an idle thread waits for work before it exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Jobs run outside the lock and their panics are caught, so a poisoned
    // lock only means a bug in this file; the state is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool { state: Mutex::new(PoolState::default()), work: Condvar::new() })
}

impl Pool {
    fn submit(&'static self, job: Job) {
        let mut st = lock(&self.state);
        st.queue.push_back(job);
        if st.idle > 0 {
            self.work.notify_one();
        } else if st.threads < max_threads() {
            st.threads += 1;
            let spawned = thread::Builder::new().name("tulip-blocking".into()).spawn(move || self.worker());
            if spawned.is_err() {
                // No thread to be had: the job waits for a running worker.
                st.threads -= 1;
            }
        }
    }

    fn worker(&'static self) {
        let mut st = lock(&self.state);
        loop {
            if let Some(job) = st.queue.pop_front() {
                drop(st);
                job();
                st = lock(&self.state);
                continue;
            }
            st.idle += 1;
            let (guard, timeout) = self.work.wait_timeout(st, IDLE_TIMEOUT).unwrap_or_else(PoisonError::into_inner);
            st = guard;
            st.idle -= 1;
            if timeout.timed_out() && st.queue.is_empty() {
                st.threads -= 1;
                return;
            }
        }
    }
}

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
/// let ev = tulip_reactor::EventLoop::new();
/// let n = ev.run_until_complete(async {
///     tulip_reactor::to_thread(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)).await
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
    pool().submit(Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f));
        let waker = {
            let mut s = lock(&theirs);
            s.result = Some(result);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }));
    ToThread { slot }
}

/// asyncio's `loop.run_in_executor(None, f)`: the same as [`to_thread`].
///
/// ```
/// let ev = tulip_reactor::EventLoop::new();
/// assert_eq!(ev.run_until_complete(tulip_reactor::run_in_executor(|| 6 * 7)), 42);
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

/// Resolves `host:port` on the blocking pool (asyncio's
/// `loop.getaddrinfo`): the OS resolver blocks, so it never runs on the loop.
///
/// ```
/// let ev = tulip_reactor::EventLoop::new();
/// let addrs = ev.run_until_complete(tulip_reactor::getaddrinfo("localhost", 80)).unwrap();
/// assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
/// ```
pub async fn getaddrinfo(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    // Literal addresses need no resolver thread.
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let host = host.to_owned();
    to_thread(move || (host.as_str(), port).to_socket_addrs().map(|it| it.collect())).await
}
