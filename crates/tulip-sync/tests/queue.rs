//! Tests of Queue, LifoQueue and PriorityQueue.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use std::rc::Rc;
use tulip_sync::{
    GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue, QueueEmpty, QueueFull, QueueShutDown, ValueError,
};

#[test]
fn nowait_and_sizes() {
    let q = Queue::new(2);
    assert_eq!(q.maxsize(), 2);
    assert!(q.empty() && !q.full());
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    assert!(q.full());
    assert_eq!(q.qsize(), 2);
    assert_eq!(q.put_nowait(3), Err(PutNowaitError::Full(QueueFull(3))));
    assert_eq!(q.get_nowait(), Ok(1));
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty(QueueEmpty)));
    let unbounded = Queue::new(0);
    for i in 0..1000 {
        unbounded.put_nowait(i).unwrap();
    }
    assert!(!unbounded.full());
    assert!(format!("{q:?}").contains("maxsize"));
    assert_eq!(QueueFull(1).to_string(), "QueueFull");
    assert_eq!(QueueEmpty.to_string(), "QueueEmpty");
    assert_eq!(QueueShutDown(()).to_string(), "QueueShutDown");
}

#[test]
fn lifo_and_priority_orders() {
    let l = LifoQueue::new(0);
    let p = PriorityQueue::new(0);
    for v in [3, 1, 2] {
        l.put_nowait(v).unwrap();
        p.put_nowait(v).unwrap();
    }
    let lo: Vec<_> = (0..3).map(|_| l.get_nowait().unwrap()).collect();
    let po: Vec<_> = (0..3).map(|_| p.get_nowait().unwrap()).collect();
    assert_eq!(lo, [2, 1, 3]);
    assert_eq!(po, [1, 2, 3]);
}

#[test]
fn put_waits_when_full_and_get_waits_when_empty() {
    let q = Queue::new(1);
    let mut g = Driven::new(q.get());
    assert!(g.poll().is_none());
    q.put_nowait(10).unwrap(); // handed to the getter
    assert_eq!(q.qsize(), 1, "counted until the getter runs");
    assert!(q.full());
    assert_eq!(g.poll(), Some(Ok(10)));
    q.put_nowait(1).unwrap();
    let mut p = Driven::new(q.put(2));
    assert!(p.poll().is_none());
    assert_eq!(q.get_nowait(), Ok(1));
    assert_eq!(p.woken(), 1);
    assert!(q.full(), "slot reserved for the woken putter");
    assert!(q.put_nowait(3).is_err(), "no barging");
    assert_eq!(p.poll(), Some(Ok(())));
    assert_eq!(q.get_nowait(), Ok(2));
}

#[test]
fn queue_get_cancelled_after_handoff_keeps_item() {
    let q = Queue::new(0);
    let mut a = Driven::new(q.get());
    let mut b = Driven::new(q.get());
    assert!(a.poll().is_none() && b.poll().is_none());
    q.put_nowait("x").unwrap(); // handed to a
    drop(a); // cancelled before running: b gets it
    assert_eq!(b.woken(), 1);
    assert_eq!(b.poll(), Some(Ok("x")));
    // Without another getter, the item goes back to the head of the queue.
    let mut c = Driven::new(q.get());
    assert!(c.poll().is_none());
    q.put_nowait("y").unwrap();
    q.put_nowait("z").unwrap();
    drop(c);
    assert_eq!(q.get_nowait(), Ok("y"));
    assert_eq!(q.get_nowait(), Ok("z"));
}

#[test]
fn queue_put_cancelled_after_handoff_keeps_slot() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let mut a = Driven::new(q.put(1));
    let mut b = Driven::new(q.put(2));
    assert!(a.poll().is_none() && b.poll().is_none());
    assert_eq!(q.get_nowait(), Ok(0)); // slot handed to a
    drop(a); // cancelled: slot passes to b
    assert_eq!(b.woken(), 1);
    assert_eq!(b.poll(), Some(Ok(())));
    assert_eq!(q.get_nowait(), Ok(2));
    // Without another putter, the slot is simply free again.
    q.put_nowait(5).unwrap();
    let mut c = Driven::new(q.put(6));
    assert!(c.poll().is_none());
    q.get_nowait().unwrap();
    drop(c);
    assert!(!q.full());
    q.put_nowait(7).unwrap();
}

#[test]
fn task_done_and_join() {
    let q = Queue::new(0);
    assert!(matches!(q.task_done(), Err(ValueError(_))));
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    let mut j = Driven::new(q.join());
    assert!(j.poll().is_none());
    q.get_nowait().unwrap();
    q.task_done().unwrap();
    assert!(j.poll().is_none());
    q.get_nowait().unwrap();
    q.task_done().unwrap();
    assert_eq!(j.woken(), 1);
    assert!(j.poll().is_some());
    assert!(q.task_done().is_err());
    let mut j2 = Driven::new(q.join());
    assert!(j2.poll().is_some());
}

