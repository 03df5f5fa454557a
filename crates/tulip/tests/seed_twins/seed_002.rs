//! Seed 002: coroutines, `gather`, `wait_for`, `ensure_future`.

use super::*;

#[test]
fn hello_world() {
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        o.print("hello");
        tulip::sleep(secs(1.0)).await;
        o.print("world");
    });
    ev.close();
    check("hello_world", &[], out.lines(), &["hello", "world"], None);
}

async fn say_after(o: Trace, delay: Duration, what: &str) {
    tulip::sleep(delay).await;
    o.print(what);
}

#[test]
fn say_after_sequential() {
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        o.print(format!("started at {}", common::clock_time()));
        say_after(o.clone(), secs(1.0), "hello").await;
        say_after(o.clone(), secs(2.0), "world").await;
        o.print(format!("finished at {}", common::clock_time()));
    });
    ev.close();
    check("say_after", &[], out.lines(), &["started at HH:MM:SS", "hello", "world", "finished at HH:MM:SS"], None);
}

#[test]
fn say_after_gather() {
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    out.print(format!("started at {}", common::clock_time()));
    let _ = ev.run_until_complete(async move {
        tulip::gather([say_after(o.clone(), secs(1.0), "hello"), say_after(o.clone(), secs(2.0), "world")]).await
    });
    out.print(format!("finished at {}", common::clock_time()));
    ev.close();
    check(
        "say_after_gather",
        &[],
        out.lines(),
        &["started at HH:MM:SS", "hello", "world", "finished at HH:MM:SS"],
        None,
    );
}

#[test]
fn chain_coroutines() {
    async fn compute(o: Trace, a: i32, b: i32) -> i32 {
        o.print("Compute...");
        tulip::sleep(secs(1.0)).await;
        a + b
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        let result = compute(o.clone(), 1, 2).await;
        o.print(format!("1 + 2 = {result}"));
    });
    ev.close();
    check("chain_coroutines", &[], out.lines(), &["Compute...", "1 + 2 = 3"], None);
}

#[test]
fn gather_factorial() {
    async fn factorial(o: Trace, name: &'static str, number: u64) {
        let mut f = 1;
        for i in 2..=number {
            o.print(format!("Task {name}: Compute factorial({i})..."));
            tulip::sleep(secs(1.0)).await;
            f *= i;
        }
        o.print(format!("Task {name}: factorial({number}) = {f}"));
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        let _ =
            tulip::gather([factorial(o.clone(), "A", 2), factorial(o.clone(), "B", 3), factorial(o.clone(), "C", 4)])
                .await;
    });
    ev.close();
    check(
        "gather_factorial",
        &[],
        out.lines(),
        &[
            "Task A: Compute factorial(2)...",
            "Task B: Compute factorial(2)...",
            "Task C: Compute factorial(2)...",
            "Task A: factorial(2) = 2",
            "Task B: Compute factorial(3)...",
            "Task C: Compute factorial(3)...",
            "Task B: factorial(3) = 6",
            "Task C: Compute factorial(4)...",
            "Task C: factorial(4) = 24",
        ],
        None,
    );
}

#[test]
fn wait_for_eternity() {
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        let o2 = o.clone();
        let eternity = async move {
            tulip::sleep(secs(3600.0)).await;
            o2.print("yay!");
        };
        if let Err(tulip::TimeoutError) = tulip::wait_for(eternity, Some(secs(1.0))).await {
            o.print("timeout!");
        }
    });
    check("wait_for_eternity", &[], out.lines(), &["timeout!"], None);
}

#[test]
fn ensure_future_set_after() {
    async fn set_after(delay: Duration, value: &'static str) -> &'static str {
        tulip::sleep(delay).await;
        value
    }
    for just_await in [false, true] {
        let out = Trace::default();
        let o = out.clone();
        let ev = virtual_loop();
        ev.run_until_complete(async move {
            let fut = tulip::ensure_future(set_after(secs(1.0), "... world"));
            o.print("hello ...");
            let result = if just_await { fut.await.unwrap() } else { tulip::wait_for_task(fut, None).await.unwrap() };
            o.print(result);
        });
        ev.close();
        let args: &[&str] = if just_await { &["--await"] } else { &[] };
        check("ensure_future_set_after", args, out.lines(), &["hello ...", "... world"], None);
    }
}
