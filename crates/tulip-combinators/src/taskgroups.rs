//! asyncio's `TaskGroup`: structured concurrency with all-or-nothing failure.

use super::completions::Completions;
use super::{ChildError, SpawnError, TaskGroupError};
use std::cell::RefCell;
use std::fmt;
use std::future::Future as StdFuture;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use tulip_task::{TaskError, TaskRef};

struct State<T, E> {
    children: Completions<Result<T, E>>,
    out: Vec<Option<T>>,
    errors: Vec<ChildError<E>>,
    /// A child failed: the others are being cancelled, no new ones.
    aborting: bool,
    finished: bool,
}

impl<T, E> State<T, E> {
    fn abort(&mut self, except: Option<usize>) {
        if !self.aborting {
            self.aborting = true;
            self.children.cancel_all(except);
        }
    }
}

/// asyncio's `TaskGroup` (`async with asyncio.TaskGroup() as tg:`).
///
/// In Rust the `async with` block becomes: create the group, add children
/// with [`create_task`](Self::create_task), then `tg.wait().await` — the
/// exit of the block — which waits for every child and resolves to their
/// outputs in creation order, or to a [`TaskGroupError`] holding **every**
/// failure (asyncio's `ExceptionGroup`).
///
/// Children return `Result<T, E>`; a child fails by returning `Err` or by
/// panicking. The first failure cancels every other child (in the next loop
/// iteration, as asyncio's done callback does; even before `wait` is called); the cancellations are not failures. Once a
/// child failed, or after `wait` finished, `create_task` refuses new
/// children ([`SpawnError`]); children may add siblings through a clone of
/// the group before that.
///
/// Dropping the `wait` future before it resolves (the parent was
/// cancelled), or dropping every handle to a group that was never waited
/// for, cancels the children still running. Unlike asyncio, a failure does
/// not interrupt the parent's own code before `wait`, and a child cancelled
/// from outside counts as a failure ([`ChildError::Cancelled`]), since its
/// output is missing from the results.
///
/// ```
/// use std::time::Duration;
/// use tulip::{ChildError, EventLoop, TaskGroup};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let tg = TaskGroup::new();
///     tg.create_task(async { Ok::<_, String>(1) }).unwrap();
///     tg.create_task(async {
///         tulip::sleep(Duration::from_secs(1)).await;
///         Ok(2)
///     })
///     .unwrap();
///     assert_eq!(tg.wait().await.unwrap(), [1, 2]);
///
///     let tg = TaskGroup::<(), String>::new();
///     let sibling = tg
///         .create_task(async {
///             tulip::sleep(Duration::from_secs(60)).await;
///             Ok(())
///         })
///         .unwrap();
///     tg.create_task(async { Err("boom".to_string()) }).unwrap();
///     let err = tg.wait().await.unwrap_err();
///     assert!(matches!(err.errors(), [ChildError::Failed(e)] if e == "boom"));
///     assert!(sibling.cancelled());
/// });
/// ```
pub struct TaskGroup<T, E> {
    state: Rc<RefCell<State<T, E>>>,
}

impl<T, E> Clone for TaskGroup<T, E> {
    fn clone(&self) -> Self {
        TaskGroup { state: self.state.clone() }
    }
}

impl<T: 'static, E: 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static, E: 'static> TaskGroup<T, E> {
    /// An empty group.
    pub fn new() -> Self {
        let state = State {
            children: Completions::new(true),
            out: Vec::new(),
            errors: Vec::new(),
            aborting: false,
            finished: false,
        };
        TaskGroup { state: Rc::new(RefCell::new(state)) }
    }

    /// Starts `fut` as a child task on the running loop (asyncio's
    /// `tg.create_task`); returns a handle to name, inspect or cancel it.
    ///
    /// # Errors
    /// [`SpawnError::ShuttingDown`] once a child failed,
    /// [`SpawnError::Finished`] once `wait` has finished.
    ///
    /// # Panics
    /// If no loop is running on this thread.
    #[track_caller]
    pub fn create_task<F>(&self, fut: F) -> Result<TaskRef, SpawnError>
    where
        F: StdFuture<Output = Result<T, E>> + 'static,
    {
        let mut state = self.state.borrow_mut();
        if state.finished {
            return Err(SpawnError::Finished);
        }
        if state.aborting {
            return Err(SpawnError::ShuttingDown);
        }
        let group = Rc::downgrade(&self.state);
        let index = state.children.len();
        state.children.spawn(async move {
            let mut guard = AbortOnFailure { group, index, returned: None };
            let out = fut.await;
            guard.returned = Some(out.is_ok());
            out
        });
        state.out.push(None);
        match state.children.task_ref(index) {
            Some(t) => Ok(t),
            None => unreachable!("a child just spawned is still held"),
        }
    }

