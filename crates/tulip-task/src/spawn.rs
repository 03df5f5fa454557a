//! Creating tasks on the thread's loop from code that only knows tulip-task
//! (asyncio's `create_task`, as `gather`, `wait` and `TaskGroup` need it),
//! and the one body that every loop-owned task is spawned through.
//!
//! The loop lends itself through [`LoopHooks::task_host`](crate::LoopHooks::task_host):
//! a [`TaskHost`] reserves the task's registry slot, hands out the
//! scheduler that queues the task's steps, and adopts the new task.

use crate::hooks;
use crate::task::{Task, TaskBuilder, TaskRunnable};
use std::future::Future as StdFuture;
use std::sync::Arc;

/// Queues a task's step on the loop that owns the task; called on every
/// wake-up, from any thread.
pub trait Scheduler: Send + Sync + 'static {
    /// Queues `runnable` to be run by its loop.
    fn schedule(&self, runnable: TaskRunnable);
}

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
    /// The registry slot the next adopted task will take
    /// ([`TaskMeta::slot`](crate::TaskMeta::slot)).
    fn reserve_slot(&self) -> u32;
    /// The scheduler of this loop's tasks.
    fn scheduler(&self) -> Arc<dyn Scheduler>;
    /// Registers a new task in the slot [`reserve_slot`](Self::reserve_slot)
    /// gave and queues its first step.
    fn adopt(&self, runnable: TaskRunnable);
}

/// Creates a task on `host` with the given `schedule` function: the one
/// body behind every loop-owned task.
///
/// # Safety
/// `schedule` must keep [`TaskHost`]'s promise: it hands runnables only to
/// queues drained on the host's thread (this function must also be called
/// on that thread).
#[track_caller]
pub unsafe fn spawn_on<H, F, S>(host: &H, builder: TaskBuilder, future: F, schedule: S) -> Task<F::Output>
where
    H: TaskHost + ?Sized,
    F: StdFuture + 'static,
    F::Output: 'static,
    S: Fn(TaskRunnable) + Send + Sync + 'static,
{
    let slot = host.reserve_slot();
    // SAFETY: the caller guarantees `schedule` and the host's queues keep
    // every runnable on this thread.
    let (runnable, task) = unsafe { builder.slot(slot).spawn_local_unchecked(future, schedule) };
    host.adopt(runnable);
    task
}

/// Creates a task on the loop running on this thread (asyncio's
/// `create_task`), through the loop's [`TaskHost`].
///
/// # Panics
/// If no loop is running on this thread (asyncio raises `RuntimeError`).
///
/// ```
/// // tulip's facade runs a loop: tulip::run(async { tulip_task::create_task(...) })
/// let out = tulip::run(async {
///     let t = tulip_task::create_task(async { 6 * 7 });
///     t.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
#[track_caller]
pub fn create_task<F>(future: F) -> Task<F::Output>
where
    F: StdFuture + 'static,
    F::Output: 'static,
{
    let Some(hooks) = hooks::current() else {
        panic!("tulip: no running event loop on this thread");
    };
    let Some(host) = hooks.task_host() else {
        panic!("tulip: the loop on this thread cannot create tasks");
    };
    let scheduler = host.scheduler();
    // SAFETY: the scheduler comes from the host, whose `TaskHost` contract
    // is the one `spawn_on` asks for; we are on the host's thread (it is
    // this thread's installed loop).
    unsafe { spawn_on(host, TaskBuilder::new(), future, move |r| scheduler.schedule(r)) }
}
