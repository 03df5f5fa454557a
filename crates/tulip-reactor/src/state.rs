//! The loop's single-threaded state and one iteration of it (asyncio's
//! `_run_once`).

use crate::ready::Ready;
use crate::shared::Shared;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tulip_task::{
    default_exception_handler, Exception, ExceptionContext, LoopHooks, Scheduler, TaskHost, TaskRef, TaskRunnable,
};
use tulip_timer::{TimerEntry, Timers};

pub(crate) type ExceptionHandler = Rc<dyn Fn(&ExceptionContext)>;

/// While the ready queue is non-empty the loop does not wait for I/O, but it
/// still looks at the poller (timeout zero) every this many iterations so
/// that busy tasks cannot starve sockets. tokio uses the same figure.
const IO_CHECK_INTERVAL: u32 = 61;

/// Ready-queue capacity kept after a burst.
const READY_QUEUE_KEEP: usize = 1024;

pub(crate) struct LoopState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) ready: RefCell<VecDeque<Ready>>,
    pub(crate) timers: Rc<Timers>,
    pub(crate) tasks: RefCell<Slab<TaskRef>>,
    pub(crate) stopping: Cell<bool>,
    pub(crate) running: Cell<bool>,
    pub(crate) closed: Cell<bool>,
    pub(crate) debug: Cell<bool>,
    pub(crate) slow_callback_duration: Cell<Duration>,
    pub(crate) exception_handler: RefCell<Option<ExceptionHandler>>,
    /// Registered I/O sources; while zero, a busy loop never calls the poller.
    pub(crate) io_sources: Cell<usize>,
    /// The I/O sources, by poller key.
    pub(crate) sources: RefCell<Slab<Rc<crate::aio::source::Source>>>,
    os_wait: crate::os_wait::OsWait,
    tick: Cell<u32>,
}

impl LoopState {
    pub(crate) fn new(shared: Arc<Shared>, timers: Rc<Timers>, debug: bool) -> Self {
        LoopState {
            shared,
            ready: RefCell::new(VecDeque::with_capacity(64)),
            timers,
            tasks: RefCell::new(Slab::new()),
            stopping: Cell::new(false),
            running: Cell::new(false),
            closed: Cell::new(false),
            debug: Cell::new(debug),
            slow_callback_duration: Cell::new(Duration::from_millis(100)),
            exception_handler: RefCell::new(None),
            io_sources: Cell::new(0),
            sources: RefCell::new(Slab::new()),
            os_wait: crate::os_wait::OsWait::new(),
            tick: Cell::new(0),
        }
    }

    #[inline]
    pub(crate) fn push_task(&self, runnable: TaskRunnable) {
        self.ready.borrow_mut().push_back(Ready::Task(runnable));
    }

    pub(crate) fn push(&self, item: Ready) {
        self.ready.borrow_mut().push_back(item);
    }

    /// Moves work queued by other threads (or by this thread while the loop
    /// was not running) onto the ready queue.
    fn drain_remote(&self) {
        if self.shared.remote_tasks.is_empty() && self.shared.remote_calls.is_empty() {
            return;
        }
        let mut ready = self.ready.borrow_mut();
        while let Ok(r) = self.shared.remote_tasks.pop() {
            ready.push_back(Ready::Task(r));
        }
        while let Ok(call) = self.shared.remote_calls.pop() {
            ready.push_back(Ready::Call(call));
        }
    }

    /// One iteration: wait for I/O or the next timer (not at all if work is
    /// ready), queue expired timers, then run exactly the work that is ready
    /// now; whatever it schedules runs in the next iteration.
    pub(crate) fn run_once(&self) {
        self.drain_remote();
        let busy = !self.ready.borrow().is_empty() || self.stopping.get();
        if busy {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if self.io_sources.get() > 0 && tick % IO_CHECK_INTERVAL == 0 {
                self.poll_io(Some(Duration::ZERO));
            }
        } else {
            let clock = self.timers.clock();
            match self.timers.next_deadline() {
                Some(deadline) if clock.is_virtual() => {
                    // Virtual time: look at I/O without blocking, and if
                    // nothing arrived, jump straight to the next deadline.
                    self.poll_io(Some(Duration::ZERO));
                    self.drain_remote();
                    if self.ready.borrow().is_empty() {
                        clock.advance_to(deadline);
                    }
                }
                Some(deadline) => {
                    let timeout = deadline.saturating_duration_since(clock.now());
                    self.poll_io(Some(timeout));
                }
                None => self.poll_io(None),
            }
            self.drain_remote();
        }
        self.fire_timers();
        let ntodo = self.ready.borrow().len();
        for _ in 0..ntodo {
            let Some(item) = self.ready.borrow_mut().pop_front() else { break };
            if self.debug.get() {
                self.run_item_timed(item);
            } else {
                self.run_item(item);
            }
        }
        self.trim_ready_queue();
    }

