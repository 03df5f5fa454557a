//! A task that unwinds out of its executor's `run` (or whose future panics
//! in its destructor) leaves no dangling thread-local behind and does not
//! take the executor down.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use tulip_task::{with_current_meta, TaskBuilder, TaskError, TaskState};

/// Wakes itself once, then finishes.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[test]
fn current_task_pointer_restored_after_unwind() {
    // The schedule function panics on the task's self-wake: that happens in
    // `run` after the poll, and unwinds out of it.
    let (runnable, task) = TaskBuilder::new().spawn_local(YieldOnce(false), |_| panic!("schedule refuses"));
    let ran = catch_unwind(AssertUnwindSafe(|| runnable.run()));
    assert!(ran.is_err(), "the schedule function's panic is the executor's");
    // `task` keeps the metadata allocated, so a stale pointer would still
    // read a live task here: what matters is that there is none.
    assert!(with_current_meta(|m| m.map(|m| m.id())).is_none(), "no task is running on this thread");
    drop(task);
}

/// Ready at once, and panics when dropped.
struct PanicsWhenDropped;

impl Future for PanicsWhenDropped {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(7)
    }
}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        panic!("destructor after Ready");
    }
}

#[test]
fn drop_panic_after_ready_is_a_task_panic() {
    let (runnable, task) = TaskBuilder::new().spawn_local(PanicsWhenDropped, |_| {});
    let ran = catch_unwind(AssertUnwindSafe(|| runnable.run()));
    assert!(ran.is_ok(), "a task's panic must not escape into the executor");
    assert_eq!(task.state(), TaskState::Done);
    match futures_lite::future::block_on(task) {
        Err(TaskError::Panicked(p)) => assert_eq!(p.message(), "destructor after Ready"),
        other => panic!("expected the destructor's panic, got {other:?}"),
    }
}
