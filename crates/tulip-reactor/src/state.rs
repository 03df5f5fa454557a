//! The loop's single-threaded state and one iteration of it (asyncio's
//! `_run_once`).

use crate::locals::Locals;
use crate::os_wait::OsWait;
use crate::ready::{Ready, ReadyQueue};
use crate::remote::{RemoteCall, Shared};
use crate::source::Sources;
use crate::virtual_time::VirtualTime;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::future::Future as StdFuture;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tulip_blocking::JobCount;
use tulip_task::{
    default_exception_handler, panic_message, Exception, ExceptionContext, LoopHooks, SchedulerRef, Task, TaskBuilder,
    TaskHost, TaskRef, TaskRunnable,
};
use tulip_timer::{TimerEntry, Timers};

pub(crate) type ExceptionHandler = Rc<dyn Fn(&ExceptionContext)>;

/// While the ready queue is non-empty the loop does not wait for I/O, but it
/// still looks at the poller (timeout zero) every this many iterations so
/// that busy tasks cannot starve sockets. tokio uses the same figure.
const IO_CHECK_INTERVAL: u32 = 61;

/// How many places ahead of the task it runs the loop prefetches one, in
/// batches of at least `RUN_AHEAD_BATCH` items (4,096 tasks of the
/// benchmarks' ~170 bytes are 700 KB, more than most L2 caches hold).
const RUN_AHEAD: usize = 16;
const RUN_AHEAD_BATCH: usize = 4096;

pub(crate) struct LoopState {
    pub(crate) shared: Arc<Shared>,
    /// `shared` as the thin scheduler `tulip_task::create_task` hands to
    /// the tasks it makes (one allocation per loop).
    scheduler: SchedulerRef,
    pub(crate) ready: ReadyQueue,
    pub(crate) timers: Rc<Timers>,
    pub(crate) tasks: RefCell<Slab<TaskRef>>,
    pub(crate) stopping: Cell<bool>,
    pub(crate) running: Cell<bool>,
    pub(crate) closed: Cell<bool>,
    pub(crate) debug: Cell<bool>,
    /// Task panics go only to their handlers, unprinted (on by default).
    pub(crate) quiet_task_panics: Cell<bool>,
    pub(crate) slow_callback_duration: Cell<Duration>,
    pub(crate) exception_handler: RefCell<Option<ExceptionHandler>>,
    /// The registered I/O sources, by poller key.
    pub(crate) sources: Sources,
    /// Per-loop state of the crates built on the loop.
    pub(crate) locals: Locals,
    /// Blocking jobs submitted from this loop and not finished.
    pub(crate) blocking_jobs: JobCount,
    virtual_time: VirtualTime,
    os_wait: OsWait,
    tick: Cell<u32>,
}

impl LoopState {
    pub(crate) fn new(shared: Arc<Shared>, timers: Rc<Timers>, debug: bool) -> Self {
        LoopState {
            scheduler: Arc::new(shared.clone()),
            shared,
            ready: ReadyQueue::new(),
            timers,
            tasks: RefCell::new(Slab::new()),
            stopping: Cell::new(false),
            running: Cell::new(false),
            closed: Cell::new(false),
            debug: Cell::new(debug),
            quiet_task_panics: Cell::new(true),
            slow_callback_duration: Cell::new(Duration::from_millis(100)),
            exception_handler: RefCell::new(None),
            sources: Sources::default(),
            locals: Locals::default(),
            blocking_jobs: JobCount::new(),
            virtual_time: VirtualTime::new(),
            os_wait: OsWait::new(),
            tick: Cell::new(0),
        }
    }

