//! The loop's side of creating tasks: a [`TaskHost`] reserves the task's
//! registry slot, hands out the [`Scheduler`] that queues its steps, and
//! adopts the new task. The running loop installs itself as the thread's
//! host with [`enter_task_host`].

use crate::runnable::TaskRunnable;
use crate::task_ref::TaskRef;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// Queues a task's step on the loop that owns the task; called on every
/// wake-up, from any thread.
pub trait Scheduler: Send + Sync + 'static {
    /// Queues `runnable` to be run by its loop.
    fn schedule(&self, runnable: TaskRunnable);
}

/// A [`Scheduler`] behind one thin pointer: what the schedule function of
/// each task made by [`create_task`](crate::create_task) holds. A bare
/// `Arc<dyn Scheduler>` is two words, and every task allocation holds its
/// schedule function: it would cost each of them 8 bytes (gather's
/// children, measured in `docs/benchmarks.md`), for one extra pointer read
/// per wake-up.
pub type SchedulerRef = Arc<Arc<dyn Scheduler>>;

/// A loop's half of creating a task: the registry slot, the scheduler, and
/// taking the new task in.
///
/// # Safety
/// Tasks created through a host hold `!Send` futures and are spawned without
/// async-task's per-poll thread check, so an implementor promises that:
/// * every runnable given to the [`Scheduler`] returned by
///   [`scheduler`](Self::scheduler), or to [`adopt`](Self::adopt), is only
///   ever run or dropped on the thread the host lives on;
/// * the queues holding such runnables are drained on that thread only, and
///   are not dropped on another thread while they hold runnables (a queue
///   that other threads push to is closed, and emptied on the loop thread,
///   before the loop goes away).
pub unsafe trait TaskHost {
    /// True if `task` is one of this host's (adopted and not finished).
    /// Awaiting a task that the installed host does not own is refused (it
    /// could never finish); asked only when such an await has to wait.
    fn owns(&self, task: &TaskRef) -> bool;
    /// The registry slot the next adopted task will take
    /// ([`TaskMeta::slot`](crate::TaskMeta::slot)).
    fn reserve_slot(&self) -> u32;
    /// The scheduler of this loop's tasks, behind one thin pointer (make
    /// it once and hand out clones).
    fn scheduler(&self) -> SchedulerRef;
    /// Registers a new task in the slot [`reserve_slot`](Self::reserve_slot)
    /// gave and queues its first step.
    fn adopt(&self, runnable: TaskRunnable);
}

thread_local! {
    static HOST: RefCell<Option<Rc<dyn TaskHost>>> = const { RefCell::new(None) };
}

/// Restores the previously installed host when dropped.
#[must_use = "the host is uninstalled when the guard is dropped"]
pub struct HostGuard {
    previous: Option<Rc<dyn TaskHost>>,
}

impl Drop for HostGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // `try_with`: a guard dropped during thread teardown must not abort.
        let _ = HOST.try_with(|h| *h.borrow_mut() = previous);
    }
}

/// Installs `host` as the loop that [`create_task`](crate::create_task)
/// creates tasks on, until the guard is dropped. An event loop calls this
/// while it runs; see `tulip-reactor` for the implementation. The smallest
/// host: one queue, run on this thread.
///
/// ```
/// use std::rc::Rc;
/// use std::sync::{Arc, Mutex};
/// use tulip_task::{create_task, enter_task_host, Scheduler, SchedulerRef, TaskHost, TaskRunnable};
///
/// struct Queue(Mutex<Vec<TaskRunnable>>);
/// impl Scheduler for Queue {
///     fn schedule(&self, r: TaskRunnable) {
///         self.0.lock().unwrap().push(r);
///     }
/// }
/// struct Host(Arc<Queue>, SchedulerRef);
/// // SAFETY: every runnable goes to the queue, which only this thread (the
/// // host's) pops, runs and drops, before the queue itself goes away.
/// unsafe impl TaskHost for Host {
///     fn owns(&self, _task: &tulip_task::TaskRef) -> bool { true }
///     fn reserve_slot(&self) -> u32 { 0 }
///     fn scheduler(&self) -> SchedulerRef { self.1.clone() }
///     fn adopt(&self, r: TaskRunnable) { self.0.schedule(r) }
/// }
///
/// let queue = Arc::new(Queue(Mutex::new(Vec::new())));
/// let scheduler: SchedulerRef = Arc::new(queue.clone());
/// let host = Rc::new(Host(queue, scheduler));
/// let _installed = enter_task_host(host.clone());
/// let task = create_task(async { 40 + 2 });
/// loop {
///     let next = host.0.0.lock().unwrap().pop();
///     match next {
///         Some(r) => { r.run(); }
///         None => break,
///     }
/// }
/// assert_eq!(futures_lite::future::block_on(task).unwrap(), 42);
/// ```
pub fn enter_task_host(host: Rc<dyn TaskHost>) -> HostGuard {
    let previous = HOST.with(|h| h.borrow_mut().replace(host));
    HostGuard { previous }
}

/// The host installed on this thread, if any.
pub(crate) fn current_host() -> Option<Rc<dyn TaskHost>> {
    HOST.try_with(|h| h.borrow().clone()).ok().flatten()
}