    /// A burst (say a million tasks spawned at once) grows the ready queue;
    /// once it has drained, give that memory back (moving the few items left
    /// is cheap next to the iteration that just ran).
    fn trim_ready_queue(&self) {
        let mut ready = self.ready.borrow_mut();
        let cap = ready.capacity();
        if cap > READY_QUEUE_KEEP * 16 && ready.len() < cap / 16 {
            let keep = (ready.len() * 2).max(READY_QUEUE_KEEP);
            ready.shrink_to(keep);
        }
    }

    fn poll_io(&self, timeout: Option<Duration>) {
        self.os_wait.wait(self, timeout);
    }

    fn fire_timers(&self) {
        if self.timers.is_empty() {
            return;
        }
        let now = self.timers.now();
        while let Some(entry) = self.timers.pop_expired(now) {
            match entry {
                TimerEntry::Wake(waker) => waker.wake(),
                TimerEntry::Call(call) => self.push(Ready::Call(call)),
            }
        }
    }

    fn run_item(&self, item: Ready) {
        match item {
            Ready::Task(runnable) => {
                let slot = runnable.meta().slot();
                runnable.run();
                self.after_task_step(slot);
            }
            Ready::Handle(handle) => {
                if let Some(callback) = handle.take() {
                    self.run_callback(callback, Some(handle.source));
                }
            }
            Ready::Call(call) => self.run_callback(call, None),
        }
    }

    fn run_item_timed(&self, item: Ready) {
        let what = match &item {
            Ready::Task(r) => format!("{:?}", r.task_ref()),
            Ready::Handle(h) => format!("<Handle scheduled at {}>", h.source),
            Ready::Call(_) => "<internal callback>".to_string(),
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
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "Box<dyn Any>".into());
            self.report(ExceptionContext {
                message: "Exception in callback".into(),
                exception: Some(Exception::msg(message)),
                task: None,
                source,
            });
        }
    }

    /// Forgets a finished task. The registry's `TaskRef` holds a waker, so
    /// the task stays allocated until here whatever else lets go of it.
    #[inline]
    fn after_task_step(&self, slot: u32) {
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
        let far_future = self.timers.now() + Duration::from_secs(100 * 365 * 24 * 3600);
        while let Some(entry) = self.timers.pop_expired(far_future) {
            drop(entry);
        }
    }

    /// Runs queued work until none is left, without waiting for I/O or timers
    /// (used when closing, to let cancelled tasks drop their futures).
    pub(crate) fn run_until_idle(&self) {
        for _ in 0..1_000 {
            self.drain_remote();
            if self.ready.borrow().is_empty() {
                return;
            }
            let ntodo = self.ready.borrow().len();
            for _ in 0..ntodo {
                let Some(item) = self.ready.borrow_mut().pop_front() else { break };
                self.run_item(item);
            }
        }
    }
}

impl LoopHooks for LoopState {
    fn call_soon(&self, f: Box<dyn FnOnce()>) {
        self.push(Ready::Call(f));
    }

    fn call_exception_handler(&self, ctx: ExceptionContext) {
        self.report(ctx);
    }

    fn task_host(&self) -> Option<&dyn TaskHost> {
        Some(self)
    }
}

// SAFETY: `Shared::schedule` queues a runnable either on this loop's ready
// queue (only when called on this thread while the loop runs) or on its
// remote queue, which only this loop's thread drains. A queued runnable
// keeps its task, and through the task's schedule closure the `Shared`
// holding the queue, alive: the queue can only be dropped once empty, so no
// runnable (and no future) is ever run or dropped on another thread. Futures
// are dropped on this thread when they finish, when a cancelled task is run,
// or when the loop drops its ready queue.
unsafe impl TaskHost for LoopState {
    fn reserve_slot(&self) -> u32 {
        u32::try_from(self.tasks.borrow().vacant_key()).unwrap_or(u32::MAX)
    }

    fn scheduler(&self) -> Arc<dyn Scheduler> {
        self.shared.clone()
    }

    fn adopt(&self, runnable: TaskRunnable) {
        let slot = self.tasks.borrow_mut().insert(runnable.task_ref());
        debug_assert_eq!(slot as u32, runnable.meta().slot());
        self.push_task(runnable);
    }
}
