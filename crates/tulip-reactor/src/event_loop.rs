//! [`EventLoop`]: owns a loop and runs it.

use crate::error::RuntimeError;
use crate::loop_handle::LoopHandle;
use crate::ready::LocalQueueGuard;
use crate::remote::Shared;
use crate::running::CurrentGuard;
use crate::state::LoopState;
use std::future::Future as StdFuture;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tulip_blocking::JobCountGuard;
use tulip_task::{enter_hooks, enter_task_host, ExceptionContext, HooksGuard, HostGuard, TaskError};
use tulip_timer::{Clock, Timers};

/// Builds an [`EventLoop`] with non-default settings.
///
/// ```
/// use std::time::Duration;
/// // A virtual clock: when every task waits on a timer, time jumps ahead.
/// let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
/// let start = ev.time();
/// ev.run_until_complete(tulip::sleep(Duration::from_secs(3600)));
/// assert!(ev.time() - start >= Duration::from_secs(3600));
/// ```
#[derive(Debug, Default)]
pub struct LoopBuilder {
    virtual_clock: bool,
    debug: Option<bool>,
}

impl LoopBuilder {
    /// Uses a virtual clock (like trio's `MockClock`): when nothing is ready,
    /// the loop does not sleep but moves time to the next timer's deadline,
    /// so `sleep(3600 s)` in a test returns at once and timers keep their
    /// order. While the loop waits for the outside (a blocking job, a
    /// socket), it waits in real time, up to the next deadline; while it is
    /// busy, the clock never runs slower than real time. The rules are in
    /// docs/architecture.md ("The virtual clock").
    pub fn virtual_clock(mut self) -> Self {
        self.virtual_clock = true;
        self
    }

    /// Starts in debug mode (default: `TULIP_DEBUG=1` in the environment).
    pub fn debug(mut self, enabled: bool) -> Self {
        self.debug = Some(enabled);
        self
    }

    /// Creates the loop; fails only if the OS poller cannot be created.
    pub fn build(self) -> io::Result<EventLoop> {
        let clock = if self.virtual_clock { Clock::virtual_clock() } else { Clock::real() };
        let debug =
            self.debug.unwrap_or_else(|| std::env::var_os("TULIP_DEBUG").is_some_and(|v| v != "0" && !v.is_empty()));
        let state = LoopState::new(Shared::new()?, Timers::new(clock), debug);
        Ok(EventLoop { handle: LoopHandle { state: Rc::new(state) }, owner: true })
    }
}

/// asyncio's event loop: single-threaded, one running per thread at a time.
///
/// `EventLoop` owns the loop (dropping it closes it) and derefs to
/// [`LoopHandle`] for `call_soon`, `create_task`, `time`, ...
///
/// ```
/// use std::time::Duration;
/// let ev = tulip::EventLoop::new();
/// let answer = ev.run_until_complete(async {
///     tulip::sleep(Duration::from_millis(1)).await;
///     42
/// });
/// assert_eq!(answer, 42);
/// ev.close();
/// assert!(ev.is_closed());
/// ```
pub struct EventLoop {
    handle: LoopHandle,
    /// False for what `get_event_loop()` returns: the same loop, owned by
    /// the thread (or by whoever runs it), not closed when this is dropped.
    owner: bool,
}

struct Entered {
    _current: CurrentGuard,
    _hooks: HooksGuard,
    _host: HostGuard,
    _timers: tulip_timer::EnterGuard,
    _local_queue: LocalQueueGuard,
    _jobs: JobCountGuard,
}

/// The loop's `running` flag while `run_*` executes; dropping it (also
/// when a panic unwinds out of an iteration) clears `running` and
/// `stopping`, so the loop can be run again.
struct Running<'a>(&'a LoopState);

impl<'a> Running<'a> {
    fn start(state: &'a LoopState) -> Self {
        state.running.set(true);
        Running(state)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.stopping.set(false);
        self.0.running.set(false);
    }
}

impl EventLoop {
    /// A new loop with a real clock.
    ///
    /// # Panics
    /// If the OS refuses to create a poller (out of file descriptors); use
    /// [`EventLoop::builder`] to get that as an error instead.
    pub fn new() -> EventLoop {
        match LoopBuilder::default().build() {
            Ok(ev) => ev,
            Err(e) => panic!("tulip: cannot create the event loop's poller: {e}"),
        }
    }

