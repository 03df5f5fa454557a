//! Installing and uninstalling loop hooks.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use tulip_task::{enter_hooks, report, ExceptionContext, LoopHooks};

struct ReportsWhenDropped(Rc<Cell<u32>>);

impl LoopHooks for ReportsWhenDropped {
    fn call_soon(&self, f: Box<dyn FnOnce()>) {
        f()
    }
    fn call_exception_handler(&self, _: ExceptionContext) {}
}

impl Drop for ReportsWhenDropped {
    fn drop(&mut self) {
        // Reaches the thread's hooks while the guard is restoring them.
        report(ExceptionContext::new("hooks dropped"));
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn hooks_dropped_by_their_guard_may_use_the_hooks() {
    let dropped = Rc::new(Cell::new(0));
    let guard = enter_hooks(Rc::new(ReportsWhenDropped(dropped.clone())));
    drop(guard);
    assert_eq!(dropped.get(), 1);
}
