//! The event loop's rules, one test each.
#![allow(clippy::unwrap_used)]

use std::future::Future as _;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use tulip_reactor::{create_task, current_task, EventLoop, RuntimeError};
use tulip_task::{ExceptionContext, TaskError, TaskState};
use tulip_timer::sleep;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn push(l: &Log, s: impl Into<String>) {
    l.borrow_mut().push(s.into());
}

fn capture_reports(ev: &EventLoop) -> Rc<RefCell<Vec<ExceptionContext>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    ev.set_exception_handler(move |ctx| s.borrow_mut().push(ctx.clone()));
    seen
}

#[test]
fn call_soon_runs_in_fifo_order() {
    let ev = EventLoop::new();
    let l = log();
    for i in 0..5 {
        let l = l.clone();
        ev.call_soon(move || push(&l, i.to_string()));
    }
    ev.run_until_complete(sleep(Duration::ZERO));
    assert_eq!(*l.borrow(), ["0", "1", "2", "3", "4"]);
}

#[test]
fn callbacks_scheduled_during_an_iteration_run_in_the_next() {
    let ev = EventLoop::new();
    let l = log();
    let (l1, h) = (l.clone(), ev.handle());
    ev.call_soon(move || {
        push(&l1, "first");
        let l2 = l1.clone();
        h.call_soon(move || push(&l2, "scheduled by first"));
    });
    let l3 = l.clone();
    ev.call_soon(move || push(&l3, "second"));
    let h = ev.handle();
    // stop() from a callback: the loop ends after this iteration.
    ev.call_soon(move || h.stop());
    ev.run_forever();
    assert_eq!(*l.borrow(), ["first", "second"]);
    ev.handle().stop();
    ev.run_forever();
    assert_eq!(*l.borrow(), ["first", "second", "scheduled by first"]);
}

#[test]
fn stop_before_run_forever_runs_one_iteration() {
    let ev = EventLoop::new();
    let ran = Rc::new(Cell::new(0));
    let r = ran.clone();
    ev.call_soon(move || r.set(r.get() + 1));
    ev.stop();
    ev.run_forever();
    assert_eq!(ran.get(), 1);
}

#[test]
fn cancelled_handle_does_not_run() {
    let ev = EventLoop::new();
    let h = ev.call_soon(|| panic!("must not run"));
    h.cancel();
    let t = ev.call_later(Duration::from_millis(1), || panic!("must not run"));
    t.cancel();
    assert!(t.cancelled());
    ev.run_until_complete(sleep(Duration::from_millis(5)));
}

#[test]
fn timers_fire_in_deadline_order_ties_in_insertion_order() {
    let ev = EventLoop::builder().virtual_clock().build().unwrap();
    let l = log();
    let now = ev.time();
    for (name, ms) in [("c", 30u64), ("a", 10), ("b1", 20), ("b2", 20), ("b3", 20)] {
        let l = l.clone();
        ev.call_at(now + Duration::from_millis(ms), move || push(&l, name));
    }
    ev.run_until_complete(sleep(Duration::from_millis(50)));
    assert_eq!(*l.borrow(), ["a", "b1", "b2", "b3", "c"]);
}

#[test]
fn sleep_zero_yields_exactly_one_iteration() {
    let ev = EventLoop::new();
    let l = log();
    let (a, b) = (l.clone(), l.clone());
    ev.create_task(async move {
        push(&a, "a1");
        sleep(Duration::ZERO).await;
        push(&a, "a2");
    });
    ev.create_task(async move {
        push(&b, "b1");
        sleep(Duration::ZERO).await;
        push(&b, "b2");
    });
    ev.run_until_complete(async {
        sleep(Duration::ZERO).await;
        sleep(Duration::ZERO).await;
    });
    assert_eq!(*l.borrow(), ["a1", "b1", "a2", "b2"]);
}