    /// A builder for non-default settings (virtual clock, debug).
    pub fn builder() -> LoopBuilder {
        LoopBuilder::default()
    }

    /// A handle to this loop (what `get_running_loop()` returns inside it).
    pub fn handle(&self) -> LoopHandle {
        self.handle.clone()
    }

    fn enter(&self) -> Result<Entered, RuntimeError> {
        let state = &self.handle.state;
        if state.closed.get() {
            return Err(RuntimeError::Closed);
        }
        if state.running.get() {
            return Err(RuntimeError::AlreadyRunning);
        }
        if LocalQueueGuard::any_running() {
            return Err(RuntimeError::AnotherLoopRunning);
        }
        Ok(self.entered())
    }

    /// Makes this loop the thread's current one until the guard drops (the
    /// previous one, if any, comes back then).
    fn entered(&self) -> Entered {
        let state = &self.handle.state;
        Entered {
            _current: CurrentGuard::enter(self.handle.clone()),
            _hooks: enter_hooks(state.clone()),
            _host: enter_task_host(state.clone()),
            _timers: state.timers.enter(),
            _local_queue: LocalQueueGuard::enter(state.shared.id, &state.ready),
            _jobs: state.blocking_jobs.enter(),
        }
    }

    /// Runs the loop until `future` completes and returns its output
    /// (asyncio's `run_until_complete`). The future runs as a task, so
    /// `current_task()` works inside it. A panic inside it propagates here.
    ///
    /// # Panics
    /// Where asyncio raises `RuntimeError`: the loop is closed or already
    /// running, another loop runs on this thread, `stop()` was called before
    /// the future finished, or the future's task was cancelled. Use
    /// [`try_run_until_complete`](Self::try_run_until_complete) to get those
    /// as errors.
    #[track_caller]
    pub fn run_until_complete<F>(&self, future: F) -> F::Output
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        match self.try_run_until_complete(future) {
            Ok(v) => v,
            Err(e) => panic!("tulip: run_until_complete: {e}"),
        }
    }

    /// Like [`run_until_complete`](Self::run_until_complete), with misuse
    /// and cancellation as a [`RuntimeError`] (a panic in the future still
    /// propagates).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let h = ev.handle();
    /// let r = ev.try_run_until_complete(async move {
    ///     h.stop();
    ///     std::future::pending::<()>().await
    /// });
    /// assert_eq!(r, Err(tulip::RuntimeError::StoppedBeforeComplete));
    /// ```
    #[track_caller]
    pub fn try_run_until_complete<F>(&self, future: F) -> Result<F::Output, RuntimeError>
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        let entered = self.enter()?;
        let state = &self.handle.state;
        let mut task = self.handle.create_task(future);
        let running = Running::start(state);
        let stopped_early = loop {
            state.run_once();
            if task.done() {
                // asyncio stops from the future's done callback, which runs
                // in the next iteration and calls `stop()`: that iteration
                // still runs everything ready (other tasks get one more
                // step), without waiting, and is the last. Unless `stop()`
                // was called already, which ends the run now.
                if !state.stopping.get() {
                    state.stopping.set(true);
                    state.run_once();
                }
                break false;
            }
            if state.stopping.get() {
                break true;
            }
        };
        drop(running);
        drop(entered);
        if stopped_early {
            return Err(RuntimeError::StoppedBeforeComplete);
        }
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(&mut task).poll(&mut cx) {
            Poll::Ready(Ok(v)) => Ok(v),
            Poll::Ready(Err(TaskError::Panicked(p))) => p.resume(),
            Poll::Ready(Err(TaskError::Cancelled(_))) | Poll::Pending => Err(RuntimeError::Cancelled),
        }
    }

    /// Runs until [`stop`](LoopHandle::stop) is called (asyncio's
    /// `run_forever`).
    ///
    /// # Panics
    /// If the loop is closed or already running, or another loop runs on this
    /// thread (asyncio's `RuntimeError`).
    pub fn run_forever(&self) {
        if let Err(e) = self.try_run_forever() {
            panic!("tulip: run_forever: {e}");
        }
    }

    /// Like [`run_forever`](Self::run_forever), with misuse as an error.
    pub fn try_run_forever(&self) -> Result<(), RuntimeError> {
        let entered = self.enter()?;
        let state = &self.handle.state;
        let running = Running::start(state);
        loop {
            state.run_once();
            if state.stopping.get() {
                break;
            }
        }
        drop(running);
        drop(entered);
        Ok(())
    }

    /// Cancels every pending task and runs the loop until they have all
    /// finished (their destructors ran): what `asyncio.run` does before it
    /// closes the loop. Nothing is reported.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let t = ev.create_task(std::future::pending::<()>());
    /// ev.run_until_complete(async {});
    /// ev.cancel_all_tasks();
    /// assert!(t.cancelled());
    /// ev.close(); // nothing left to report
    /// ```
    pub fn cancel_all_tasks(&self) {
        let Ok(entered) = self.enter() else { return };
        let state = &self.handle.state;
        // A task's destructor may create new tasks; a few passes catch those.
        for _ in 0..8 {
            let pending = self.handle.all_tasks();
            if pending.is_empty() {
                break;
            }
            for t in &pending {
                t.cancel(None);
            }
            state.run_until_idle();
        }
        drop(entered);
    }

    /// Closes the loop (asyncio's `close`): every task still pending is
    /// reported ("Task was destroyed but it is pending!") and cancelled, its
    /// future dropped; pending callbacks and timers are discarded. Closing
    /// twice does nothing; a closed loop cannot run again.
    ///
    /// # Panics
    /// If called while the loop is running (asyncio's `RuntimeError`).
    pub fn close(&self) {
        let state = &self.handle.state;
        if state.closed.get() {
            return;
        }
        assert!(!state.running.get(), "tulip: cannot close a running event loop");
        // Entered even while another loop runs on this thread (a loop made
        // and dropped inside a task of another): its tasks must be cancelled
        // and their futures dropped here, or they would leak, held by the
        // loop's remote queue. The other loop is the current one again when
        // the guard drops.
        {
            let entered = self.entered();
            for _ in 0..8 {
                let pending: Vec<_> =
                    state.tasks.borrow().iter().map(|(_, t)| t.clone()).filter(|t| !t.done()).collect();
                if pending.is_empty() {
                    break;
                }
                for t in &pending {
                    // The runtime's own tasks, and tasks already being
                    // cancelled, are on their way out: not worth a report.
                    if !t.meta().internal() && !t.meta().cancel_pending() {
                        state.report(ExceptionContext {
                            message: "Task was destroyed but it is pending!".into(),
                            exception: None,
                            task: Some(t.info()),
                            source: Some(t.meta().created_at()),
                        });
                    }
                    t.cancel(None);
                }
                state.run_until_idle();
            }
            drop(entered);
        }
        state.closed.set(true);
        // Other threads' calls are refused from now on (and the ones queued
        // are dropped here: they are `Send`); the task queue stays open, see
        // `Shared::push_remote_task`.
        state.shared.remote_calls.close();
        let calls: Vec<_> = std::iter::from_fn(|| state.shared.remote_calls.pop().ok()).collect();
        drop(calls);
        drop(state.ready.take_all());
        state.discard_timers();
        state.locals.clear();
        state.sources.clear();
        let tasks = std::mem::take(&mut *state.tasks.borrow_mut());
        drop(tasks);
    }
}

impl EventLoop {
    /// Another `EventLoop` for the loop of `handle`, which does not close it
    /// when dropped (what `get_event_loop()` returns).
    pub(crate) fn alias(handle: LoopHandle) -> EventLoop {
        EventLoop { handle, owner: false }
    }
}

impl Default for EventLoop {
    fn default() -> Self {
        EventLoop::new()
    }
}

impl Deref for EventLoop {
    type Target = LoopHandle;

    fn deref(&self) -> &LoopHandle {
        &self.handle
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        if self.owner && !self.handle.state.running.get() {
            self.close();
        }
    }
}

impl std::fmt::Debug for EventLoop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.handle, f)
    }
}
