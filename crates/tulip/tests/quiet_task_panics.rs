//! Item 15: a task's panic is not printed when it happens; it goes to its
//! awaiter, or to the exception handler when nobody handles it, and is
//! printed when it propagates out of `run`. The loop's panic filter wraps
//! the hook installed before the first loop, so this file (its own process)
//! installs a counting hook first and has a single test.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[test]
fn task_panics_reach_the_hook_only_when_asked() {
    let printed = Arc::new(AtomicUsize::new(0));
    let p = printed.clone();
    std::panic::set_hook(Box::new(move |_| {
        p.fetch_add(1, Ordering::SeqCst);
    }));
    let ev = tulip::EventLoop::new();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let r = reports.clone();
    ev.set_exception_handler(move |ctx| r.borrow_mut().push(ctx.to_string()));
    ev.run_until_complete(async {
        // Handled by its awaiter: never printed.
        assert!(tulip::create_task(async { panic!("handled") }).await.unwrap_err().is_panic());
        // Nobody handles it: reported, with its message and location.
        tulip::create_task(async { panic!("unhandled") }).detach();
        tulip::sleep(std::time::Duration::ZERO).await;
    });
    assert_eq!(printed.load(Ordering::SeqCst), 0, "no task panic reached the hook");
    let reports = reports.borrow().clone();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].contains("Task exception was never retrieved"), "{reports:?}");
    assert!(reports[0].contains("unhandled (panicked at"), "{reports:?}");
    assert!(reports[0].contains("quiet_task_panics.rs"), "{reports:?}");

    // Out of `run_until_complete` the panic is raised and printed (as
    // Python prints an exception leaving asyncio.run): by tulip itself, the
    // hook is not called again for a resumed panic.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ev.run_until_complete(async { panic!("escapes") });
    }));
    assert_eq!(tulip_task_payload(caught.unwrap_err()), "escapes");

    // Asked to print, the loop lets the hook see the panic at once.
    ev.set_print_task_panics(true);
    ev.run_until_complete(async {
        assert!(tulip::create_task(async { panic!("printed") }).await.is_err());
    });
    assert_eq!(printed.load(Ordering::SeqCst), 1);
    // Outside a task, panics reach the hook as always.
    let _ = std::panic::catch_unwind(|| panic!("plain"));
    assert_eq!(printed.load(Ordering::SeqCst), 2);
}

fn tulip_task_payload(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap()
}
