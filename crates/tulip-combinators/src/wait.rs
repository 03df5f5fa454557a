//! asyncio's `wait`: wait for a set of tasks until a condition holds.

use std::fmt;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tulip_task::{Task, TaskError, TaskRef};
use tulip_timer::Sleep;

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`,
/// `ALL_COMPLETED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnWhen {
    /// As soon as any task finishes (or is cancelled).
    FirstCompleted,
    /// As soon as any task panics (the analogue of raising); if none does,
    /// when all have finished.
    FirstException,
    /// When every task has finished.
    #[default]
    AllCompleted,
}

/// A task [`wait`] saw finish: its handle's identity and its outcome (the
/// output has been taken out of the task, which is why `done` holds these
/// rather than [`Task`]s).
pub struct Completed<T> {
    task: TaskRef,
    result: Result<T, TaskError>,
}

impl<T> Completed<T> {
    /// The finished task (name, id, state).
    pub fn task(&self) -> &TaskRef {
        &self.task
    }

    /// The outcome, by reference.
    pub fn outcome(&self) -> &Result<T, TaskError> {
        &self.result
    }

    /// The outcome (asyncio's `task.result()`): the output, or how it failed.
    pub fn result(self) -> Result<T, TaskError> {
        self.result
    }
}

impl<T> fmt::Debug for Completed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.task, f)
    }
}

/// The future returned by [`wait`]: resolves to `(done, pending)`.
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    pending: Vec<Task<T>>,
    done: Vec<Completed<T>>,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
    /// The waker every pending task holds; while it stays the same, a
    /// wake-up only needs a look at the tasks' `done` flags.
    registered: Option<Waker>,
    finished: bool,
}

// Never pin-projected: the outputs and task handles inside are only
// moved while not pinned by us, so the wrapper is `Unpin` whatever `T` is.
impl<T> Unpin for Wait<T> {}

/// asyncio's `wait(tasks, return_when=...)`: waits until `return_when`
/// holds (or the [`timeout`](Wait::timeout) expires) and resolves to
/// `(done, pending)`. Nothing is cancelled — not on timeout, not when the
/// `Wait` is dropped: the pending tasks come back to you (or, if dropped,
/// run on detached).
///
/// It takes [`Task`]s, so that `pending` holds handles you can cancel or
/// wait on again; plain futures are wrapped into tasks with
/// [`create_task`](tulip_task::create_task) first, as asyncio's `ensure_future`
/// does (asyncio 3.12 requires that too). An empty set resolves at once to
/// two empty vectors (asyncio raises `ValueError`).
///
/// ```
/// use std::time::Duration;
/// use tulip::{create_task, wait, EventLoop, ReturnWhen};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let tasks: Vec<_> = [3u64, 1, 2]
///         .map(|s| create_task(async move { tulip::sleep(Duration::from_secs(s)).await; s }))
///         .into();
///     let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted).await;
///     assert_eq!(done.into_iter().map(|d| d.result().unwrap()).collect::<Vec<_>>(), [1]);
///     assert_eq!(pending.len(), 2);
///     let (done, pending) = wait(pending, ReturnWhen::AllCompleted).timeout(Duration::from_millis(1500)).await;
///     assert_eq!((done.len(), pending.len()), (1, 1));
/// });
/// ```
pub fn wait<I, T>(tasks: I, return_when: ReturnWhen) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    Wait {
        pending: tasks.into_iter().collect(),
        done: Vec::new(),
        return_when,
        timeout: None,
        timer: None,
        registered: None,
        finished: false,
    }
}

impl<T> Wait<T> {
    /// Returns after `d` at the latest (asyncio's `timeout=`), whatever has
    /// finished by then; the clock starts at the first poll.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Polls the pending tasks (with `only_done`, just those whose `done`
    /// flag is set), moving finished ones to `done` in order. Returns
    /// whether any finished.
    fn collect(&mut self, cx: &mut Context<'_>, only_done: bool) -> bool {
        let done = &mut self.done;
        let before = done.len();
        self.pending.retain_mut(|task| {
            if only_done && !task.done() {
                return true;
            }
            match Pin::new(&mut *task).poll(cx) {
                Poll::Pending => true,
                Poll::Ready(result) => {
                    done.push(Completed { task: task.task_ref(), result });
                    false
                }
            }
        });
        done.len() > before
    }

    fn satisfied(&self) -> bool {
        match self.return_when {
            _ if self.pending.is_empty() => true,
            ReturnWhen::FirstCompleted => !self.done.is_empty(),
            ReturnWhen::FirstException => self.done.iter().any(|d| matches!(d.result, Err(TaskError::Panicked(_)))),
            ReturnWhen::AllCompleted => false,
        }
    }
}

impl<T> StdFuture for Wait<T> {
    type Output = (Vec<Completed<T>>, Vec<Task<T>>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.finished, "wait polled after completion");
        let same_waker = this.registered.as_ref().is_some_and(|w| w.will_wake(cx.waker()));
        // Every pending task already holds our waker: only finished ones
        // need a poll. Otherwise poll all, to (re)register it.
        let found = this.collect(cx, same_waker);
        if same_waker && !found && !this.pending.is_empty() {
            // Woken with no finished task in sight (a task torn down by its
            // executor never sets `done`): poll everything once.
            this.collect(cx, false);
        }
        this.registered = Some(cx.waker().clone());
        let mut expired = false;
        if !this.satisfied() {
            if let Some(d) = this.timeout {
                let timer = this.timer.get_or_insert_with(|| Box::pin(tulip_timer::sleep(d)));
                expired = timer.as_mut().poll(cx).is_ready();
            }
            if !expired {
                return Poll::Pending;
            }
        }
        this.finished = true;
        this.timer = None;
        this.registered = None;
        Poll::Ready((std::mem::take(&mut this.done), std::mem::take(&mut this.pending)))
    }
}
