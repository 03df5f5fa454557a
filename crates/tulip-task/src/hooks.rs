//! How futures and tasks reach the event loop that runs them, without
//! depending on it: the loop installs itself as the thread's [`LoopHooks`]
//! while it runs. With no loop installed, callbacks run inline and reports go
//! to [`default_exception_handler`].

use crate::exception::{default_exception_handler, ExceptionContext};
use std::cell::RefCell;
use std::rc::Rc;

/// What an event loop offers to the futures and tasks it runs.
pub trait LoopHooks {
    /// Schedules `f` to run in a later iteration (asyncio's `call_soon`).
    fn call_soon(&self, f: Box<dyn FnOnce()>);
    /// Reports a problem nobody handled (asyncio's `call_exception_handler`).
    fn call_exception_handler(&self, ctx: ExceptionContext);
    /// Whether a panic inside a task's poll goes only to whoever handles
    /// the task (its awaiter, or the exception handler's report), instead
    /// of being printed by the panic hook the moment it happens. asyncio
    /// prints nothing until an exception goes unretrieved; loops say yes.
    fn quiet_task_panics(&self) -> bool {
        false
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<dyn LoopHooks>>> = const { RefCell::new(None) };
}

/// Restores the previously installed hooks when dropped.
#[must_use = "the hooks are uninstalled when the guard is dropped"]
pub struct HooksGuard {
    previous: Option<Rc<dyn LoopHooks>>,
}

impl Drop for HooksGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // The hooks being uninstalled are dropped after the borrow ends: if
        // this was their last `Rc`, their destructor may report or schedule,
        // which reads CURRENT again. `try_with`: a guard dropped while the
        // thread's locals are torn down has nothing left to restore.
        let _uninstalled = CURRENT.try_with(|c| c.replace(previous));
    }
}

/// Installs `hooks` as this thread's loop until the guard is dropped. The
/// guard restores the previous hooks also when dropped by unwinding, so
/// installations nest.
///
/// ```
/// use std::rc::Rc;
/// use tulip_task::{enter_hooks, LoopHooks, ExceptionContext, Future};
/// struct Inline;
/// impl LoopHooks for Inline {
///     fn call_soon(&self, f: Box<dyn FnOnce()>) { f() }
///     fn call_exception_handler(&self, ctx: ExceptionContext) { eprintln!("{ctx}") }
/// }
/// let _guard = enter_hooks(Rc::new(Inline));
/// let fut = Future::new();
/// fut.add_done_callback(|f: &Future<i32>| println!("done: {:?}", f.result()));
/// fut.set_result(1).unwrap();
/// ```
pub fn enter_hooks(hooks: Rc<dyn LoopHooks>) -> HooksGuard {
    crate::panics::install_filter();
    let previous = CURRENT.with(|c| c.borrow_mut().replace(hooks));
    HooksGuard { previous }
}

fn current() -> Option<Rc<dyn LoopHooks>> {
    // `try_with`: reports made while the thread is being torn down (a task
    // dropped by a thread-local's destructor) go to the default handler.
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The installed loop's [`LoopHooks::quiet_task_panics`]; false with no
/// loop. Called from the panic hook: never panics, never waits.
pub(crate) fn current_quiet_task_panics() -> bool {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|h| h.as_ref().map(|h| h.quiet_task_panics())))
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// Schedules `f` on the thread's loop (asyncio's `call_soon`), or runs it
/// now if no loop is installed.
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// let ran = Rc::new(Cell::new(false));
/// let r = ran.clone();
/// tulip_task::call_soon(Box::new(move || r.set(true)));
/// assert!(ran.get()); // no loop on this thread: it ran at once
/// ```
pub fn call_soon(f: Box<dyn FnOnce()>) {
    match current() {
        Some(h) => h.call_soon(f),
        None => f(),
    }
}

/// Reports `ctx` to the thread's loop's exception handler, or to the default
/// handler if no loop is installed.
///
/// ```
/// tulip_task::report(tulip_task::ExceptionContext::new("lost a packet"));
/// ```
pub fn report(ctx: ExceptionContext) {
    match current() {
        Some(h) => h.call_exception_handler(ctx),
        None => default_exception_handler(&ctx),
    }
}
