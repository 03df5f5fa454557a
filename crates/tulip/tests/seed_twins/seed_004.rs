//! Seed 004: the loop's callbacks, tasks and their cancellation.

use super::*;

fn event_handler(o: &Trace, ev: &LoopHandle, stop: bool) {
    o.print("Event handler called");
    if stop {
        o.print("stopping the loop");
        ev.stop();
    }
}

const HANDLER_LINES: &[&str] =
    &["starting event loop", "Event handler called", "Event handler called", "stopping the loop", "closing event loop"];

#[test]
fn call_soon_stop() {
    let out = Trace::default();
    let ev = virtual_loop();
    let (o, h) = (out.clone(), ev.handle());
    ev.call_soon(move || event_handler(&o, &h, false));
    out.print("starting event loop");
    let (o, h) = (out.clone(), ev.handle());
    ev.call_soon(move || event_handler(&o, &h, true));
    ev.run_forever();
    out.print("closing event loop");
    ev.close();
    check("call_soon_stop", &[], out.lines(), HANDLER_LINES, None);
}

#[test]
fn call_later_at() {
    let out = Trace::default();
    let ev = virtual_loop();
    let (o, h) = (out.clone(), ev.handle());
    ev.call_soon(move || event_handler(&o, &h, false));
    out.print("starting event loop");
    let current_time = ev.time();
    let (o, h) = (out.clone(), ev.handle());
    ev.call_at(current_time + secs(300.0), move || event_handler(&o, &h, true));
    ev.run_forever();
    out.print("closing event loop");
    assert!(ev.time() >= current_time + secs(300.0));
    ev.close();
    check("call_later_at", &[], out.lines(), HANDLER_LINES, None);
}

#[test]
fn create_task() {
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    out.print("task creation started");
    let task_obj = ev.create_task(async move {
        o.print("This task is taking 2 seconds to complete");
        // The seed's blocking time.sleep(2), a hundredfold shorter.
        std::thread::sleep(Duration::from_millis(20));
        "task finished"
    });
    let result = ev.run_until_complete(task_obj);
    ev.close();
    out.print(format!("The task's result was: {}", result.unwrap()));
    check(
        "create_task",
        &[],
        out.lines(),
        &["task creation started", "This task is taking 2 seconds to complete", "The task's result was: task finished"],
        None,
    );
}

#[test]
fn cancel_task() {
    struct OnCancel(Option<Trace>);
    impl Drop for OnCancel {
        fn drop(&mut self) {
            if let Some(o) = self.0.take() {
                o.print("my_task was cancelled while waiting");
            }
        }
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    out.print("task creation started");
    let task_obj = ev.create_task(async move {
        o.print("This task is taking 2 seconds to complete");
        let mut on_cancel = OnCancel(Some(o.clone()));
        tulip::sleep(secs(2.0)).await;
        on_cancel.0 = None;
        "task finished"
    });
    let task_ref = task_obj.task_ref();
    let to_cancel = task_ref.clone();
    ev.call_later(secs(1.0), move || {
        to_cancel.cancel(None);
    });
    if let Err(TaskError::Cancelled(_)) = ev.run_until_complete(task_obj) {
        out.print("run_until_complete raised CancelledError");
    }
    ev.close();
    out.print(format!("The task was cancelled: {}", if task_ref.cancelled() { "True" } else { "False" }));
    check(
        "cancel_task",
        &[],
        out.lines(),
        &[
            "task creation started",
            "This task is taking 2 seconds to complete",
            "my_task was cancelled while waiting",
            "run_until_complete raised CancelledError",
            "The task was cancelled: True",
        ],
        None,
    );
}