    /// Creates a task of this loop (the body of every `create_task`).
    #[track_caller]
    pub(crate) fn spawn<F>(&self, builder: TaskBuilder, future: F) -> Task<F::Output>
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        let shared = self.shared.clone();
        // SAFETY: `LoopState` keeps `TaskHost`'s promise (see its impl), and
        // this schedule function is the loop's own: `Shared::schedule`.
        unsafe { tulip_task::spawn_on(self, builder, future, move |r| shared.schedule(r)) }
    }

    /// Moves work queued by other threads (or by this thread while the loop
    /// was not running) onto the ready queue.
    fn drain_remote(&self) {
        let shared = &self.shared;
        if shared.remote_tasks.is_empty() && shared.remote_calls.is_empty() {
            return;
        }
        self.ready.extend(std::iter::from_fn(|| shared.remote_tasks.pop().ok()).map(Ready::Task));
        self.ready.extend(std::iter::from_fn(|| shared.remote_calls.pop().ok()).map(|call| match call {
            RemoteCall::Call(f) => Ready::Call(f),
            RemoteCall::Stop => Ready::Stop,
        }));
    }

    /// One iteration: wait for I/O or the next timer (not at all if work is
    /// ready), queue expired timers, then run exactly the work that is ready
    /// now; whatever it schedules runs in the next iteration.
    pub(crate) fn run_once(&self) {
        self.drain_remote();
        let busy = !self.ready.is_empty() || self.stopping.get();
        if busy {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if self.sources.any() && tick.is_multiple_of(IO_CHECK_INTERVAL) {
                self.poll_io(Some(Duration::ZERO));
            }
            if self.timers.clock().is_virtual() {
                self.virtual_time.busy(self.timers.clock());
            }
        } else {
            let clock = self.timers.clock();
            match self.timers.next_deadline() {
                Some(deadline) if clock.is_virtual() => {
                    let outside = self.blocking_jobs.get() > 0 || self.sources.any_waiting();
                    self.virtual_time.idle(clock, deadline, outside, |timeout| {
                        self.poll_io(Some(timeout));
                        self.drain_remote();
                        !self.ready.is_empty()
                    });
                }
                Some(deadline) => {
                    let timeout = deadline.saturating_duration_since(clock.now());
                    self.poll_io(Some(timeout));
                }
                None => {
                    self.poll_io(None);
                    if clock.is_virtual() {
                        self.virtual_time.rested();
                    }
                }
            }
            self.drain_remote();
        }
        self.fire_timers();
        let ntodo = self.ready.len();
        // Read once per iteration: `set_debug` from a callback takes effect
        // from the next one.
        let debug = self.debug.get();
        if ntodo >= RUN_AHEAD_BATCH {
            self.run_ready_prefetching(ntodo, debug);
        } else {
            self.run_ready::<false>(ntodo, debug);
        }
        self.ready.trim();
    }

    /// Runs the first `ntodo` items of the ready queue; with `AHEAD`, asks
    /// the CPU for the task `RUN_AHEAD` places ahead before each.
    #[inline(always)]
    fn run_ready<const AHEAD: bool>(&self, ntodo: usize, debug: bool) {
        for _ in 0..ntodo {
            if AHEAD {
                self.ready.prefetch_ahead(RUN_AHEAD);
            }
            let Some(item) = self.ready.pop() else { break };
            match item {
                // The hot path (a task step) inline; the rest out of line,
                // so the loop saves few registers (yield_switch, callgrind).
                Ready::Task(runnable) if !debug => self.run_task(runnable),
                other => self.run_other(other, debug),
            }
        }
    }

    /// A long batch (tasks just spawned, 100k at once in gather_100k and
    /// timers) runs tasks whose headers left the cache long ago, in an
    /// order no hardware prefetcher follows: the loop names each a few
    /// steps ahead (timers 6% faster on top of the timer-side hint,
    /// docs/benchmarks.md). Out of line, so that the short
    /// batches of the common loop pay nothing for it (yield_switch's
    /// 1,000 tasks fit in the cache and gained nothing but instructions).
    #[inline(never)]
    fn run_ready_prefetching(&self, ntodo: usize, debug: bool) {
        self.run_ready::<true>(ntodo, debug);
    }

    #[inline(always)]
    fn run_task(&self, runnable: TaskRunnable) {
        let slot = runnable.meta().slot();
        if runnable.step() {
            self.forget_task(slot);
        }
    }

    #[inline(never)]
    fn run_other(&self, item: Ready, debug: bool) {
        if debug {
            self.run_item_timed(item);
        } else {
            self.run_item(item);
        }
    }

    fn poll_io(&self, timeout: Option<Duration>) {
        self.os_wait.wait(&self.shared, &self.sources, timeout);
    }

    fn fire_timers(&self) {
        if self.timers.is_empty() {
            return;
        }
        let now = self.timers.now();
        while let Some(entry) = self.timers.pop_expired(now) {
            match entry {
                TimerEntry::Wake(waker) => waker.wake(),
                TimerEntry::Call(call) => self.ready.push(Ready::Call(call)),
            }
        }
    }

    fn run_item(&self, item: Ready) {
        match item {
            Ready::Task(runnable) => self.run_task(runnable),
            Ready::Handle(handle) => {
                if let Some(callback) = handle.take() {
                    self.run_callback(callback, Some(handle.source));
                }
            }
            Ready::Call(call) => self.run_callback(call, None),
            Ready::Stop => self.stopping.set(true),
        }
    }

    fn run_item_timed(&self, item: Ready) {
        let what = match &item {
            Ready::Task(r) => format!("{:?}", r.task_ref()),
            Ready::Handle(h) => format!("<Handle scheduled at {}>", h.source),
            Ready::Call(_) | Ready::Stop => "<internal callback>".to_string(),
        };
        let start = Instant::now();
        self.run_item(item);
        let took = start.elapsed();
        if took >= self.slow_callback_duration.get() {
            self.report(ExceptionContext::new(format!("Executing {what} took {:.3} seconds", took.as_secs_f64())));
        }
    }

    /// Callbacks are not tasks: a panic in one is reported, like asyncio's
    /// "Exception in callback", and the loop carries on.
    fn run_callback(&self, callback: Box<dyn FnOnce()>, source: Option<&'static Location<'static>>) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(callback)) {
            self.report(ExceptionContext {
                message: "Exception in callback".into(),
                exception: Some(Exception::msg(panic_message(&*payload).to_owned())),
                task: None,
                source,
            });
        }
    }

    /// Forgets a task that has just finished. The registry's `TaskRef`
    /// holds a waker, so the task stays allocated until here whatever else
    /// lets go of it. Only the step that finished a task comes here (the
    /// registry is cold memory for a loop of many tasks).
    #[inline]
    fn forget_task(&self, slot: u32) {
        let finished = {
            let mut tasks = self.tasks.borrow_mut();
            match tasks.get(slot as usize) {
                Some(t) if t.done() => Some(tasks.remove(slot as usize)),
                _ => None,
            }
        };
        // Dropped outside the borrow: it may free the task and run user drops.
        drop(finished);
    }

    pub(crate) fn report(&self, ctx: ExceptionContext) {
        let handler = self.exception_handler.borrow().clone();
        match handler {
            Some(h) => {
                if catch_unwind(AssertUnwindSafe(|| h(&ctx))).is_err() {
                    eprintln!("Unhandled error in exception handler; context: {ctx}");
                }
            }
            None => default_exception_handler(&ctx),
        }
    }

    /// Drops every pending timer (callbacks and wakers) without running it.
    pub(crate) fn discard_timers(&self) {
        let far_future = tulip_timer::saturating_add(self.timers.now(), Duration::MAX);
        while let Some(entry) = self.timers.pop_expired(far_future) {
            drop(entry);
        }
    }

    /// Runs queued work until none is left, without waiting for I/O or timers
    /// (used when closing, to let cancelled tasks drop their futures).
    pub(crate) fn run_until_idle(&self) {
        for _ in 0..1_000 {
            self.drain_remote();
            if self.ready.is_empty() {
                return;
            }
            let ntodo = self.ready.len();
            for _ in 0..ntodo {
                let Some(item) = self.ready.pop() else { break };
                self.run_item(item);
            }
        }
    }
}

