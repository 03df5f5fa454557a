//! Task and gather scenarios also written in Python (`tests/twins/*.py`):
//! CPython prints a trace and tulip's twin must print the same one.
#![allow(clippy::unwrap_used)]

mod common;

use common::Trace;
use std::time::Duration;
use tulip::TaskError;

fn check(name: &str, ours: Vec<String>) {
    // Without python3 there is nothing to compare with but our own trace;
    // the Rust-only assertions in each test still run.
    common::check(name, ours.clone(), &ours.iter().map(String::as_str).collect::<Vec<_>>());
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The exception of a report without the panic's location, as Python
/// prints `str(exc)`.
fn exception_text(ctx: &tulip::ExceptionContext) -> String {
    let text = ctx.exception.as_ref().map(ToString::to_string).unwrap_or_default();
    text.split(" (panicked at").next().unwrap_or_default().to_string()
}

/// The loop's reports go to the trace, as the Python twins' handler prints.
fn print_reports(o: &Trace) {
    let h = o.clone();
    tulip::get_running_loop()
        .set_exception_handler(move |ctx| h.print(format!("reported: {} {}", ctx.message, exception_text(ctx))));
}

async fn fails(name: &'static str, delay: u64) {
    tulip::sleep(ms(delay)).await;
    panic!("{name}");
}

#[test]
fn gather_fail_fast() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        print_reports(&o);
        match tulip::gather([fails("first", 10), fails("second", 20)]).await {
            Err(TaskError::Panicked(p)) => o.print(format!("gather raised {}", p.message())),
            other => o.print(format!("unexpected {other:?}")),
        }
        tulip::sleep(ms(50)).await;
        o.print("second failed quietly");
        let t = tulip::create_task(fails("lonely", 10));
        tulip::sleep(ms(50)).await;
        drop(t);
        o.print("done");
    });
    check("gather_fail_fast", out.lines());
    // Also without python3: the detached task is reported, the gather's
    // second child is not.
    assert_eq!(out.lines().iter().filter(|l| l.starts_with("reported")).count(), 1);
}

#[test]
fn gather_task_fail_fast() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let lp = tulip::get_running_loop();
        let start = lp.time();
        let sleeper = tulip::create_task(tulip::sleep(Duration::from_secs(3600)));
        let r = sleeper.task_ref();
        lp.call_later(ms(10), move || {
            r.cancel(None);
        });
        if let Err(TaskError::Cancelled(_)) = tulip::gather!(sleeper, tulip::sleep(Duration::from_secs(1))).await {
            o.print(format!("gather cancelled, fast: {}", py(lp.time() - start < ms(500))));
        }
        let start = lp.time();
        let b = tulip::create_task(async {
            tulip::sleep(ms(10)).await;
            panic!("boom")
        });
        if let Err(TaskError::Panicked(p)) = tulip::gather!(b, tulip::sleep(Duration::from_secs(1))).await {
            o.print(format!("gather raised {} fast: {}", p.message(), py(lp.time() - start < ms(500))));
        }
        let ok = tulip::create_task(async {
            tulip::sleep(ms(10)).await;
            "task value"
        });
        let (a, b) = tulip::gather!(ok, async { "coro value" }).await.unwrap();
        o.print(format!("gathered ['{a}', '{b}']"));
    });
    check("gather_task_fail_fast", out.lines());
    assert_eq!(out.lines().len(), 3, "every gather resolved as asyncio's does");
}

struct Finally(Trace, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.print(format!("{} finally", self.1));
    }
}

async fn child(o: Trace, name: &'static str, delay: Duration) -> &'static str {
    let _f = Finally(o.clone(), name);
    tulip::sleep(delay).await;
    o.print(format!("{name} finished"));
    name
}

#[test]
fn cancel_propagates() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let c = tulip::create_task(child(o.clone(), "child", Duration::from_secs(3600)));
        let c_ref = c.task_ref();
        // The parent awaits the child (an async block, as `parent(t)` is).
        #[allow(clippy::redundant_async_block)]
        let p = tulip::create_task(async move { c.await });
        tulip::sleep(Duration::ZERO).await;
        p.cancel();
        if let Err(TaskError::Cancelled(_)) = p.await {
            o.print("parent cancelled");
        }
        tulip::sleep(Duration::ZERO).await;
        o.print(format!("child cancelled {}", py(c_ref.cancelled())));
        let c2 = tulip::create_task(child(o.clone(), "shielded", ms(10))).shared();
        let c2_for_parent = c2.clone();
        let p2 = tulip::create_task(async move {
            // shield of a task: the awaiting side's cancellation stops here.
            let inner = tulip::create_task(c2_for_parent);
            tulip::shield(inner).await
        });
        tulip::sleep(Duration::ZERO).await;
        p2.cancel();
        if let Err(TaskError::Cancelled(_)) = p2.await {
            o.print("parent2 cancelled");
        }
        o.print(format!("shielded result {}", c2.await.unwrap()));
    });
    check("cancel_propagates", out.lines());
}

