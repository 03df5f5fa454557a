//! Tests of the primitive named by this file.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tulip_sync::Lock;

#[test]
fn acquire_release_locked() {
    let lock = Lock::new();
    assert!(!lock.locked());
    let g = futures_lite::future::block_on(lock.acquire());
    assert!(lock.locked());
    assert!(lock.try_acquire().is_none());
    g.release();
    assert!(!lock.locked());
    assert!(lock.try_acquire().is_some());
    assert!(!lock.locked());
    assert!(format!("{lock:?}").contains("locked"));
}

#[test]
fn waiter_is_woken_and_gets_lock_by_hand_off() {
    let lock = Lock::new();
    let g = lock.try_acquire().unwrap();
    let mut w = Driven::new(lock.acquire());
    assert!(w.poll().is_none());
    drop(g);
    assert_eq!(w.woken(), 1);
    assert!(lock.locked(), "handed off, not unlocked");
    assert!(lock.try_acquire().is_none(), "no barging");
    let g2 = w.poll().unwrap();
    drop(g2);
    assert!(!lock.locked());
}

#[test]
fn queued_waiter_dropped_removes_itself() {
    let lock = Lock::new();
    let g = lock.try_acquire().unwrap();
    let mut a = Driven::new(lock.acquire());
    let mut b = Driven::new(lock.acquire());
    assert!(a.poll().is_none() && b.poll().is_none());
    drop(a);
    drop(g);
    assert_eq!(b.woken(), 1);
    assert!(b.poll().is_some());
}

#[test]
fn granted_waiter_dropped_passes_lock_on() {
    let lock = Lock::new();
    let g = lock.try_acquire().unwrap();
    let mut a = Driven::new(lock.acquire());
    let mut b = Driven::new(lock.acquire());
    assert!(a.poll().is_none() && b.poll().is_none());
    drop(g); // a is handed the lock
    drop(a); // cancelled before running
    assert_eq!(b.woken(), 1);
    assert!(b.poll().is_some());
    assert!(!lock.locked());
}

#[test]
fn granted_waiter_dropped_without_others_unlocks() {
    let lock = Lock::new();
    let g = lock.try_acquire().unwrap();
    let mut a = Driven::new(lock.acquire());
    assert!(a.poll().is_none());
    drop(g);
    drop(a);
    assert!(!lock.locked());
}

#[test]
fn lock_fairness_five_tasks() {
    let order = tulip::run(async {
        let lock = Rc::new(Lock::new());
        let order = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (lock, order) = (lock.clone(), order.clone());
                tulip::create_task(async move {
                    for _ in 0..3 {
                        let _g = lock.acquire().await;
                        order.borrow_mut().push(i);
                        tulip::sleep(Duration::ZERO).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        Rc::try_unwrap(order).unwrap().into_inner()
    });
    println!("lock acquisition order: {order:?}");
    assert_eq!(order, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
}

#[test]
fn cancelled_task_on_loop_passes_lock() {
    tulip::run(async {
        let lock = Rc::new(Lock::new());
        let g = lock.try_acquire().unwrap();
        let l2 = lock.clone();
        let a = tulip::create_task(async move { drop(l2.acquire().await) });
        let l3 = lock.clone();
        let b = tulip::create_task(async move {
            let _g = l3.acquire().await;
            7
        });
        tulip::sleep(Duration::ZERO).await;
        drop(g);
        a.cancel();
        assert!(a.await.is_err());
        assert_eq!(b.await.unwrap(), 7);
        assert!(!lock.locked());
    });
}

#[test]
fn owned_guard_outlives_the_borrow_and_hands_off_in_order() {
    let lock = Rc::new(tulip_sync::Lock::new());
    let first = futures_lite::future::block_on(lock.acquire_owned());
    let mut second = Driven::new(lock.acquire_owned());
    let mut third = Driven::new(lock.acquire());
    assert!(second.poll().is_none() && third.poll().is_none());
    drop(first); // handed to `second`, the oldest waiter
    assert_eq!((second.woken(), third.woken()), (1, 0));
    drop(second); // cancelled after the hand-off: passes to `third`
    assert_eq!(third.woken(), 1);
    let g = third.poll().unwrap();
    assert!(lock.locked());
    drop(g);
    assert!(!lock.locked());
    assert_eq!(Rc::strong_count(&lock), 1);

    // On the loop: a guard moved into a 'static task.
    tulip::run(async {
        let lock = Rc::new(tulip_sync::Lock::new());
        let guard = lock.acquire_owned().await;
        let holder = tulip::create_task(async move {
            tulip::sleep(std::time::Duration::ZERO).await;
            drop(guard);
        });
        let _g = lock.acquire().await; // waits for the task to let go
        assert!(holder.done());
    });
}