#[test]
fn cancel_before_first_poll_never_runs_the_future() {
    let ev = EventLoop::new();
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    let t = ev.create_task(async move { r.set(true) });
    assert_eq!(t.state(), TaskState::Pending);
    assert!(t.cancel());
    let out = ev.run_until_complete(t);
    assert!(matches!(out, Err(TaskError::Cancelled(_))));
    assert!(!ran.get());
}

#[test]
fn cancel_later_drops_the_future_and_runs_destructors() {
    struct Guard(Rc<Cell<bool>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let ev = EventLoop::new();
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    let t = ev.create_task(async move {
        let _g = Guard(d);
        sleep(Duration::from_secs(3600)).await;
    });
    ev.run_until_complete(sleep(Duration::ZERO));
    assert_eq!(t.state(), TaskState::Running);
    assert!(t.cancel_with("enough"));
    let out = ev.run_until_complete(async move {
        let out = t.await;
        (out, ())
    });
    assert!(dropped.get());
    match out.0 {
        Err(TaskError::Cancelled(e)) => assert_eq!(e.message.as_deref(), Some("enough")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancel_on_a_finished_task_returns_false() {
    let ev = EventLoop::new();
    let t = ev.create_task(async { 1 });
    ev.run_until_complete(sleep(Duration::ZERO));
    assert!(t.done());
    assert!(!t.cancel());
    assert_eq!(ev.run_until_complete(t).unwrap(), 1);
}

#[test]
fn dropping_a_task_handle_detaches_it() {
    let ev = EventLoop::new();
    let finished = Rc::new(Cell::new(false));
    let f = finished.clone();
    drop(ev.create_task(async move {
        sleep(Duration::from_millis(2)).await;
        f.set(true);
    }));
    ev.run_until_complete(sleep(Duration::from_millis(20)));
    assert!(finished.get());
}

#[test]
fn panic_is_returned_to_the_awaiter() {
    let ev = EventLoop::new();
    let t = ev.create_task(async {
        if true {
            panic!("kaboom");
        }
        5
    });
    match ev.run_until_complete(t) {
        Err(TaskError::Panicked(p)) => assert_eq!(p.message(), "kaboom"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unretrieved_panic_of_a_detached_task_is_reported_with_its_name() {
    let ev = EventLoop::new();
    let reports = capture_reports(&ev);
    ev.create_task_named("doomed", async {
        panic!("nobody listens");
    });
    ev.run_until_complete(sleep(Duration::ZERO));
    let r = reports.borrow();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].message, "Task exception was never retrieved");
    assert_eq!(r[0].task.as_ref().unwrap().name, "doomed");
}

#[test]
fn unretrieved_panic_is_reported_when_the_handle_is_dropped() {
    let ev = EventLoop::new();
    let reports = capture_reports(&ev);
    let t = ev.create_task(async { panic!("late") });
    ev.run_until_complete(sleep(Duration::ZERO));
    assert!(reports.borrow().is_empty());
    // Reports go to the handler of the loop running when the handle is dropped.
    ev.run_until_complete(async move { drop(t) });
    assert_eq!(reports.borrow()[0].message, "Task exception was never retrieved");
}

#[test]
fn close_reports_and_cancels_pending_tasks() {
    let ev = EventLoop::new();
    let reports = capture_reports(&ev);
    let dropped = Rc::new(Cell::new(false));
    struct Guard(Rc<Cell<bool>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let d = dropped.clone();
    let t = ev.create_task_named("stuck", async move {
        let _g = Guard(d);
        std::future::pending::<()>().await
    });
    ev.run_until_complete(sleep(Duration::ZERO));
    ev.close();
    assert!(dropped.get());
    assert!(t.cancelled());
    let r = reports.borrow();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].message, "Task was destroyed but it is pending!");
    assert_eq!(r[0].task.as_ref().unwrap().name, "stuck");
    assert!(ev.is_closed());
    assert_eq!(ev.try_run_until_complete(async {}), Err(RuntimeError::Closed));
}

#[test]
fn nested_run_is_an_error() {
    let ev = Rc::new(EventLoop::new());
    let inner = ev.clone();
    let r = ev.run_until_complete(async move { inner.try_run_until_complete(async {}) });
    assert_eq!(r, Err(RuntimeError::AlreadyRunning));
}

#[test]
fn current_task_and_all_tasks() {
    let ev = EventLoop::new();
    let (me, n) = ev.run_until_complete(async {
        let _other = create_task(std::future::pending::<()>());
        (current_task().unwrap().name(), tulip_reactor::all_tasks().len())
    });
    assert!(me.starts_with("Task-"));
    assert_eq!(n, 2);
    assert!(current_task().is_none());
}

#[test]
fn call_soon_threadsafe_wakes_a_sleeping_loop() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    let start = Instant::now();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        remote.call_soon_threadsafe(|| tulip_reactor::get_running_loop().stop()).unwrap();
    });
    ev.run_forever();
    t.join().unwrap();
    // Woken by the other thread, not by a timer: far less than a minute.
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn wakers_work_from_other_threads() {
    let ev = EventLoop::new();
    let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    let waiter = ev.create_task(async move {
        let mut first = true;
        std::future::poll_fn(move |cx| {
            if first {
                first = false;
                tx.send(cx.waker().clone()).unwrap();
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        })
        .await;
        d.set(true);
    });
    let t = std::thread::spawn(move || rx.recv().unwrap().wake());
    ev.run_until_complete(waiter).unwrap();
    t.join().unwrap();
    assert!(done.get());
}

#[test]
fn debug_mode_reports_slow_callbacks() {
    let ev = EventLoop::builder().debug(true).build().unwrap();
    ev.set_slow_callback_duration(Duration::from_millis(5));
    let reports = capture_reports(&ev);
    ev.call_soon(|| std::thread::sleep(Duration::from_millis(20)));
    ev.run_until_complete(sleep(Duration::ZERO));
    let r = reports.borrow();
    assert!(r.iter().any(|c| c.message.starts_with("Executing <Handle") && c.message.contains("took")), "{r:?}");
}

#[test]
fn panicking_callback_is_reported_and_the_loop_goes_on() {
    let ev = EventLoop::new();
    let reports = capture_reports(&ev);
    ev.call_soon(|| panic!("bad callback"));
    let v = ev.run_until_complete(async { 9 });
    assert_eq!(v, 9);
    assert_eq!(reports.borrow()[0].message, "Exception in callback");
}

#[test]
fn virtual_clock_jumps_without_sleeping() {
    let ev = EventLoop::builder().virtual_clock().build().unwrap();
    let real = Instant::now();
    let t0 = ev.time();
    ev.run_until_complete(sleep(Duration::from_secs(24 * 3600)));
    assert!(ev.time() - t0 >= Duration::from_secs(24 * 3600));
    assert!(real.elapsed() < Duration::from_secs(30));
}

#[test]
fn stop_inside_run_until_complete_is_an_error() {
    let ev = EventLoop::new();
    let h = ev.handle();
    let r = ev.try_run_until_complete(async move {
        h.stop();
        sleep(Duration::from_secs(3600)).await;
    });
    assert_eq!(r, Err(RuntimeError::StoppedBeforeComplete));
}

#[test]
fn future_done_callbacks_run_through_call_soon_in_order() {
    let ev = EventLoop::new();
    let l = log();
    let fut = ev.create_future::<u8>();
    for i in 0..3 {
        let l = l.clone();
        fut.add_done_callback(move |f| push(&l, format!("cb{i}={:?}", f.result().ok())));
    }
    let (l2, f2) = (l.clone(), fut.clone());
    ev.run_until_complete(async move {
        f2.set_result(7).unwrap();
        // Not inline: set_result returned before any callback ran.
        push(&l2, "after set_result");
        sleep(Duration::ZERO).await;
    });
    assert_eq!(*l.borrow(), ["after set_result", "cb0=Some(7)", "cb1=Some(7)", "cb2=Some(7)"]);
}

#[test]
fn running_flag_is_reset_when_a_panic_unwinds_out_of_the_loop() {
    // A waker of the user's own that panics when the timer wheel wakes it:
    // the panic unwinds out of the loop's iteration.
    struct PanickyWaker;
    impl std::task::Wake for PanickyWaker {
        fn wake(self: std::sync::Arc<Self>) {
            panic!("woken");
        }
    }
    let ev = EventLoop::new();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ev.run_until_complete(async {
            let mut sleep = std::pin::pin!(tulip_timer::sleep(std::time::Duration::from_millis(1)));
            let waker = std::task::Waker::from(std::sync::Arc::new(PanickyWaker));
            let _ = sleep.as_mut().poll(&mut std::task::Context::from_waker(&waker));
            tulip_timer::sleep(std::time::Duration::from_millis(20)).await;
        })
    }));
    assert!(unwound.is_err(), "the waker's panic reaches the caller");
    assert!(!ev.is_running(), "the loop must not stay 'running' forever");
    assert_eq!(ev.run_until_complete(async { 7 }), 7);
}