#[test]
fn task_api() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let t = tulip::create_task(async {
            tulip::sleep(ms(10)).await;
            "value"
        });
        if let Err(tulip::FutureError::InvalidState(_)) = t.result() {
            o.print("result: InvalidStateError");
        }
        let oc = o.clone();
        t.add_done_callback(move |t| oc.print(format!("callback sees done {}", py(t.done()))));
        let ou = o.clone();
        let unwanted = t.add_done_callback(move |_| ou.print("removed callback ran"));
        o.print(format!("removed {}", t.remove_done_callback(unwanted)));
        let t = t.shared();
        let waiter = |name: &'static str| {
            let (o, t) = (o.clone(), t.clone());
            async move { o.print(format!("{name} got {}", t.await.unwrap())) }
        };
        tulip::gather!(waiter("w1"), waiter("w2")).await.unwrap();
        o.print(format!("result {}", t.result().unwrap()));
        o.print(format!(
            "exception of a good task {}",
            t.exception().unwrap().map_or("None".into(), |e| e.to_string())
        ));
        let b = tulip::create_task(async { panic!("boom") });
        tulip::sleep(Duration::ZERO).await;
        o.print(format!("exception is set {}", py(b.exception().unwrap().is_some())));
        let ow = o.clone();
        let w = tulip::create_task(async move {
            struct Cleanup(Trace);
            impl Drop for Cleanup {
                fn drop(&mut self) {
                    let me = tulip::current_task().unwrap();
                    self.0.print(format!("cleanup cancelling {}", me.cancelling()));
                    self.0.print(format!("uncancel {}", me.uncancel()));
                }
            }
            let _c = Cleanup(ow);
            tulip::sleep(Duration::from_secs(3600)).await;
        });
        tulip::sleep(Duration::ZERO).await;
        w.cancel_with("stop");
        w.cancel_with("again");
        o.print(format!("cancelling before it runs {}", w.cancelling()));
        if let Err(TaskError::Cancelled(e)) = w.await {
            o.print(format!("cancelled with {}", e.message.as_deref().unwrap_or("None")));
        }
    });
    check("task_api", out.lines());
}

#[test]
fn wait_unretrieved() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        print_reports(&o);
        let (done, pending) = tulip::wait([tulip::create_task(async { panic!("lost boom") })]).await.unwrap();
        o.print(format!("wait returned {} {}", done.len(), pending.len()));
        drop(done);
        let (done, _) = tulip::wait([tulip::create_task(async { panic!("read boom") })]).await.unwrap();
        for t in &done {
            let e = t.exception().unwrap().unwrap().to_string();
            o.print(format!("read {}", e.split(" (panicked at").next().unwrap()));
        }
        drop(done);
        o.print("done");
    });
    check("wait_unretrieved", out.lines());
    assert_eq!(out.lines().iter().filter(|l| l.starts_with("reported")).count(), 1);
}

#[test]
fn nested_timeouts() {
    use std::error::Error;
    let out = Trace::default();
    let o = out.clone();
    let cause = |e: &tulip::TimeoutError| match e.source().and_then(|s| s.downcast_ref::<tulip::CancelledError>()) {
        Some(_) => "CancelledError",
        None => "None",
    };
    // A virtual clock: both timeouts of the first block get one deadline.
    let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
    ev.run_until_complete(async move {
        let oi = o.clone();
        let both = tulip::timeout(ms(10), async move {
            if tulip::timeout(ms(10), tulip::sleep(Duration::from_secs(1))).await.is_err() {
                oi.print("inner timeout");
            }
            tulip::sleep(Duration::from_secs(1)).await;
        });
        if let Err(e) = both.await {
            o.print(format!("outer timeout, cause {}", cause(&e)));
        }
        let mut inner = tulip::timeout(ms(10), tulip::sleep(Duration::from_secs(1)));
        let inner_handle = inner.handle();
        let oi = o.clone();
        let shorter_inner = tulip::timeout(ms(50), async move {
            if let Err(e) = inner.await {
                oi.print(format!("inner timeout, cause {}", cause(&e)));
            }
            oi.print("outer body goes on");
        });
        if shorter_inner.await.is_err() {
            o.print("outer timeout");
        }
        let text = |e: &dyn std::fmt::Display| e.to_string().trim_start_matches("RuntimeError: ").to_string();
        if let Err(e) = inner_handle.reschedule(None) {
            o.print(format!("reschedule: {}", text(&e)));
        }
        let mut done = tulip::timeout(Duration::from_secs(1), std::future::ready(()));
        (&mut done).await.unwrap();
        if let Err(e) = done.reschedule(None) {
            o.print(format!("reschedule: {}", text(&e)));
        }
        let cond = tulip::Condition::new();
        if let Err(e) = cond.notify(1) {
            o.print(format!("notify: {}", text(&e)));
        }
        let _guard = cond.acquire().await;
        cond.notify(1).unwrap();
        o.print("notify with the lock: ok");
    });
    check("nested_timeouts", out.lines());
    assert_eq!(out.lines().len(), 7);
}

fn py(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}