    /// Waits for every child (the end of asyncio's `async with` block):
    /// their outputs in creation order, or every failure. Call it once; a
    /// second call (through a clone) resolves to an empty vector.
    pub async fn wait(self) -> Result<Vec<T>, TaskGroupError<E>> {
        let _guard = AbortOnDrop(&self.state);
        futures_lite::future::poll_fn(|cx| poll_wait(&self.state, cx)).await
    }
}

fn poll_wait<T: 'static, E: 'static>(
    state: &RefCell<State<T, E>>,
    cx: &mut Context<'_>,
) -> Poll<Result<Vec<T>, TaskGroupError<E>>> {
    let mut st = state.borrow_mut();
    if st.finished {
        return Poll::Ready(Ok(Vec::new()));
    }
    while let Poll::Ready(Some((index, out))) = st.children.poll_next(cx) {
        let failure = match out {
            Ok(Ok(v)) => {
                st.out[index] = Some(v);
                continue;
            }
            Ok(Err(e)) => ChildError::Failed(e),
            Err(TaskError::Panicked(p)) => ChildError::Panicked(p),
            // Cancelled because a sibling failed: not a failure of its own.
            Err(TaskError::Cancelled(_)) if st.aborting => continue,
            Err(TaskError::Cancelled(c)) => ChildError::Cancelled(c),
        };
        st.errors.push(failure);
        st.abort(None);
    }
    if st.children.remaining() > 0 {
        return Poll::Pending;
    }
    st.finished = true;
    st.children.forget_parent();
    if st.errors.is_empty() {
        Poll::Ready(Ok(std::mem::take(&mut st.out).into_iter().flatten().collect()))
    } else {
        Poll::Ready(Err(TaskGroupError::new(std::mem::take(&mut st.errors))))
    }
}

/// Inside each child: a failure (an `Err`, or a panic unwinding through
/// here) cancels the siblings, without waiting for `wait` to look.
struct AbortOnFailure<T: 'static, E: 'static> {
    group: Weak<RefCell<State<T, E>>>,
    index: usize,
    /// `Some(is_ok)` once the child returned.
    returned: Option<bool>,
}

impl<T: 'static, E: 'static> Drop for AbortOnFailure<T, E> {
    fn drop(&mut self) {
        // A cancellation drops the guard mid-await too, without unwinding:
        // that is not a failure.
        let failed = match self.returned {
            Some(ok) => !ok,
            None => std::thread::panicking(),
        };
        if !failed {
            return;
        }
        // Deferred to the next iteration, as asyncio's done callback is: a
        // sibling already scheduled in this iteration still runs its step
        // (and may fail too, joining the error group). `call_soon` only
        // queues, so this is safe while unwinding.
        let (group, index) = (self.group.clone(), self.index);
        let abort = move || {
            if let Some(group) = group.upgrade() {
                if let Ok(mut st) = group.try_borrow_mut() {
                    st.abort(Some(index));
                }
            }
        };
        tulip_task::call_soon(Box::new(abort));
    }
}

/// The parent stopped waiting (its future was dropped): cancel the children.
struct AbortOnDrop<'a, T, E>(&'a RefCell<State<T, E>>);

impl<T, E> Drop for AbortOnDrop<'_, T, E> {
    fn drop(&mut self) {
        if let Ok(st) = self.0.try_borrow_mut() {
            if !st.finished {
                st.children.forget_parent();
                st.children.cancel_all(None);
            }
        }
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state.try_borrow() {
            Ok(st) => write!(
                f,
                "<TaskGroup tasks={} aborting={} finished={}>",
                st.children.remaining(),
                st.aborting,
                st.finished
            ),
            Err(_) => f.write_str("<TaskGroup (busy)>"),
        }
    }
}
