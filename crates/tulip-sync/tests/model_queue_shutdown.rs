//! proptest: items are conserved across cancellation and `shutdown`. Random
//! put / get / nowait / poll / drop sequences, then `shutdown(immediate)`,
//! then every waiter polled once more and the queue drained. Every item made
//! ends exactly once in one place: received by the test (from a get, or
//! given back by a failed put), dropped with its own cancelled put future,
//! or (only with `immediate`) discarded by the shutdown. No waiter is left
//! pending after the shutdown.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use tulip_sync::queue_store::{Fifo, Lifo, Priority, QueueStore};
use tulip_sync::{BaseQueue, GetNowaitError, QueueShutDown};

/// An item that logs its id when dropped.
#[derive(Debug)]
struct Item(u32, Rc<RefCell<Vec<u32>>>);

impl Drop for Item {
    fn drop(&mut self) {
        self.1.borrow_mut().push(self.0);
    }
}
impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.0 * 37 % 101).cmp(&(o.0 * 37 % 101))
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put,
    Get,
    PutNowait,
    GetNowait,
    Poll(usize),
    Drop(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(Op::Put),
            2 => Just(Op::Get),
            1 => Just(Op::PutNowait),
            1 => Just(Op::GetNowait),
            3 => any::<usize>().prop_map(Op::Poll),
            2 => any::<usize>().prop_map(Op::Drop),
        ],
        0..60,
    )
}

type Fut<'a> = Driven<'a, Result<Option<Item>, ()>>;

fn run<S: QueueStore<Item>>(maxsize: usize, ops: Vec<Op>, immediate: bool) -> Result<(), TestCaseError> {
    let dropped = Rc::new(RefCell::new(Vec::new()));
    let mut received = BTreeSet::new();
    let mut cancelled_puts = BTreeSet::new();
    let mut made = 0u32;
    {
        let q: BaseQueue<Item, S> = BaseQueue::new(maxsize);
        // Receiving an item: record it and keep it out of the drop log.
        let mut take = |item: Item| {
            received.insert(item.0);
            std::mem::forget(item);
        };
        let mut ws: Vec<(Option<u32>, Fut<'_>)> = Vec::new();
        for op in ops {
            match op {
                Op::Put => {
                    made += 1;
                    let id = made;
                    let f = q.put(Item(id, dropped.clone()));
                    let mut d: Fut<'_> = Driven::new(async move {
                        match f.await {
                            Ok(()) => Ok(None),
                            Err(QueueShutDown(item)) => Ok(Some(item)),
                        }
                    });
                    match d.poll() {
                        Some(Ok(back)) => back.into_iter().for_each(&mut take),
                        Some(Err(())) => unreachable!(),
                        None => ws.push((Some(id), d)),
                    }
                }
                Op::PutNowait => {
                    made += 1;
                    if let Err(e) = q.put_nowait(Item(made, dropped.clone())) {
                        take(e.into_inner());
                    }
                }
                Op::Get => {
                    let f = q.get();
                    let mut d: Fut<'_> = Driven::new(async move { f.await.map(Some).map_err(|_| ()) });
                    match d.poll() {
                        Some(r) => r.ok().flatten().into_iter().for_each(&mut take),
                        None => ws.push((None, d)),
                    }
                }
                Op::GetNowait => {
                    if let Ok(item) = q.get_nowait() {
                        take(item);
                    }
                }
                Op::Poll(i) if !ws.is_empty() => {
                    let i = i % ws.len();
                    if let Some(r) = ws[i].1.poll() {
                        r.ok().flatten().into_iter().for_each(&mut take);
                        ws.remove(i);
                    }
                }
                Op::Drop(i) if !ws.is_empty() => {
                    let (put_id, _fut) = ws.remove(i % ws.len());
                    // A put future still pending owns its item: it drops with it.
                    cancelled_puts.extend(put_id);
                }
                _ => {}
            }
        }
        q.shutdown(immediate);
        for (_, mut w) in ws.drain(..) {
            let r = w.poll();
            prop_assert!(r.is_some(), "a waiter is still pending after shutdown");
            r.into_iter().flat_map(|r| r.ok().flatten()).for_each(&mut take);
        }
        loop {
            match q.get_nowait() {
                Ok(item) => take(item),
                Err(e) => {
                    prop_assert_eq!(e, GetNowaitError::ShutDown(QueueShutDown(())));
                    break;
                }
            }
        }
        prop_assert!(q.empty());
    }
    let dropped: BTreeSet<u32> = dropped.borrow().iter().copied().collect();
    prop_assert!(received.is_disjoint(&dropped), "an item both received and dropped");
    prop_assert_eq!(received.len() + dropped.len(), made as usize, "an item was lost");
    if !immediate {
        prop_assert!(dropped.is_subset(&cancelled_puts), "a graceful shutdown dropped an item");
    }
    Ok(())
}

proptest! {
    #[test]
    fn queue_conserves_items_across_cancel_and_shutdown(maxsize in 0usize..4, ops in ops(), immediate: bool) {
        run::<Fifo<Item>>(maxsize, ops, immediate)?;
    }

    #[test]
    fn lifo_queue_conserves_items_across_cancel_and_shutdown(maxsize in 0usize..4, ops in ops(), immediate: bool) {
        run::<Lifo<Item>>(maxsize, ops, immediate)?;
    }

    #[test]
    fn priority_queue_conserves_items_across_cancel_and_shutdown(maxsize in 0usize..4, ops in ops(), immediate: bool) {
        run::<Priority<Item>>(maxsize, ops, immediate)?;
    }
}
