//! asyncio's `wait`: wait for a set of tasks until a condition holds.

use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tulip_sync::ValueError;
use tulip_task::Task;
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

/// The future returned by [`wait`]: resolves to `(done, pending)`.
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<T> {
    pending: Vec<Task<T>>,
    done: Vec<Task<T>>,
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

/// asyncio's `wait(tasks)`: waits until every task is done — or, with
/// [`return_when`](Wait::return_when), until the first one finishes or
/// panics — or the [`timeout`](Wait::timeout) expires, and resolves to
/// `(done, pending)`. Nothing is cancelled — not on timeout, not when the
/// `Wait` is dropped: the pending tasks come back to you (or, if dropped,
/// run on detached).
///
/// Both vectors hold the [`Task`]s, as asyncio's sets do: read a done one
/// with `.await` (at once), [`Task::result`] or [`Task::exception`]; a
/// done task whose panic nobody reads is reported when dropped ("Task
/// exception was never retrieved"). Plain futures are wrapped into tasks
/// with `tulip::create_task` first, as asyncio's
/// `ensure_future` does (asyncio 3.12 requires that too). An empty set is
/// asyncio's `ValueError`.
///
/// ```
/// use std::time::Duration;
/// use tulip::{create_task, wait, EventLoop, ReturnWhen};
/// let ev = EventLoop::builder().virtual_clock().build().unwrap();
/// ev.run_until_complete(async {
///     let tasks: Vec<_> = [3u64, 1, 2]
///         .map(|s| create_task(async move { tulip::sleep(Duration::from_secs(s)).await; s }))
///         .into();
///     let (done, pending) = wait(tasks).return_when(ReturnWhen::FirstCompleted).await.unwrap();
///     assert_eq!(done.iter().map(|t| t.result().unwrap()).collect::<Vec<_>>(), [1]);
///     assert_eq!(pending.len(), 2);
///     let (done, pending) = wait(pending).timeout(Duration::from_millis(1500)).await.unwrap();
///     assert_eq!((done.len(), pending.len()), (1, 1));
///     assert!(wait(Vec::<tulip::Task<()>>::new()).await.is_err());
/// });
/// ```
pub fn wait<I, T>(tasks: I) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    Wait {
        pending: tasks.into_iter().collect(),
        done: Vec::new(),
        return_when: ReturnWhen::AllCompleted,
        timeout: None,
        timer: None,
        registered: None,
        finished: false,
    }
}

impl<T> Wait<T> {
    /// When to return (asyncio's `return_when=`; the default is
    /// [`ReturnWhen::AllCompleted`]).
    pub fn return_when(mut self, return_when: ReturnWhen) -> Self {
        self.return_when = return_when;
        self
    }

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
        let before = self.done.len();
        let pending = std::mem::take(&mut self.pending);
        self.pending.reserve(pending.len());
        for task in pending {
            if (!only_done || task.done()) && task.poll_done(cx).is_ready() {
                self.done.push(task);
            } else {
                self.pending.push(task);
            }
        }
        self.done.len() > before
    }

    fn satisfied(&self) -> bool {
        match self.return_when {
            _ if self.pending.is_empty() => true,
            ReturnWhen::FirstCompleted => !self.done.is_empty(),
            ReturnWhen::FirstException => self.done.iter().any(Task::panicked),
            ReturnWhen::AllCompleted => false,
        }
    }
}

impl<T> StdFuture for Wait<T> {
    type Output = Result<(Vec<Task<T>>, Vec<Task<T>>), ValueError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.finished, "wait polled after completion");
        if this.pending.is_empty() && this.done.is_empty() {
            this.finished = true;
            return Poll::Ready(Err(ValueError("Set of Tasks/Futures is empty.")));
        }
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
        Poll::Ready(Ok((std::mem::take(&mut this.done), std::mem::take(&mut this.pending))))
    }
}
