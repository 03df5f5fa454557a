//! Counting the blocking jobs an event loop waits for: the loop installs a
//! [`JobCount`] while it runs, and `to_thread` counts each job it submits
//! from that thread until the job's result is handed back.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How many blocking jobs submitted under it are not finished yet.
///
/// A loop on a virtual clock installs one while it runs: while a job it may
/// be waiting for is still on a thread, it must not jump its clock over
/// that job (tokio's paused clock holds still for `spawn_blocking` the same
/// way).
///
/// ```
/// let count = tulip_blocking::JobCount::new();
/// let job = {
///     let _counting = count.enter();
///     tulip_blocking::to_thread(|| std::thread::sleep(std::time::Duration::from_millis(20)))
/// };
/// assert_eq!(count.get(), 1);
/// futures_lite::future::block_on(job);
/// assert_eq!(count.get(), 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct JobCount {
    n: Arc<AtomicUsize>,
}

thread_local! {
    static CURRENT: RefCell<Option<JobCount>> = const { RefCell::new(None) };
}

/// Puts back the previously installed count when dropped.
#[must_use = "the count is uninstalled when the guard is dropped"]
#[derive(Debug)]
pub struct JobCountGuard {
    previous: Option<JobCount>,
}

impl Drop for JobCountGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

impl JobCount {
    /// A count at zero.
    pub fn new() -> Self {
        JobCount::default()
    }

    /// Jobs submitted under this count and not finished.
    pub fn get(&self) -> usize {
        self.n.load(Ordering::Acquire)
    }

    /// Counts the jobs this thread submits until the guard is dropped.
    pub fn enter(&self) -> JobCountGuard {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        JobCountGuard { previous }
    }

    /// The count installed on this thread, with one job added to it.
    pub(crate) fn start_job() -> Option<JobCount> {
        let count = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()?;
        count.n.fetch_add(1, Ordering::AcqRel);
        Some(count)
    }

    /// One job finished (called before its waiter is woken, so a loop that
    /// wakes up for it already sees the count without it).
    pub(crate) fn finish_job(&self) {
        self.n.fetch_sub(1, Ordering::AcqRel);
    }
}