impl LoopHooks for LoopState {
    fn call_soon(&self, f: Box<dyn FnOnce()>) {
        self.ready.push(Ready::Call(f));
    }

    fn call_exception_handler(&self, ctx: ExceptionContext) {
        self.report(ctx);
    }

    fn quiet_task_panics(&self) -> bool {
        self.quiet_task_panics.get()
    }
}

// SAFETY: what `TaskHost` asks: every runnable of this loop's tasks is run
// or dropped on the loop's thread only.
// * Where runnables go: `Shared::schedule` (the only schedule function of
//   these tasks) pushes onto the ready queue only on this thread while this
//   loop runs (`push_local` checks the loop id in a thread-local), and
//   otherwise onto the remote queue, which only this thread pops
//   (`drain_remote`). `adopt` pushes onto the ready queue, on this thread.
// * The last waker dropped on another thread: async-task then schedules the
//   task once more so that its executor drops the future; that goes through
//   `Shared::schedule`, so to the remote queue, and the future is dropped
//   here when the loop drains it.
// * The loop closed or dropped while wakers live elsewhere: `close` cancels
//   every task and runs them until their futures are dropped, on this
//   thread, and drops the ready queue here. A runnable pushed afterwards
//   stays in the remote queue, which is never closed (a refused push would
//   drop it on the pushing thread) and never dropped while it holds one:
//   each queued runnable owns its task, whose schedule closure owns an
//   `Arc<Shared>`, which owns the queue. At worst that is a leak, never a
//   run or a drop on another thread.
// * `LoopState` is `!Send` (it holds `Rc`s), so the host itself cannot move.
unsafe impl TaskHost for LoopState {
    fn owns(&self, task: &TaskRef) -> bool {
        let slot = task.meta().slot() as usize;
        // Not borrowed while a task runs; if it ever were, no check.
        self.tasks.try_borrow().map_or(true, |tasks| tasks.get(slot).is_some_and(|t| t.same_task(task)))
    }

    fn reserve_slot(&self) -> u32 {
        u32::try_from(self.tasks.borrow().vacant_key()).unwrap_or(u32::MAX)
    }

    fn scheduler(&self) -> SchedulerRef {
        self.scheduler.clone()
    }

    fn adopt(&self, runnable: TaskRunnable) {
        let slot = self.tasks.borrow_mut().insert(runnable.task_ref());
        debug_assert_eq!(u32::try_from(slot).ok(), Some(runnable.meta().slot()));
        self.ready.push(Ready::Task(runnable));
    }
}
