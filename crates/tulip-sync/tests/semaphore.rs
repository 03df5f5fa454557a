//! Tests of the primitive named by this file.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use tulip_sync::{BoundedSemaphore, Semaphore, ValueError};

#[test]
fn acquire_value_locked_release() {
    let sem = Semaphore::new(2);
    assert_eq!(sem.value(), 2);
    let a = sem.try_acquire().unwrap();
    let b = futures_lite::future::block_on(sem.acquire());
    assert!(sem.locked());
    assert!(sem.try_acquire().is_none());
    a.release();
    assert_eq!(sem.value(), 1);
    b.forget();
    assert_eq!(sem.value(), 1);
    sem.release();
    sem.release(); // an unbounded semaphore may exceed its initial value
    assert_eq!(sem.value(), 3);
    assert_eq!(Semaphore::default().value(), 1);
    assert!(format!("{sem:?}").contains("value"));
}

#[test]
fn bounded_over_release_is_value_error() {
    let sem = BoundedSemaphore::new(1);
    assert!(matches!(sem.release(), Err(ValueError(_))));
    let p = futures_lite::future::block_on(sem.acquire());
    assert!(sem.locked());
    p.forget();
    assert_eq!(sem.release(), Ok(()));
    assert!(sem.release().is_err());
    assert_eq!(sem.value(), 1);
    assert_eq!(sem.n_waiting(), 0);
    assert!(sem.try_acquire().is_some());
    assert!(ValueError("x").to_string().contains("ValueError"));
}

#[test]
fn bounded_release_hands_to_waiter() {
    let sem = BoundedSemaphore::new(1);
    sem.try_acquire().unwrap().forget();
    let mut w = Driven::new(sem.acquire());
    assert!(w.poll().is_none());
    assert_eq!(sem.n_waiting(), 1);
    sem.release().unwrap();
    assert_eq!(sem.value(), 0);
    assert!(w.poll().is_some());
    assert_eq!(sem.value(), 1);
}

/// python/asyncio#270: two waiters, one release, the woken one is cancelled
/// before it runs: the other must proceed.
#[test]
fn semaphore_woken_waiter_cancelled_passes_permit_on() {
    let sem = Semaphore::new(0);
    let mut a = Driven::new(sem.acquire());
    let mut b = Driven::new(sem.acquire());
    assert!(a.poll().is_none() && b.poll().is_none());
    sem.release();
    assert_eq!((a.woken(), b.woken()), (1, 0));
    drop(a); // cancelled after being woken, before running
    assert_eq!(b.woken(), 1);
    let p = b.poll().unwrap();
    drop(p);
    assert_eq!(sem.value(), 1);
}

/// python/cpython#90155 (fixed by #93222): a woken-then-cancelled waiter must
/// not leave a "wakeup scheduled" state with no waiter to take it.
#[test]
fn semaphore_no_stale_wakeup_after_cancel() {
    let sem = Semaphore::new(0);
    let mut a = Driven::new(sem.acquire());
    assert!(a.poll().is_none());
    sem.release();
    drop(a);
    // The permit is back; nobody waits; a newcomer gets it at once.
    assert_eq!(sem.value(), 1);
    assert_eq!(sem.n_waiting(), 0);
    assert!(!sem.locked());
    let mut c = Driven::new(sem.acquire());
    assert!(c.poll().is_some());
    // And under the loop: repeated cancel storms never wedge the semaphore.
    tulip::run(async {
        let sem = Rc::new(Semaphore::new(1));
        for _ in 0..10 {
            let held = sem.try_acquire().unwrap();
            let ts: Vec<_> = (0..3)
                .map(|_| {
                    let s = sem.clone();
                    tulip::create_task(async move { drop(s.acquire().await) })
                })
                .collect();
            tulip::sleep(Duration::ZERO).await;
            drop(held);
            for t in &ts {
                t.cancel();
            }
            for t in ts {
                let _ = t.await;
            }
            assert_eq!(sem.value(), 1);
            assert_eq!(sem.n_waiting(), 0);
        }
    });
}

#[test]
fn semaphore_fairness_six_tasks() {
    let (order, max_inside) = tulip::run(async {
        let sem = Rc::new(Semaphore::new(2));
        let order = Rc::new(RefCell::new(Vec::new()));
        let inside = Rc::new(Cell::new((0usize, 0usize))); // (now, max)
        let ts: Vec<_> = (0..6)
            .map(|i| {
                let (sem, order, inside) = (sem.clone(), order.clone(), inside.clone());
                tulip::create_task(async move {
                    for _ in 0..3 {
                        let _p = sem.acquire().await;
                        order.borrow_mut().push(i);
                        let (now, max) = inside.get();
                        inside.set((now + 1, max.max(now + 1)));
                        tulip::sleep(Duration::ZERO).await;
                        inside.set((inside.get().0 - 1, inside.get().1));
                    }
                })
            })
            .collect();
        for t in ts {
            t.await.unwrap();
        }
        assert_eq!(sem.value(), 2);
        (Rc::try_unwrap(order).unwrap().into_inner(), inside.get().1)
    });
    println!("semaphore acquisition order: {order:?}");
    // Strict FIFO: a task that releases and re-acquires goes to the back.
    let round: Vec<usize> = (0..6).collect();
    assert_eq!(order, round.repeat(3));
    assert_eq!(max_inside, 2);
}

#[test]
fn queued_waiter_dropped_leaves_queue() {
    let sem = Semaphore::new(0);
    let mut a = Driven::new(sem.acquire());
    let mut b = Driven::new(sem.acquire());
    assert!(a.poll().is_none() && b.poll().is_none());
    assert_eq!(sem.n_waiting(), 2);
    drop(a);
    assert_eq!(sem.n_waiting(), 1);
    sem.release();
    assert!(b.poll().is_some());
}
