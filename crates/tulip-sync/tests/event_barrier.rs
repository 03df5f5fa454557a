//! Tests of Event and Barrier.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use std::rc::Rc;
use std::time::Duration;
use tulip_sync::{Barrier, BrokenBarrierError, Event};

#[test]
fn event_set_clear_wait() {
    let ev = Event::new();
    assert!(!ev.is_set());
    let mut a = Driven::new(ev.wait());
    let mut b = Driven::new(ev.wait());
    assert!(a.poll().is_none() && b.poll().is_none());
    assert_eq!(ev.n_waiting(), 2);
    ev.set();
    assert!(ev.is_set());
    assert_eq!((a.woken(), b.woken()), (1, 1));
    ev.clear(); // woken waiters still return
    assert!(a.poll().is_some() && b.poll().is_some());
    let mut c = Driven::new(ev.wait());
    assert!(c.poll().is_none());
    drop(c);
    assert_eq!(ev.n_waiting(), 0);
    ev.set();
    assert!(Driven::new(ev.wait()).poll().is_some());
    assert!(format!("{ev:?}").contains("set"));
}

#[test]
fn event_wakes_tasks_on_loop() {
    tulip::run(async {
        let ev = Rc::new(Event::new());
        let ts: Vec<_> = (0..10)
            .map(|i| {
                let ev = ev.clone();
                tulip::create_task(async move {
                    ev.wait().await;
                    i
                })
            })
            .collect();
        tulip::sleep(Duration::from_millis(1)).await;
        ev.set();
        let mut sum = 0;
        for t in ts {
            sum += t.await.unwrap();
        }
        assert_eq!(sum, 45);
    });
}

#[test]
fn barrier_indices_and_rounds() {
    let b = Barrier::new(3).unwrap();
    assert_eq!(b.parties(), 3);
    for _ in 0..2 {
        let mut x = Driven::new(b.wait());
        let mut y = Driven::new(b.wait());
        assert!(x.poll().is_none() && y.poll().is_none());
        assert_eq!(b.n_waiting(), 2);
        assert_eq!(Driven::new(b.wait()).poll(), Some(Ok(2)));
        assert_eq!((x.poll(), y.poll()), (Some(Ok(0)), Some(Ok(1))));
        assert_eq!(b.n_waiting(), 0);
    }
}

#[test]
fn barrier_abort_and_reset() {
    let b = Barrier::new(2).unwrap();
    let mut x = Driven::new(b.wait());
    assert!(x.poll().is_none());
    b.abort();
    assert!(b.broken());
    assert_eq!(x.poll(), Some(Err(BrokenBarrierError)));
    assert_eq!(Driven::new(b.wait()).poll(), Some(Err(BrokenBarrierError)));
    b.reset();
    assert!(!b.broken());
    let mut y = Driven::new(b.wait());
    assert!(y.poll().is_none());
    b.reset(); // fails current waiters, stays usable
    assert_eq!(y.poll(), Some(Err(BrokenBarrierError)));
    assert!(!b.broken());
    assert!(BrokenBarrierError.to_string().contains("BrokenBarrierError"));
    assert!(format!("{b:?}").contains("parties"));
}

#[test]
fn barrier_dropped_waiter_leaves() {
    let b = Barrier::new(2).unwrap();
    let mut x = Driven::new(b.wait());
    assert!(x.poll().is_none());
    drop(x);
    assert_eq!(b.n_waiting(), 0);
    let mut y = Driven::new(b.wait());
    assert!(y.poll().is_none());
    assert_eq!(Driven::new(b.wait()).poll(), Some(Ok(1)));
    assert_eq!(y.poll(), Some(Ok(0)));
}

#[test]
fn barrier_zero_parties_is_value_error() {
    let err = Barrier::new(0).unwrap_err();
    assert!(err.to_string().starts_with("ValueError"));
}

#[test]
fn barrier_on_loop() {
    tulip::run(async {
        let b = Rc::new(Barrier::new(4).unwrap());
        let ts: Vec<_> = (0..4)
            .map(|_| {
                let b = b.clone();
                tulip::create_task(async move { b.wait().await.unwrap() })
            })
            .collect();
        let mut idx = Vec::new();
        for t in ts {
            idx.push(t.await.unwrap());
        }
        idx.sort();
        assert_eq!(idx, [0, 1, 2, 3]);
    });
}

#[test]
fn event_released_waiter_dropped_does_not_touch_new_waiters() {
    let ev = Event::new();
    let mut old = Driven::new(ev.wait());
    assert!(old.poll().is_none());
    ev.set();
    ev.clear();
    // A new waiter may reuse the old one's slot; dropping the released old
    // waiter must not unregister it.
    let mut new = Driven::new(ev.wait());
    assert!(new.poll().is_none());
    drop(old);
    assert_eq!(ev.n_waiting(), 1);
    ev.set();
    assert_eq!(new.woken(), 1);
    assert!(new.poll().is_some());
}

/// A waker that panics when woken.
struct Explodes;

impl std::task::Wake for Explodes {
    fn wake(self: std::sync::Arc<Self>) {
        panic!("waker failed");
    }
}

#[test]
fn panicking_waker_does_not_strand_the_other_waiters() {
    use std::future::Future;
    use std::task::{Context, Waker};
    let ev = tulip_sync::Event::new();
    let mut first = Box::pin(ev.wait());
    let bad = Waker::from(std::sync::Arc::new(Explodes));
    assert!(first.as_mut().poll(&mut Context::from_waker(&bad)).is_pending());
    let mut second = common::Driven::new(ev.wait());
    assert!(second.poll().is_none());
    let set = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ev.set()));
    assert!(set.is_err(), "the waker's panic reaches the caller");
    assert_eq!(second.woken(), 1, "the other waiter was woken all the same");
    assert!(second.poll().is_some());

    let barrier = tulip_sync::Barrier::new(3).unwrap();
    let mut a = Box::pin(barrier.wait());
    assert!(a.as_mut().poll(&mut Context::from_waker(&bad)).is_pending());
    let mut b = common::Driven::new(barrier.wait());
    assert!(b.poll().is_none());
    let passed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        futures_lite::future::block_on(futures_lite::future::poll_once(barrier.wait()))
    }));
    assert!(passed.is_err());
    assert_eq!(b.woken(), 1);
    assert_eq!(b.poll(), Some(Ok(1)));
}
