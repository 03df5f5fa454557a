//! Creating tasks on the thread's loop from code that only knows tulip-task
//! (asyncio's `create_task`, as `gather`, `wait` and `TaskGroup` need it),
//! and the one body that every loop-owned task is spawned through.
//!
//! The loop lends itself as the thread's [`TaskHost`] (see `host.rs`).

use crate::builder::TaskBuilder;
use crate::host::{current_host, TaskHost};
use crate::runnable::TaskRunnable;
use crate::task::Task;
use std::future::Future as StdFuture;

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
    task.mark_loop_owned();
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
    let Some(host) = current_host() else {
        panic!("tulip: no running event loop on this thread");
    };
    let scheduler = host.scheduler();
    // SAFETY: the scheduler comes from the host, whose `TaskHost` contract
    // is the one `spawn_on` asks for; we are on the host's thread (it is
    // this thread's installed loop).
    unsafe { spawn_on(&*host, TaskBuilder::new(), future, move |r| scheduler.schedule(r)) }
}
