//! proptest state machine for Condition: random wait / notify / poll / drop /
//! release sequences against a sequential model of the condition queue and
//! its lock. Checked after every step: lock state and waiter count match,
//! notifications and lock hand-offs go oldest-first, a dropped waiter passes
//! on what it was given, and the lock is never free while someone queues on it.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use proptest::prelude::*;
use std::collections::{HashSet, VecDeque};
use tulip_sync::{Condition, LockGuard};

#[derive(Debug, Clone)]
enum Op {
    Wait,
    Grab,
    Notify(usize),
    Poll(usize),
    Drop(usize),
    ReleaseHeld(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(Op::Wait),
            1 => Just(Op::Grab),
            2 => (0usize..3).prop_map(Op::Notify),
            4 => any::<usize>().prop_map(Op::Poll),
            2 => any::<usize>().prop_map(Op::Drop),
            3 => any::<usize>().prop_map(Op::ReleaseHeld),
        ],
        1..80,
    )
}

#[derive(Default)]
struct Model {
    locked: bool,
    cond_q: VecDeque<u32>,
    notified: HashSet<u32>,
    lock_q: VecDeque<u32>,
    lock_granted: HashSet<u32>,
    /// Waiters past the notification (polled after it), now on the lock.
    on_lock: HashSet<u32>,
}

impl Model {
    fn release_lock(&mut self) {
        match self.lock_q.pop_front() {
            Some(id) => {
                self.lock_granted.insert(id);
            }
            None => self.locked = false,
        }
    }
    fn notify(&mut self, n: usize) -> usize {
        let mut k = 0;
        while k < n {
            let Some(id) = self.cond_q.pop_front() else { break };
            self.notified.insert(id);
            k += 1;
        }
        k
    }
}

proptest! {
    #[test]
    fn condition_model(ops in ops()) {
        let cond = Condition::new();
        let mut m = Model::default();
        let mut waiters: Vec<(u32, Driven<'_, LockGuard<'_>>)> = Vec::new();
        let mut held: Vec<LockGuard<'_>> = Vec::new();
        let mut next = 0;
        for op in ops {
            match op {
                Op::Wait | Op::Grab if m.locked => {}
                Op::Wait => {
                    let g = cond.lock().try_acquire().unwrap();
                    let mut d = Driven::new(cond.wait(g));
                    m.cond_q.push_back(next);
                    // wait() released the lock at once (nobody queued on a free lock).
                    assert!(d.poll().is_none());
                    waiters.push((next, d));
                    next += 1;
                }
                Op::Grab => {
                    held.push(cond.lock().try_acquire().unwrap());
                    m.locked = true;
                }
                Op::Notify(n) if m.locked => assert_eq!(cond.notify(n), Ok(m.notify(n))),
                Op::Notify(n) => assert_eq!(cond.notify(n), Err(tulip_sync::NotifyError)),
                Op::Poll(i) if !waiters.is_empty() => {
                    let i = i % waiters.len();
                    let id = waiters[i].0;
                    let got = waiters[i].1.poll();
                    if m.notified.remove(&id) {
                        // Now on the lock: takes it if free, else queues.
                        if !m.locked {
                            m.locked = true;
                            held.push(got.expect("free lock taken at once"));
                            waiters.remove(i);
                        } else {
                            assert!(got.is_none());
                            m.lock_q.push_back(id);
                            m.on_lock.insert(id);
                        }
                    } else if m.lock_granted.remove(&id) {
                        m.on_lock.remove(&id);
                        held.push(got.expect("lock handed over"));
                        waiters.remove(i);
                    } else {
                        assert!(got.is_none(), "waiter {id} ready out of order");
                    }
                }
                Op::Drop(i) if !waiters.is_empty() => {
                    let (id, d) = waiters.remove(i % waiters.len());
                    drop(d);
                    if m.notified.remove(&id) {
                        m.notify(1); // the notification passes on
                    } else if m.lock_granted.remove(&id) {
                        m.release_lock(); // the lock passes on
                    } else if m.on_lock.remove(&id) {
                        m.lock_q.retain(|&q| q != id);
                    } else {
                        m.cond_q.retain(|&q| q != id);
                    }
                    m.on_lock.remove(&id);
                }
                Op::ReleaseHeld(i) if !held.is_empty() => {
                    drop(held.remove(i % held.len()));
                    m.release_lock();
                }
                _ => {}
            }
            prop_assert_eq!(cond.locked(), m.locked);
            prop_assert_eq!(cond.n_waiting(), m.cond_q.len());
            prop_assert!(m.locked || m.lock_q.is_empty(), "lock free while someone queues on it");
            prop_assert_eq!(held.len() + m.lock_granted.len(), usize::from(m.locked));
        }
        drop(waiters);
        drop(held);
        prop_assert!(!cond.locked());
        prop_assert_eq!(cond.n_waiting(), 0);
    }
}
