//! The guide's idioms (docs/python-idioms.md) against CPython: each Python
//! construct in `tests/twins/python_idioms.py` and its tulip idiom here
//! print the same trace.
#![allow(clippy::unwrap_used)]

mod common;

use common::Trace;
use std::time::Duration;
use tulip::prelude::*;

struct Finally(Trace, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.print(self.1);
    }
}

async fn with_resource<T>(o: &Trace, body: impl AsyncFnOnce(&mut Trace) -> T) -> T {
    o.print("enter");
    tulip::async_with(o.clone(), body, async |o: Trace, raised| {
        tulip::sleep(Duration::ZERO).await;
        o.print(format!("exit, raised: {}", if raised { "True" } else { "False" }));
    })
    .await
}

#[test]
fn python_idioms() {
    let out = Trace::default();
    let o = out.clone();
    let ev = tulip::get_event_loop();
    ev.run_until_complete(async move {
        let ow = o.clone();
        let t = create_task(async move {
            let oc = ow.clone();
            // try/finally inside, except CancelledError outside.
            let inner = async move {
                let _finally = Finally(ow, "inner finally");
                tulip::sleep(Duration::from_secs(3600)).await;
            };
            tulip::on_cancel(inner, move || oc.print("cleanup on cancel")).await;
        });
        tulip::sleep(Duration::ZERO).await;
        t.cancel();
        if let Err(TaskError::Cancelled(_)) = t.await {
            o.print("worker cancelled");
        }
        with_resource(&o, async |o: &mut Trace| o.print("body")).await;
        let of = o.clone();
        let failing = create_task(async move {
            with_resource(&of, async |_: &mut Trace| -> () { panic!("boom") }).await;
        });
        if let Err(TaskError::Panicked(p)) = failing.await {
            o.print(format!("body raised {}", p.message()));
        }
        // An async generator: a stream; `async for` is `while let` / collect.
        let numbers = tulip::stream::unfold(0, |i| async move {
            if i == 3 {
                return None;
            }
            tulip::sleep(Duration::ZERO).await;
            Some((i, i + 1))
        });
        let got: Vec<i32> = numbers.collect().await;
        o.print(format!("async for {got:?}"));
    });
    out.print(format!("same loop {}", if tulip::get_event_loop().same_loop(&ev) { "True" } else { "False" }));
    ev.close();
    common::check(
        "python_idioms",
        out.lines(),
        &[
            "inner finally",
            "cleanup on cancel",
            "worker cancelled",
            "enter",
            "body",
            "exit, raised: False",
            "enter",
            "exit, raised: True",
            "body raised boom",
            "async for [0, 1, 2]",
            "same loop True",
        ],
    );
}
