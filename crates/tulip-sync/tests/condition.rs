//! Tests of Condition.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use tulip_sync::Condition;

#[test]
fn wait_releases_and_reacquires() {
    let cond = Condition::new();
    let g = cond.lock().try_acquire().unwrap();
    let mut w = Driven::new(cond.wait(g));
    assert!(!cond.locked());
    assert!(w.poll().is_none());
    assert_eq!(cond.n_waiting(), 1);
    let other = cond.lock().try_acquire().unwrap();
    assert_eq!(cond.notify(5), Ok(1));
    assert!(w.poll().is_none(), "must re-acquire the lock first");
    drop(other);
    let g = w.poll().unwrap();
    assert!(cond.locked());
    drop(g);
    assert!(format!("{cond:?}").contains("locked"));
}

#[test]
fn notify_wakes_oldest_first() {
    let cond = Condition::new();
    let mut ws: Vec<_> = (0..3).map(|_| Driven::new(cond.wait(cond.lock().try_acquire().unwrap()))).collect();
    for w in &mut ws {
        assert!(w.poll().is_none());
    }
    let held = cond.lock().try_acquire().unwrap();
    assert_eq!(cond.notify(1), Ok(1));
    assert_eq!(ws.iter().map(|w| w.woken()).collect::<Vec<_>>(), [1, 0, 0]);
    assert_eq!(cond.notify_all(), Ok(2));
    drop(held);
    let g0 = ws[0].poll().unwrap();
    assert!(ws[1].poll().is_none());
    drop(g0);
    assert!(ws[1].poll().is_some());
    assert!(ws[2].poll().is_some());
}

#[test]
fn wait_for_predicate() {
    tulip::run(async {
        let cond = Rc::new(Condition::new());
        let value = Rc::new(Cell::new(0));
        let (c2, v2) = (cond.clone(), value.clone());
        let t = tulip::create_task(async move {
            let g = c2.acquire().await;
            let g = c2.wait_for(g, || v2.get() >= 3).await;
            let v = v2.get();
            drop(g);
            v
        });
        for i in 1..=3 {
            tulip::sleep(Duration::ZERO).await;
            let _g = cond.acquire().await;
            value.set(i);
            cond.notify_all().unwrap();
        }
        assert_eq!(t.await.unwrap(), 3);
    });
}

/// python/cpython#111693: a cancelled wait must leave the lock in the right
/// state (re-acquired then released by the cancellation, never leaked or
/// double-released) and must not swallow the notification.
#[test]
fn condition_wait_cancelled_reacquires_lock() {
    // By hand: cancelled while waiting to re-acquire, after the lock was handed to it.
    let cond = Condition::new();
    let mut a = Driven::new(cond.wait(cond.lock().try_acquire().unwrap()));
    assert!(a.poll().is_none());
    let holder = cond.lock().try_acquire().unwrap();
    cond.notify(1).unwrap();
    assert!(a.poll().is_none()); // queued on the lock
    let mut late = Driven::new(cond.acquire());
    assert!(late.poll().is_none());
    drop(holder); // lock handed to `a`
    assert!(cond.locked());
    drop(a); // cancelled: the lock passes to `late`
    assert!(late.poll().is_some());
    assert!(!cond.locked());

    // Cancelled after notification, before running: the notification passes on.
    let mut x = Driven::new(cond.wait(cond.lock().try_acquire().unwrap()));
    let mut y = Driven::new(cond.wait(cond.lock().try_acquire().unwrap()));
    assert!(x.poll().is_none() && y.poll().is_none());
    let held = cond.lock().try_acquire().unwrap();
    cond.notify(1).unwrap();
    drop(held);
    drop(x);
    assert_eq!(y.woken(), 1);
    assert!(y.poll().is_some());

    // On the loop, cancelling the task: it reports cancellation, lock is free.
    tulip::run(async {
        let cond = Rc::new(Condition::new());
        let log = Rc::new(RefCell::new(Vec::new()));
        let (c2, l2) = (cond.clone(), log.clone());
        let t = tulip::create_task(async move {
            let g = c2.acquire().await;
            let _g = c2.wait(g).await;
            l2.borrow_mut().push("woke");
        });
        tulip::sleep(Duration::ZERO).await;
        let g = cond.acquire().await;
        cond.notify_all().unwrap();
        t.cancel();
        tulip::sleep(Duration::ZERO).await;
        drop(g);
        assert!(t.await.unwrap_err().to_string().to_lowercase().contains("cancel"));
        assert!(!cond.locked());
        assert!(log.borrow().is_empty());
        assert!(cond.lock().try_acquire().is_some());
    });
}

#[test]
fn condition_wait_rejects_guard_of_another_lock() {
    let cond = Condition::new();
    let other = tulip_sync::Lock::new();
    let guard = other.try_acquire().unwrap();
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(cond.wait(guard))));
    assert!(waited.is_err(), "a guard of another lock must be refused");
    // Refused before anything changed: the guard was released by the
    // unwinding, nobody was registered, the condition's lock untouched.
    assert!(!other.locked() && !cond.locked());
    assert_eq!(cond.n_waiting(), 0);
    let g = other.try_acquire().unwrap();
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(cond.wait_for(g, || true))));
    assert!(refused.is_err());
    assert!(!other.locked());
}

#[test]
fn conditions_sharing_a_lock() {
    let lock = Rc::new(tulip_sync::Lock::new());
    let a = Condition::with_lock(lock.clone());
    let b = Condition::with_lock(lock.clone());
    assert!(std::ptr::eq(a.lock(), b.lock()));
    let mut wa = Driven::new(a.wait(lock.try_acquire().unwrap()));
    let mut wb = Driven::new(b.wait(b.lock().try_acquire().unwrap()));
    assert!(wa.poll().is_none() && wb.poll().is_none());
    assert_eq!((a.n_waiting(), b.n_waiting()), (1, 1));
    let held = lock.try_acquire().unwrap();
    assert_eq!(b.notify_all(), Ok(1)); // only b's waiter
    drop(held);
    assert!(wa.poll().is_none());
    let g = wb.poll().unwrap();
    assert!(a.locked());
    assert_eq!(a.notify(1), Ok(1));
    assert!(wa.poll().is_none(), "the lock is still held by b's waiter");
    drop(g);
    assert!(wa.poll().is_some());
}

/// asyncio raises `RuntimeError: cannot notify on un-acquired lock`.
#[test]
fn notify_without_the_lock_is_an_error() {
    let cond = Condition::new();
    let mut w = Driven::new(cond.wait(cond.lock().try_acquire().unwrap()));
    assert!(w.poll().is_none());
    assert_eq!(cond.notify(1), Err(tulip_sync::NotifyError));
    assert_eq!(cond.notify_all(), Err(tulip_sync::NotifyError));
    assert_eq!(w.woken(), 0, "a refused notify wakes nobody");
    let held = cond.lock().try_acquire().unwrap();
    assert_eq!(cond.notify(1), Ok(1));
    drop(held);
    assert!(w.poll().is_some());
}