#[test]
fn call_later_with_duration_max_saturates_instead_of_panicking() {
    let ev = EventLoop::new();
    let h = ev.call_later(Duration::MAX, || unreachable!("practically never"));
    assert!(h.when() > ev.time() + Duration::from_secs(365 * 24 * 3600));
    h.cancel();
    ev.run_until_complete(async {});
}

#[test]
fn a_loop_closed_inside_another_loop_still_drops_its_tasks_futures() {
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let inner = EventLoop::new();
    let flag = Flag(dropped.clone());
    // The task starts and waits for a thread: its wake-up will come from
    // that thread, through the loop's remote queue.
    inner.create_task(async move {
        let _flag = flag;
        tulip::to_thread(|| std::thread::sleep(Duration::from_millis(50))).await;
        std::future::pending::<()>().await;
    });
    inner.run_until_complete(sleep(Duration::from_millis(1)));
    let outer = EventLoop::new();
    outer.set_exception_handler(|_| {});
    inner.set_exception_handler(|_| {});
    outer.run_until_complete(async move {
        inner.close(); // another loop (outer) is running on this thread
        drop(inner);
    });
    assert!(dropped.get(), "the inner loop's task future must be dropped when it closes");
}

#[test]
fn a_task_awaiting_itself_fails_instead_of_hanging() {
    let ev = EventLoop::new();
    ev.set_exception_handler(|_| {});
    let slot: Rc<RefCell<Option<tulip_task::Task<()>>>> = Rc::new(RefCell::new(None));
    let s = slot.clone();
    let task = ev.create_task(async move {
        sleep(Duration::ZERO).await;
        let me = s.borrow_mut().take().unwrap();
        let _ = me.await;
    });
    let probe = task.task_ref();
    *slot.borrow_mut() = Some(task);
    ev.run_until_complete(async move {
        let _ = tulip_timer::timeout(Duration::from_secs(5), async {
            while !probe.done() {
                sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        let state = probe.state();
        assert_eq!(state, TaskState::Done, "the self-await must fail the task, not hang it");
    });
}

#[test]
fn awaiting_a_task_of_another_loop_fails_instead_of_hanging() {
    let a = EventLoop::new();
    let foreign = a.create_task(async { 1 });
    let b = EventLoop::new();
    let out = b.run_until_complete(async move {
        let waiter = create_task(foreign); // a task of b awaiting a task of a
        tulip_timer::timeout(Duration::from_secs(5), waiter).await
    });
    match out {
        Ok(Err(TaskError::Panicked(p))) => assert!(p.message().contains("different event loop"), "{}", p.message()),
        other => panic!("expected the awaiting task to fail, got {other:?}"),
    }
}
