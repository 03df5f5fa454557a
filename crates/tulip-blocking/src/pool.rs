//! The process-wide pool of blocking threads: grows on demand up to a
//! bound, and threads that sit idle exit.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

/// asyncio's default: `min(32, cpus + 4)` threads at most.
fn max_threads() -> usize {
    let cpus = thread::available_parallelism().map_or(1, |n| n.get());
    (cpus + 4).min(32)
}

/// How long an idle thread waits for work before it exits.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

pub(crate) struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Jobs run outside the lock and their panics are caught, so a poisoned
    // lock only means a bug in this file; the state is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool { state: Mutex::new(PoolState::default()), work: Condvar::new() })
}

impl Pool {
    pub(crate) fn submit(&'static self, job: Job) {
        let mut st = lock(&self.state);
        st.queue.push_back(job);
        // A worker that was notified but has not woken up yet is still
        // counted idle, and the job it will take is still queued: compare
        // the queue with the idle workers, not "is anyone idle", or a burst
        // of jobs lines up behind the first one.
        if st.queue.len() <= st.idle {
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
