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
        remote.stop().unwrap();
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
        remote.stop().unwrap();
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
        remote.stop().unwrap();
        out
    });
    ev.run_forever();
    assert_eq!(waiter.join().unwrap(), Some(5));
}

#[test]
fn call_soon_threadsafe_to_a_closed_loop_is_refused() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    ev.close();
    assert_eq!(remote.call_soon_threadsafe(|| unreachable!()), Err(tulip_reactor::RuntimeError::Closed));
    assert_eq!(remote.stop(), Err(tulip_reactor::RuntimeError::Closed));
    let fut = run_coroutine_threadsafe(|| async { 1 }, &remote);
    match fut.result_timeout(Duration::from_secs(5)) {
        Ok(Err(TaskError::Cancelled(_))) => {}
        _ => panic!("a coroutine sent to a closed loop must be answered with an error"),
    }
}

#[test]
fn a_pending_concurrent_future_is_answered_when_its_loop_closes() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let fut = run_coroutine_threadsafe(std::future::pending::<()>, &remote);
        tx.send(()).unwrap();
        let out = fut.result_timeout(Duration::from_secs(10));
        matches!(out, Ok(Err(TaskError::Cancelled(_))))
    });
    rx.recv().unwrap();
    // Let the coroutine start, then close the loop under it.
    ev.run_until_complete(tulip_timer::sleep(Duration::from_millis(20)));
    ev.close();
    assert!(waiter.join().unwrap(), "the waiter must get a cancellation, not block forever");
}

#[test]
fn a_panic_in_the_closure_of_run_coroutine_threadsafe_reaches_the_waiter() {
    let ev = EventLoop::new();
    let remote = ev.remote();
    let waiter = std::thread::spawn(move || {
        let fut = run_coroutine_threadsafe(|| -> std::future::Ready<u8> { panic!("no coroutine for you") }, &remote);
        let out = fut.result_timeout(Duration::from_secs(10));
        remote.stop().unwrap();
        match out {
            Ok(Err(TaskError::Panicked(p))) => p.message().to_string(),
            _ => "no answer".to_string(),
        }
    });
    ev.set_exception_handler(|_| {});
    ev.run_forever();
    assert_eq!(waiter.join().unwrap(), "no coroutine for you");
}
