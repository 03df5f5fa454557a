//! Combinator scenarios also written in Python (`tests/twins/*.py`): CPython
//! prints a trace and tulip's twin must print the same one.
#![allow(clippy::unwrap_used)]

mod common;

use common::Trace;
use std::time::Duration;

fn check(name: &str, ours: Vec<String>) {
    // Without python3 there is nothing to compare with: these scenarios'
    // Rust tests live in tulip-reactor.
    common::check(name, ours.clone(), &ours.iter().map(String::as_str).collect::<Vec<_>>());
}

async fn work(o: Trace, name: &'static str, ms: u64) -> &'static str {
    o.print(format!("{name} start"));
    tulip::sleep(Duration::from_millis(ms)).await;
    o.print(format!("{name} end"));
    name
}

#[test]
fn gather_order() {
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let g = tulip::gather([work(o.clone(), "a", 30), work(o.clone(), "b", 10), work(o.clone(), "c", 20)]);
        let v = g.await.unwrap();
        o.print(format!("gather {v:?}").replace('"', "'"));
        // asyncio's as_completed starts its children in set order (unstable),
        // so this half prints completions only.
        let quiet = |name: &'static str, ms: u64| async move {
            tulip::sleep(Duration::from_millis(ms)).await;
            name
        };
        let mut it = tulip::as_completed([quiet("x", 30), quiet("y", 10), quiet("z", 20)]);
        while let Some(r) = it.next().await {
            o.print(format!("as_completed {}", r.unwrap()));
        }
    });
    check("gather_order", out.lines());
}

#[test]
fn task_group_failure() {
    let out = Trace::default();
    let o = out.clone();
    struct Finally(Trace, &'static str);
    impl Drop for Finally {
        fn drop(&mut self) {
            self.0.print(format!("{} finally", self.1));
        }
    }
    let ok = |o: Trace, name: &'static str, ms: u64| async move {
        let _f = Finally(o.clone(), name);
        tulip::sleep(Duration::from_millis(ms)).await;
        o.print(format!("{name} done"));
        Ok::<_, String>(name)
    };
    tulip::run(async move {
        let tg = tulip::TaskGroup::new();
        tg.create_task(ok(o.clone(), "fast", 10)).unwrap();
        let b = o.clone();
        tg.create_task(async move {
            tulip::sleep(Duration::from_millis(20)).await;
            b.print("bad raises");
            Err("bad".to_string())
        })
        .unwrap();
        tg.create_task(ok(o.clone(), "slow", 500)).unwrap();
        if let Err(e) = tg.wait().await {
            let msgs: Vec<String> = e.errors().iter().map(|e| format!("'{e}'")).collect();
            o.print(format!("group failed [{}]", msgs.join(", ")));
        }
        if tulip::wait_for(ok(o.clone(), "eternity", 3_600_000), Some(Duration::from_millis(20))).await.is_err() {
            o.print("timeout!");
        }
    });
    check("task_group_failure", out.lines());
}

#[test]
fn wait_for_zero() {
    // asyncio 3.11: with a timeout of zero the coroutine is cancelled
    // before it starts.
    let out = Trace::default();
    let o = out.clone();
    tulip::run(async move {
        let body = |o: Trace, name: &'static str| async move {
            o.print(format!("{name} started"));
            name
        };
        match tulip::wait_for(body(o.clone(), "zero"), Some(Duration::ZERO)).await {
            Ok(v) => o.print(format!("result {v}")),
            Err(_) => o.print("zero: TimeoutError"),
        }
        let v = tulip::wait_for(body(o.clone(), "one second"), Some(Duration::from_secs(1))).await.unwrap();
        o.print(format!("result {v}"));
        if tulip::wait_for(tulip::sleep(Duration::from_secs(10)), Some(Duration::from_millis(10))).await.is_err() {
            o.print("sleep: TimeoutError");
        }
    });
    check("wait_for_zero", out.lines());
}
