//! [`LoopHandle`]: what code running on a loop (or owning it) can ask of it
//! (asyncio's loop object, minus the methods that run it).

use crate::handles::{Handle, HandleInner, TimerHandle};
use crate::ready::Ready;
use crate::remote::RemoteHandle;
use crate::state::LoopState;
use std::fmt;
use std::future::Future as StdFuture;
use std::panic::Location;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tulip_task::{ExceptionContext, Future, Task, TaskBuilder, TaskRef};
use tulip_timer::TimerEntry;

/// A cloneable, single-thread handle to an event loop: asyncio's loop object
/// minus the methods that run it (those are on [`EventLoop`](crate::EventLoop),
/// which derefs to this). `get_running_loop()` returns one.
#[derive(Clone)]
pub struct LoopHandle {
    pub(crate) state: Rc<LoopState>,
}

impl LoopHandle {
    /// Schedules `callback` for the next iteration; callbacks run in FIFO
    /// order, and ones scheduled while an iteration runs wait for the next.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let ev = tulip::EventLoop::new();
    /// let log = Rc::new(RefCell::new(Vec::new()));
    /// for i in 0..3 {
    ///     let log = log.clone();
    ///     ev.call_soon(move || log.borrow_mut().push(i));
    /// }
    /// ev.run_until_complete(tulip::sleep(std::time::Duration::ZERO));
    /// assert_eq!(*log.borrow(), [0, 1, 2]);
    /// ```
    ///
    /// # Panics
    /// If the loop is closed: "Event loop is closed" (asyncio raises
    /// `RuntimeError`; the callback would never run).
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + 'static) -> Handle {
        self.refuse_if_closed();
        let inner = HandleInner::new(Box::new(callback), Location::caller());
        self.state.ready.push(Ready::Handle(inner.clone()));
        Handle { inner }
    }

    /// Schedules `callback` to run `delay` from now (asyncio's `call_later`).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// let ev = tulip::EventLoop::new();
    /// let fired = Rc::new(Cell::new(false));
    /// let f = fired.clone();
    /// ev.call_later(Duration::from_millis(5), move || f.set(true));
    /// ev.run_until_complete(tulip::sleep(Duration::from_millis(20)));
    /// assert!(fired.get());
    /// ```
    #[track_caller]
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> TimerHandle {
        // `Duration::MAX` means "practically never", not an overflow panic.
        let when = tulip_timer::saturating_add(self.time(), delay);
        self.call_at(when, callback)
    }

    /// Schedules `callback` at `when`, an instant of [`time`](Self::time)'s
    /// clock (asyncio's `call_at`). Timers due at the same instant run in the
    /// order they were scheduled.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ev = tulip::EventLoop::new();
    /// let when = ev.time() + Duration::from_millis(1);
    /// let h = ev.call_at(when, || println!("on time"));
    /// assert_eq!(h.when(), when);
    /// ev.run_until_complete(tulip::sleep(Duration::from_millis(5)));
    /// ```
    ///
    /// # Panics
    /// If the loop is closed (see [`call_soon`](Self::call_soon)); so does
    /// [`call_later`](Self::call_later).
    #[track_caller]
    pub fn call_at(&self, when: Instant, callback: impl FnOnce() + 'static) -> TimerHandle {
        self.refuse_if_closed();
        let inner = HandleInner::new(Box::new(callback), Location::caller());
        let fire = inner.clone();
        let key = self.state.timers.insert(
            when,
            TimerEntry::Call(Box::new(move || {
                if let Some(cb) = fire.take() {
                    cb();
                }
            })),
        );
        TimerHandle { handle: Handle { inner }, when, key, timers: self.state.timers.clone() }
    }

    /// The loop's clock (monotonic; virtual if the loop was built with a
    /// virtual clock).
    pub fn time(&self) -> Instant {
        self.state.timers.now()
    }

    /// Wraps `future` in a [`Task`] scheduled on this loop (asyncio's
    /// `loop.create_task`). The future may be `!Send`. The task starts at the
    /// loop's next iteration.
    ///
    /// # Panics
    /// If the loop is closed: "Event loop is closed" (asyncio's
    /// `RuntimeError`). The same holds for the other `create_task*`.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let task = ev.create_task(async { 6 * 7 });
    /// assert_eq!(ev.run_until_complete(task).unwrap(), 42);
    /// ```
    #[track_caller]
    pub fn create_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        self.refuse_if_closed();
        self.state.spawn(TaskBuilder::new(), future)
    }

    /// Like [`create_task`](Self::create_task), with a name (asyncio's
    /// `create_task(coro, name=...)`).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let task = ev.create_task_named("worker-1", async {});
    /// assert_eq!(task.name(), "worker-1");
    /// ```
    #[track_caller]
    pub fn create_task_named<F>(&self, name: impl Into<String>, future: F) -> Task<F::Output>
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        self.refuse_if_closed();
        self.state.spawn(TaskBuilder::new().name(name), future)
    }

    /// A task of the runtime's own (for the crates built on the loop: a
    /// stream's background flush, a server's accept loop): not listed by
    /// `all_tasks`, not reported when the loop closes, though cancelled then
    /// like every task.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let t = ev.create_internal_task(std::future::pending::<()>());
    /// assert!(ev.all_tasks().is_empty());
    /// ev.close(); // cancelled without a report
    /// assert!(t.cancelled());
    /// ```
    #[track_caller]
    pub fn create_internal_task<F>(&self, future: F) -> Task<F::Output>
    where
        F: StdFuture + 'static,
        F::Output: 'static,
    {
        self.refuse_if_closed();
        self.state.spawn(TaskBuilder::new().internal(true), future)
    }

    /// asyncio's `RuntimeError('Event loop is closed')` for work that
    /// could never run.
    #[track_caller]
    fn refuse_if_closed(&self) {
        if self.state.closed.get() {
            panic!("Event loop is closed");
        }
    }

    /// This loop's value of type `T`, created with `T::default()` on first
    /// use and dropped when the loop closes: where the crates built on the
    /// loop keep per-loop state (tulip-process keeps its signal handlers
    /// here), instead of thread-locals that would outlive the loop.
    ///
    /// ```
    /// use std::cell::Cell;
    /// #[derive(Default)]
    /// struct Connections(Cell<u32>);
    /// let ev = tulip::EventLoop::new();
    /// ev.local::<Connections>().0.set(3);
    /// assert_eq!(ev.local::<Connections>().0.get(), 3);
    /// assert_eq!(tulip::EventLoop::new().local::<Connections>().0.get(), 0);
    /// ```
    pub fn local<T: Default + 'static>(&self) -> Rc<T> {
        self.state.locals.get::<T>()
    }

    /// A new pending [`Future`] (asyncio's `loop.create_future()`).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let fut = ev.create_future();
    /// let setter = fut.clone();
    /// ev.call_soon(move || setter.set_result("ready").unwrap());
    /// assert_eq!(ev.run_until_complete(fut).unwrap(), "ready");
    /// ```
    #[track_caller]
    pub fn create_future<T: 'static>(&self) -> Future<T> {
        Future::new()
    }

    /// Asks the loop to stop after the current iteration (asyncio's
    /// `loop.stop()`). Called before `run_forever`, the loop runs one
    /// iteration and stops.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let h = ev.handle();
    /// ev.call_soon(move || {
    ///     assert!(h.is_running());
    ///     h.stop();
    /// });
    /// ev.run_forever();
    /// assert!(!ev.is_running() && !ev.is_closed());
    /// ```
    pub fn stop(&self) {
        self.state.stopping.set(true);
    }

    /// True while `run_forever`/`run_until_complete` is executing.
    pub fn is_running(&self) -> bool {
        self.state.running.get()
    }

    /// True once the loop was closed.
    pub fn is_closed(&self) -> bool {
        self.state.closed.get()
    }

    /// Every task of this loop that is not done (asyncio's `all_tasks`).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let t = ev.create_task_named("sleeper", std::future::pending::<()>());
    /// let names: Vec<_> = ev.all_tasks().iter().map(|t| t.name()).collect();
    /// assert_eq!(names, ["sleeper"]);
    /// t.cancel();
    /// ev.run_until_complete(async {});
    /// assert!(ev.all_tasks().is_empty());
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskRef> {
        self.state.tasks.borrow().iter().map(|(_, t)| t.clone()).filter(|t| !t.done() && !t.meta().internal()).collect()
    }

    /// Sets the function that receives reports (asyncio's
    /// `set_exception_handler`); see [`ExceptionContext`].
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc};
    /// let ev = tulip::EventLoop::new();
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let s = seen.clone();
    /// ev.set_exception_handler(move |ctx| s.borrow_mut().push(ctx.message.clone()));
    /// ev.call_exception_handler(tulip::ExceptionContext::new("custom"));
    /// assert_eq!(*seen.borrow(), ["custom"]);
    /// ```
    pub fn set_exception_handler(&self, handler: impl Fn(&ExceptionContext) + 'static) {
        *self.state.exception_handler.borrow_mut() = Some(Rc::new(handler));
    }

    /// Goes back to [`default_exception_handler`](Self::default_exception_handler)
    /// (asyncio's `set_exception_handler(None)`).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.set_exception_handler(|_| unreachable!("reset before use"));
    /// ev.reset_exception_handler();
    /// // Printed to stderr by the default handler.
    /// ev.call_exception_handler(tulip::ExceptionContext::new("to stderr"));
    /// ```
    pub fn reset_exception_handler(&self) {
        *self.state.exception_handler.borrow_mut() = None;
    }

    /// Reports `ctx` through the loop's exception handler.
    pub fn call_exception_handler(&self, ctx: ExceptionContext) {
        self.state.report(ctx);
    }

    /// The default handler: prints the message, the task and where it was
    /// created to stderr.
    pub fn default_exception_handler(&self, ctx: &ExceptionContext) {
        tulip_task::default_exception_handler(ctx)
    }

    /// Turns debug mode on or off (also on when the loop is created with
    /// `TULIP_DEBUG=1` in the environment): callbacks and task steps slower
    /// than [`slow_callback_duration`](Self::set_slow_callback_duration) are
    /// reported with their name and creation site.
    ///
    /// ```
    /// use std::{cell::RefCell, rc::Rc, time::Duration};
    /// let ev = tulip::EventLoop::new();
    /// ev.set_debug(true);
    /// assert!(ev.get_debug());
    /// ev.set_slow_callback_duration(Duration::from_millis(1));
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let s = seen.clone();
    /// ev.set_exception_handler(move |ctx| s.borrow_mut().push(ctx.message.clone()));
    /// ev.call_soon(|| std::thread::sleep(Duration::from_millis(5)));
    /// ev.run_until_complete(async {});
    /// assert!(seen.borrow().iter().any(|m| m.contains("took")));
    /// ```
    pub fn set_debug(&self, enabled: bool) {
        self.state.debug.set(enabled);
    }

    /// Whether a panic in a task is printed the moment it happens (Rust's
    /// panic hook) or, as asyncio does with exceptions, only once nobody
    /// handled it: through the exception handler's "Task exception was never
    /// retrieved" (with the panic's message and location), or printed when
    /// it propagates out of `run_until_complete`. Quiet is the default;
    /// `set_print_task_panics(true)` restores the hook's immediate output.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// assert!(!ev.print_task_panics());
    /// let r = ev.run_until_complete(async {
    ///     // Nothing is printed here: the awaiter handles the panic.
    ///     tulip::create_task(async { panic!("handled") }).await
    /// });
    /// assert!(r.unwrap_err().is_panic());
    /// ev.set_print_task_panics(true);
    /// assert!(ev.print_task_panics());
    /// ```
    pub fn set_print_task_panics(&self, print: bool) {
        self.state.quiet_task_panics.set(!print);
    }

    /// See [`set_print_task_panics`](Self::set_print_task_panics).
    pub fn print_task_panics(&self) -> bool {
        !self.state.quiet_task_panics.get()
    }

    /// True in debug mode.
    pub fn get_debug(&self) -> bool {
        self.state.debug.get()
    }

    /// The slow-callback threshold of debug mode (default 100 ms).
    pub fn set_slow_callback_duration(&self, d: Duration) {
        self.state.slow_callback_duration.set(d);
    }

    /// A `Send + Sync` handle for other threads.
    pub fn remote(&self) -> RemoteHandle {
        RemoteHandle { shared: self.state.shared.clone() }
    }

    /// True if both handles refer to the same loop.
    pub fn same_loop(&self, other: &LoopHandle) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<EventLoop id={} running={} closed={} debug={}>",
            self.state.shared.id,
            self.is_running(),
            self.is_closed(),
            self.get_debug()
        )
    }
}
