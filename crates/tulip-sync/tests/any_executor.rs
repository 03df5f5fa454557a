//! The primitives only use `Waker`s: the same programs run under tokio's
//! current-thread `LocalSet` as under tulip's loop or a plain `block_on`.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;
use tulip_sync::{Event, Lock, Queue, Semaphore};

fn on_tokio<F: std::future::Future>(fut: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tokio::task::LocalSet::new().block_on(&rt, fut)
}

#[test]
fn lock_is_fifo_under_tokio_local_set() {
    let order = on_tokio(async {
        let lock = Rc::new(Lock::new());
        let order = Rc::new(RefCell::new(Vec::new()));
        let held = lock.acquire().await;
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (lock, order) = (lock.clone(), order.clone());
                tokio::task::spawn_local(async move {
                    let _g = lock.acquire().await;
                    order.borrow_mut().push(i);
                    tokio::task::yield_now().await;
                })
            })
            .collect();
        tokio::task::yield_now().await; // every task queues on the lock
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        Rc::try_unwrap(order).unwrap().into_inner()
    });
    assert_eq!(order, [0, 1, 2, 3, 4]);
}

#[test]
fn queue_semaphore_event_under_tokio_local_set() {
    let total = on_tokio(async {
        let q = Rc::new(Queue::new(4));
        let sem = Rc::new(Semaphore::new(2));
        let go = Rc::new(Event::new());
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let (q, sem, go) = (q.clone(), sem.clone(), go.clone());
                tokio::task::spawn_local(async move {
                    go.wait().await;
                    let mut sum = 0;
                    while let Ok(v) = q.get().await {
                        let _permit = sem.acquire().await;
                        tokio::task::yield_now().await;
                        sum += v;
                        q.task_done().unwrap();
                    }
                    sum
                })
            })
            .collect();
        go.set();
        for i in 1..=100u64 {
            q.put(i).await.unwrap();
        }
        q.join().await;
        q.shutdown(false);
        let mut total = 0;
        for c in consumers {
            total += c.await.unwrap();
        }
        assert_eq!(sem.value(), 2);
        total
    });
    assert_eq!(total, 5050);
}
