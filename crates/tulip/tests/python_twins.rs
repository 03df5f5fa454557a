//! Each scenario here is also written in Python (`tests/twins/*.py`); CPython's
//! asyncio prints a trace, and tulip's twin must print the same one.
#![allow(clippy::unwrap_used)]

mod common;

use common::{check, Trace};
use std::time::Duration;
use tulip::{EventLoop, TaskError};

#[test]
fn context_switch() {
    let out = Trace::default();
    let ioloop = EventLoop::new();
    let (a, b) = (out.clone(), out.clone());
    let tasks = vec![
        ioloop.create_task(async move {
            a.print("Running in foo");
            tulip::sleep(Duration::ZERO).await;
            a.print("Explicit context switch to foo again");
        }),
        ioloop.create_task(async move {
            b.print("Explicit context to bar");
            tulip::sleep(Duration::ZERO).await;
            b.print("Implicit context switch back to bar");
        }),
    ];
    ioloop.run_until_complete(async move {
        for t in tasks {
            t.await.unwrap();
        }
    });
    ioloop.close();
    check(
        "context_switch",
        out.lines(),
        &[
            "Running in foo",
            "Explicit context to bar",
            "Explicit context switch to foo again",
            "Implicit context switch back to bar",
        ],
    );
}

#[test]
fn call_soon_stop() {
    let out = Trace::default();
    let ev = EventLoop::new();
    for stop in [false, true] {
        let (o, h) = (out.clone(), ev.handle());
        ev.call_soon(move || {
            o.print("Event handler called");
            if stop {
                o.print("stopping the loop");
                h.stop();
            }
        });
    }
    out.print("starting event loop");
    ev.run_forever();
    out.print("closing event loop");
    ev.close();
    check(
        "call_soon_stop",
        out.lines(),
        &[
            "starting event loop",
            "Event handler called",
            "Event handler called",
            "stopping the loop",
            "closing event loop",
        ],
    );
}

#[test]
fn timer_order() {
    let out = Trace::default();
    let ev = EventLoop::new();
    let (o, h) = (out.clone(), ev.handle());
    ev.run_until_complete(async move {
        let now = h.time();
        o.print("registering callbacks");
        let p = |s: &'static str| {
            let o = o.clone();
            move || o.print(s)
        };
        h.call_at(now + Duration::from_millis(20), p("callback 1"));
        h.call_at(now + Duration::from_millis(10), p("callback 2"));
        h.call_soon(p("callback 3"));
        h.call_at(now + Duration::from_millis(15), p("callback 4"));
        h.call_later(Duration::ZERO, p("callback 5 (call_later 0)"));
        tulip::sleep(Duration::from_millis(50)).await;
        o.print("done");
    });
    check(
        "timer_order",
        out.lines(),
        &[
            "registering callbacks",
            "callback 3",
            "callback 5 (call_later 0)",
            "callback 2",
            "callback 4",
            "callback 1",
            "done",
        ],
    );
}

#[test]
fn callbacks_and_waiters() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let fut = tulip::get_running_loop().create_future::<i32>();
        let waiter = |name: &'static str| {
            let (o, fut) = (o.clone(), fut.clone());
            async move {
                o.print(format!("{name} waiting"));
                let v = fut.await.unwrap();
                o.print(format!("{name} got {v}"));
            }
        };
        let oa = o.clone();
        fut.add_done_callback(move |f| oa.print(format!("callback A {}", f.result().unwrap())));
        let t1 = tulip::create_task(waiter("task1"));
        tulip::sleep(Duration::ZERO).await;
        let ob = o.clone();
        fut.add_done_callback(move |f| ob.print(format!("callback B {}", f.result().unwrap())));
        let t2 = tulip::create_task(waiter("task2"));
        tulip::sleep(Duration::ZERO).await;
        o.print("setting result");
        fut.set_result(7).unwrap();
        o.print("set_result returned");
        t1.await.unwrap();
        t2.await.unwrap();
        o.print("main done");
    });
    check(
        "callbacks_and_waiters",
        out.lines(),
        &[
            "task1 waiting",
            "task2 waiting",
            "setting result",
            "set_result returned",
            "callback A 7",
            "task1 got 7",
            "callback B 7",
            "task2 got 7",
            "main done",
        ],
    );
}

