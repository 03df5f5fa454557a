//! The loop running on this thread, and the asyncio functions that use it
//! implicitly: `get_running_loop`, `create_task`, `current_task`, `all_tasks`.

use crate::loop_handle::LoopHandle;
use crate::EventLoop;
use std::cell::RefCell;
use std::future::Future as StdFuture;
use tulip_task::{with_current_meta, Task, TaskRef};

thread_local! {
    static CURRENT: RefCell<Option<LoopHandle>> = const { RefCell::new(None) };
}

pub(crate) struct CurrentGuard {
    previous: Option<LoopHandle>,
}

impl CurrentGuard {
    pub(crate) fn enter(handle: LoopHandle) -> Self {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(handle));
        CurrentGuard { previous }
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
    }
}

/// The loop running on this thread, if any.
///
/// ```
/// assert!(tulip::try_get_running_loop().is_none());
/// ```
pub fn try_get_running_loop() -> Option<LoopHandle> {
    // `try_with`: during thread teardown there is no running loop.
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The loop running on this thread (asyncio's `get_running_loop`).
///
/// # Panics
/// If no loop is running on this thread (asyncio raises `RuntimeError`).
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let same = ev.run_until_complete({
///     let h = ev.handle();
///     async move { tulip::get_running_loop().same_loop(&h) }
/// });
/// assert!(same);
/// ```
#[track_caller]
pub fn get_running_loop() -> LoopHandle {
    match try_get_running_loop() {
        Some(h) => h,
        None => panic!("tulip: no running event loop on this thread"),
    }
}

/// Creates a task on the running loop (asyncio's `create_task`).
///
/// # Panics
/// If no loop is running on this thread.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let n = ev.run_until_complete(async {
///     let t = tulip::create_task(async { 2 });
///     t.await.unwrap() + 1
/// });
/// assert_eq!(n, 3);
/// ```
#[track_caller]
pub fn create_task<F>(future: F) -> Task<F::Output>
where
    F: StdFuture + 'static,
    F::Output: 'static,
{
    get_running_loop().create_task(future)
}

/// The task being run on this thread, if any (asyncio's `current_task`).
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let name = ev.run_until_complete(async {
///     tulip::current_task().map(|t| t.name())
/// });
/// assert!(name.unwrap().starts_with("Task-"));
/// ```
pub fn current_task() -> Option<TaskRef> {
    let slot = with_current_meta(|m| m.map(|m| m.slot()))?;
    let handle = try_get_running_loop()?;
    let tasks = handle.state.tasks.borrow();
    tasks.get(slot as usize).cloned()
}

/// Every pending task of the running loop (asyncio's `all_tasks`); empty if
/// no loop is running.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let count = ev.run_until_complete(async {
///     let _sleeper = tulip::create_task(std::future::pending::<()>());
///     tulip::all_tasks().len()
/// });
/// assert_eq!(count, 2); // the main task and the sleeper
/// ```
pub fn all_tasks() -> Vec<TaskRef> {
    try_get_running_loop().map(|h| h.all_tasks()).unwrap_or_default()
}

/// [`create_task`] with a name (asyncio's `create_task(coro, name=...)`).
///
/// # Panics
/// If no loop is running on this thread.
///
/// ```
/// tulip::run(async {
///     let t = tulip::create_task_named("fetcher", async {});
///     assert_eq!(t.name(), "fetcher");
/// });
/// ```
#[track_caller]
pub fn create_task_named<F>(name: impl Into<String>, future: F) -> Task<F::Output>
where
    F: StdFuture + 'static,
    F::Output: 'static,
{
    get_running_loop().create_task_named(name, future)
}

/// asyncio's `ensure_future`: schedules `future` as a task on the running
/// loop. (A Rust future is always a "coroutine" to asyncio; a [`Task`] is
/// already scheduled and can simply be awaited.)
///
/// ```
/// let v = tulip::run(async { tulip::ensure_future(async { "ok" }).await.unwrap() });
/// assert_eq!(v, "ok");
/// ```
#[track_caller]
pub fn ensure_future<F>(future: F) -> Task<F::Output>
where
    F: StdFuture + 'static,
    F::Output: 'static,
{
    create_task(future)
}

thread_local! {
    /// The thread's event loop of `get_event_loop()` (asyncio's policy
    /// keeps one per thread); closed when the thread ends.
    static THREAD_LOOP: RefCell<Option<EventLoop>> = const { RefCell::new(None) };
}

/// asyncio's `get_event_loop()`: the loop running on this thread, else the
/// thread's own loop, created on first use and kept until the thread ends
/// (asyncio's policy does this for the main thread). What it returns does
/// not close the loop when dropped; `close()` does, and the thread's loop
/// then stays closed, as in asyncio.
///
/// ```
/// let ev = tulip::get_event_loop();
/// let n = ev.run_until_complete(async {
///     // Inside, the same loop.
///     assert!(tulip::get_event_loop().same_loop(&tulip::get_running_loop()));
///     7
/// });
/// assert_eq!(n, 7);
/// assert!(tulip::get_event_loop().same_loop(&ev));
/// ev.close();
/// ```
pub fn get_event_loop() -> EventLoop {
    if let Some(running) = try_get_running_loop() {
        return EventLoop::alias(running);
    }
    THREAD_LOOP.with(|l| {
        let mut l = l.borrow_mut();
        let ev = l.get_or_insert_with(EventLoop::new);
        EventLoop::alias(ev.handle())
    })
}

/// A new loop (asyncio's `new_event_loop`).
///
/// ```
/// let ev = tulip::new_event_loop();
/// assert!(!ev.is_running());
/// ```
pub fn new_event_loop() -> EventLoop {
    EventLoop::new()
}