#[test]
fn shutdown_graceful() {
    let q = Queue::<i32>::new(1);
    let mut g = Driven::new(q.get());
    assert!(g.poll().is_none());
    q.shutdown(false);
    assert!(q.is_shutdown());
    assert_eq!(g.poll(), Some(Err(QueueShutDown(()))));
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut p = Driven::new(q.put(2));
    assert!(p.poll().is_none());
    q.shutdown(false);
    assert_eq!(p.poll(), Some(Err(QueueShutDown(2))));
    assert_eq!(q.put_nowait(3), Err(PutNowaitError::ShutDown(QueueShutDown(3))));
    assert_eq!(Driven::new(q.put(4)).poll(), Some(Err(QueueShutDown(4))));
    assert_eq!(Driven::new(q.get()).poll(), Some(Ok(1)));
    assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown(QueueShutDown(()))));
    assert_eq!(PutNowaitError::Full(QueueFull(9)).into_inner(), 9);
}

#[test]
fn shutdown_immediate_drains_and_unblocks_join() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    let mut j = Driven::new(q.join());
    assert!(j.poll().is_none());
    q.shutdown(true);
    assert!(q.empty());
    assert!(j.poll().is_some());
    assert!(q.task_done().is_err());
    assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown(QueueShutDown(()))));
}

#[test]
fn producer_consumer_on_loop() {
    tulip::run(async {
        let q = Rc::new(Queue::new(4));
        let q2 = q.clone();
        let consumer = tulip::create_task(async move {
            let mut sum = 0u64;
            while let Ok(v) = q2.get().await {
                sum += v;
                q2.task_done().unwrap();
            }
            sum
        });
        for i in 0..100u64 {
            q.put(i).await.unwrap();
        }
        q.join().await;
        q.shutdown(false);
        assert_eq!(consumer.await.unwrap(), 4950);
    });
}

#[test]
fn shutdown_immediate_with_an_item_handed_to_a_getter() {
    let q = Queue::new(0);
    let mut a = Driven::new(q.get());
    let mut b = Driven::new(q.get());
    assert!(a.poll().is_none() && b.poll().is_none());
    q.put_nowait(7).unwrap(); // handed to `a`, which has not run
    q.shutdown(true);
    assert_eq!(b.poll(), Some(Err(QueueShutDown(()))));
    // The hand-off happened before the shutdown: `a` gets its item.
    assert_eq!(a.poll(), Some(Ok(7)));
    q.task_done().unwrap();
    assert!(Driven::new(q.join()).poll().is_some());

    // Cancelled instead: the item is discarded (and counted done), as the
    // shutdown would have done had it still been in the queue.
    let q = Queue::new(0);
    let mut a = Driven::new(q.get());
    assert!(a.poll().is_none());
    q.put_nowait(7).unwrap();
    q.shutdown(true);
    drop(a);
    assert!(q.empty());
    assert!(Driven::new(q.join()).poll().is_some());
    assert!(q.task_done().is_err());
}

#[test]
fn join_waiter_dropped_leaves() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    let mut j1 = Driven::new(q.join());
    let mut j2 = Driven::new(q.join());
    assert!(j1.poll().is_none() && j2.poll().is_none());
    drop(j1);
    q.get_nowait().unwrap();
    q.task_done().unwrap();
    assert_eq!(j2.woken(), 1);
    assert!(j2.poll().is_some());
}

#[test]
fn priority_queue_of_tuples_like_heapq() {
    let q = PriorityQueue::new(0);
    for entry in [(2, "code"), (1, "eat"), (3, "sleep"), (1, "drink")] {
        q.put_nowait(entry).unwrap();
    }
    let order: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    assert_eq!(order, [(1, "drink"), (1, "eat"), (2, "code"), (3, "sleep")]);
}

#[test]
fn put_nowait_hands_to_waiting_getter_in_fifo_order() {
    let q = LifoQueue::new(0);
    let mut getters: Vec<_> = (0..3).map(|_| Driven::new(q.get())).collect();
    for g in &mut getters {
        assert!(g.poll().is_none());
    }
    for v in [10, 20, 30] {
        q.put_nowait(v).unwrap();
    }
    let got: Vec<_> = getters.iter_mut().map(|g| g.poll()).collect();
    assert_eq!(got, [Some(Ok(10)), Some(Ok(20)), Some(Ok(30))]);
}

#[test]
fn error_values_display_and_convert() {
    assert_eq!(GetNowaitError::from(QueueEmpty).to_string(), "QueueEmpty");
    assert_eq!(GetNowaitError::from(QueueShutDown(())).to_string(), "QueueShutDown");
    assert_eq!(PutNowaitError::from(QueueFull('x')).to_string(), "QueueFull");
    assert_eq!(PutNowaitError::from(QueueShutDown('y')).into_inner(), 'y');
    assert_eq!(ValueError("boom").to_string(), "ValueError: boom");
}

/// An item whose destructor looks at the queue it was in.
struct Probe(std::rc::Weak<Queue<Probe>>);

impl Drop for Probe {
    fn drop(&mut self) {
        if let Some(q) = self.0.upgrade() {
            let _ = q.qsize(); // must not hit a borrowed RefCell
        }
    }
}

#[test]
fn items_dropped_by_the_queue_may_use_it() {
    let q = Rc::new(Queue::new(0));
    for _ in 0..3 {
        assert!(q.put_nowait(Probe(Rc::downgrade(&q))).is_ok());
    }
    q.shutdown(true);
    assert!(q.empty());
    // A getter cancelled after an immediate shutdown discards its item too.
    let q = Rc::new(Queue::new(0));
    let mut g = Driven::new(q.get());
    assert!(g.poll().is_none());
    assert!(q.put_nowait(Probe(Rc::downgrade(&q))).is_ok());
    q.shutdown(true);
    drop(g);
    assert!(q.empty());
}