#[test]
fn cancel_task() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        o.print("creating task");
        let o1 = o.clone();
        let task = tulip::create_task(async move {
            o1.print("in task_func");
            "the result"
        });
        o.print("canceling task");
        o.print(format!("cancel returned {}", py_bool(task.cancel())));
        if let Err(TaskError::Cancelled(_)) = task.await {
            o.print("caught error from canceled task");
        }
        struct Finally(Trace);
        impl Drop for Finally {
            fn drop(&mut self) {
                self.0.print("sleeper finally");
            }
        }
        let o2 = o.clone();
        let s = tulip::create_task(async move {
            let _f = Finally(o2.clone());
            o2.print("sleeper started");
            tulip::sleep(Duration::from_secs(3600)).await;
        });
        tulip::sleep(Duration::ZERO).await;
        o.print(format!("cancel sleeper {}", py_bool(s.cancel())));
        let r = s.task_ref();
        if let Err(TaskError::Cancelled(_)) = s.await {
            o.print(format!("sleeper cancelled {}", py_bool(r.cancelled())));
        }
        o.print(format!("cancel again {}", py_bool(r.cancel(None))));
    });
    check(
        "cancel_task",
        out.lines(),
        &[
            "creating task",
            "canceling task",
            "cancel returned True",
            "caught error from canceled task",
            "sleeper started",
            "cancel sleeper True",
            "sleeper finally",
            "sleeper cancelled True",
            "cancel again False",
        ],
    );
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

#[test]
fn closed_loop_refuses_work() {
    // asyncio raises RuntimeError('Event loop is closed'); tulip panics with
    // the same message where the call has no error to return.
    let ev = tulip::EventLoop::new();
    ev.close();
    let mut lines = Vec::new();
    type Attempt<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let attempts: [Attempt<'_>; 3] = [
        ("call_soon", Box::new(|| drop(ev.call_soon(|| {})))),
        ("call_later", Box::new(|| drop(ev.call_later(std::time::Duration::from_secs(1), || {})))),
        ("create_task", Box::new(|| drop(ev.create_task(async {})))),
    ];
    for (name, call) in &attempts {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)) {
            Ok(()) => lines.push(format!("{name} accepted")),
            Err(p) => lines.push(format!("{name} RuntimeError {}", tulip_task::panic_message(&*p))),
        }
    }
    common::check(
        "closed_loop",
        lines,
        &[
            "call_soon RuntimeError Event loop is closed",
            "call_later RuntimeError Event loop is closed",
            "create_task RuntimeError Event loop is closed",
        ],
    );
}

#[test]
fn run_until_complete_stops_one_iteration_later() {
    // asyncio stops run_until_complete from the future's done callback,
    // which runs in the next iteration: other ready tasks get one more step.
    let out = Trace::default();
    let ev = EventLoop::new();
    let (o, t) = (out.clone(), out.clone());
    ev.run_until_complete(async move {
        tulip::create_task(async move {
            for i in 0..5 {
                t.print(format!("tick {i}"));
                tulip::sleep(Duration::ZERO).await;
            }
        })
        .detach();
        tulip::sleep(Duration::ZERO).await;
        o.print("main done");
    });
    out.print("after run_until_complete");
    ev.run_until_complete(tulip::sleep(Duration::ZERO));
    out.print("after a second run");
    ev.set_exception_handler(|_| {});
    ev.close();
    check(
        "run_until_complete_stop",
        out.lines(),
        &[
            "tick 0",
            "main done",
            "tick 1",
            "after run_until_complete",
            "tick 2",
            "tick 3",
            "tick 4",
            "after a second run",
        ],
    );
}
