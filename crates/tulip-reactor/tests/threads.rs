//! Other threads and the loop: run_coroutine_threadsafe and the blocking pool.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use tulip::to_thread;
use tulip_reactor::{run_coroutine_threadsafe, EventLoop};
use tulip_task::TaskError;

#[test]
fn run_coroutine_threadsafe_cancel_drops_the_future_on_the_loop() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    let t = std::thread::spawn(move || {
        let fut = run_coroutine_threadsafe(|| tulip_timer::sleep(Duration::from_secs(3600)), &remote);
        // Not done within a short wait: the handle comes back.
        let fut = fut.result_timeout(Duration::from_millis(20)).unwrap_err();
        assert!(fut.cancel());
        let r = fut.result();
        remote.stop();
        r
    });
    ev.run_forever();
    assert!(matches!(t.join().unwrap(), Err(TaskError::Cancelled(_))));
}

#[test]
fn run_coroutine_threadsafe_reports_a_panic() {
    std::panic::set_hook(Box::new(|_| {}));
    let ev = EventLoop::new();
    let remote = ev.remote();
    let t = std::thread::spawn(move || {
        let fut = run_coroutine_threadsafe(|| async { panic!("boom") }, &remote);
        let r: Result<(), _> = fut.result();
        remote.stop();
        r
    });
    ev.run_forever();
    match t.join().unwrap() {
        Err(TaskError::Panicked(p)) => assert_eq!(p.message(), "boom"),
        other => panic!("{other:?}"),
    }
    let _ = std::panic::take_hook();
}

#[test]
fn to_thread_runs_many_jobs_without_blocking_the_loop() {
    let ev = EventLoop::new();
    let total = ev.run_until_complete(async {
        let ticks = std::rc::Rc::new(std::cell::Cell::new(0));
        let t = ticks.clone();
        // The loop keeps running tasks while the pool sleeps.
        let ticker = tulip_reactor::create_task(async move {
            for _ in 0..5 {
                tulip_timer::sleep(Duration::from_millis(5)).await;
                t.set(t.get() + 1);
            }
        });
        let jobs: Vec<_> = (0..8u64)
            .map(|i| {
                to_thread(move || {
                    std::thread::sleep(Duration::from_millis(30));
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for j in jobs {
            sum += j.await;
        }
        ticker.await.unwrap();
        assert_eq!(ticks.get(), 5);
        sum
    });
    assert_eq!(total, 28);
}

#[test]
fn a_panic_in_to_thread_is_raised_in_the_awaiting_task() {
    std::panic::set_hook(Box::new(|_| {}));
    let ev = EventLoop::new();
    let task = ev.create_task(async { to_thread(|| panic!("in the pool")).await });
    let r: Result<(), _> = ev.run_until_complete(task);
    assert!(matches!(r, Err(TaskError::Panicked(p)) if p.message() == "in the pool"));
    let _ = std::panic::take_hook();
}

#[test]
fn result_timeout_with_duration_max_saturates_instead_of_panicking() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    let waiter = std::thread::spawn(move || {
        let fut = run_coroutine_threadsafe(|| async { 5 }, &remote);
        let out = fut.result_timeout(Duration::MAX).ok().map(|r| r.unwrap());
        remote.stop();
        out
    });
    ev.run_forever();
    assert_eq!(waiter.join().unwrap(), Some(5));
}
