//! proptest state machines for Queue, LifoQueue and PriorityQueue: random
//! put / get (waiting and nowait) / poll / drop sequences against a
//! sequential model. Checked after every step: sizes match, every item comes
//! out exactly once in the queue's order, waiting getters and putters are
//! served FIFO, a dropped getter or putter passes its item or slot on, and
//! nobody waits while an item (for getters) or a slot (for putters) is free.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use proptest::prelude::*;
use std::collections::{HashMap, VecDeque};
use tulip_sync::queue_store::{Fifo, Lifo, Priority, QueueStore};
use tulip_sync::{BaseQueue, QueueShutDown};

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
            3 => Just(Op::Get),
            1 => Just(Op::PutNowait),
            1 => Just(Op::GetNowait),
            4 => any::<usize>().prop_map(Op::Poll),
            2 => any::<usize>().prop_map(Op::Drop),
        ],
        1..100,
    )
}

struct Model<S> {
    maxsize: usize,
    items: S,
    getq: VecDeque<u32>,
    get_granted: HashMap<u32, u32>,
    putq: VecDeque<(u32, u32)>,
    put_granted: HashMap<u32, u32>,
}

impl<S: QueueStore<u32>> Model<S> {
    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() + self.get_granted.len() + self.put_granted.len() >= self.maxsize
    }
    fn grant_slots(&mut self) {
        while !self.full() {
            let Some((id, v)) = self.putq.pop_front() else { break };
            self.put_granted.insert(id, v);
        }
    }
    fn push(&mut self, v: u32) {
        match self.getq.pop_front() {
            Some(id) => {
                self.get_granted.insert(id, v);
            }
            None => self.items.push(v),
        }
    }
}

enum W<'a> {
    Put(Driven<'a, Result<(), QueueShutDown<u32>>>),
    Get(Driven<'a, Result<u32, QueueShutDown>>),
}

fn run<S: QueueStore<u32>>(maxsize: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let q: BaseQueue<u32, S> = BaseQueue::new(maxsize);
    let mut m = Model::<S> {
        maxsize,
        items: S::default(),
        getq: VecDeque::new(),
        get_granted: HashMap::new(),
        putq: VecDeque::new(),
        put_granted: HashMap::new(),
    };
    let mut ws: Vec<(u32, W<'_>)> = Vec::new();
    let (mut next, mut val) = (0u32, 0u32);
    for op in ops {
        match op {
            Op::Put => {
                val += 1;
                // Scrambled, so that the three orders differ (and ties occur).
                let val = val.wrapping_mul(37) % 101;
                let mut d = Driven::new(q.put(val));
                let got = d.poll();
                if m.full() {
                    prop_assert!(got.is_none());
                    m.putq.push_back((next, val));
                    ws.push((next, W::Put(d)));
                } else {
                    prop_assert_eq!(got, Some(Ok(())));
                    m.push(val);
                }
                next += 1;
            }
            Op::PutNowait => {
                val += 1;
                // Scrambled, so that the three orders differ (and ties occur).
                let val = val.wrapping_mul(37) % 101;
                let r = q.put_nowait(val);
                prop_assert_eq!(r.is_ok(), !m.full());
                if r.is_ok() {
                    m.push(val);
                }
            }
            Op::Get | Op::GetNowait => {
                let expect = m.items.pop();
                if expect.is_some() {
                    m.grant_slots();
                }
                if let Op::GetNowait = op {
                    prop_assert_eq!(q.get_nowait().ok(), expect);
                    continue;
                }
                let mut d = Driven::new(q.get());
                let got = d.poll();
                match expect {
                    Some(v) => prop_assert_eq!(got, Some(Ok(v))),
                    None => {
                        prop_assert!(got.is_none());
                        m.getq.push_back(next);
                        ws.push((next, W::Get(d)));
                    }
                }
                next += 1;
            }
            Op::Poll(i) if !ws.is_empty() => {
                let i = i % ws.len();
                let id = ws[i].0;
                let done = match &mut ws[i].1 {
                    W::Put(d) => {
                        let got = d.poll();
                        if let Some(v) = m.put_granted.remove(&id) {
                            prop_assert_eq!(got, Some(Ok(())));
                            m.push(v);
                            true
                        } else {
                            prop_assert!(got.is_none());
                            false
                        }
                    }
                    W::Get(d) => {
                        let got = d.poll();
                        if let Some(v) = m.get_granted.remove(&id) {
                            prop_assert_eq!(got, Some(Ok(v)));
                            m.grant_slots();
                            true
                        } else {
                            prop_assert!(got.is_none());
                            false
                        }
                    }
                };
                if done {
                    ws.remove(i);
                }
            }
            Op::Drop(i) if !ws.is_empty() => {
                let (id, w) = ws.remove(i % ws.len());
                drop(w);
                if m.put_granted.remove(&id).is_some() {
                    m.grant_slots();
                } else if let Some(v) = m.get_granted.remove(&id) {
                    match m.getq.pop_front() {
                        Some(next_getter) => {
                            m.get_granted.insert(next_getter, v);
                        }
                        None => m.items.unpop(v),
                    }
                } else {
                    m.putq.retain(|&(p, _)| p != id);
                    m.getq.retain(|&g| g != id);
                }
            }
            _ => {}
        }
        prop_assert_eq!(q.qsize(), m.items.len() + m.get_granted.len());
        prop_assert_eq!(q.full(), m.full());
        prop_assert!(m.items.is_empty() || m.getq.is_empty(), "getter waits while an item is free");
        prop_assert!(m.full() || m.putq.is_empty(), "putter waits while a slot is free");
    }
    Ok(())
}

proptest! {
    #[test]
    fn queue_model(maxsize in 0usize..4, ops in ops()) {
        run::<Fifo<u32>>(maxsize, ops)?;
    }

    #[test]
    fn lifo_queue_model(maxsize in 0usize..4, ops in ops()) {
        run::<Lifo<u32>>(maxsize, ops)?;
    }

    #[test]
    fn priority_queue_model(maxsize in 0usize..4, ops in ops()) {
        run::<Priority<u32>>(maxsize, ops)?;
    }
}
