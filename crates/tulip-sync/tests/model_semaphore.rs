//! proptest state machines for Lock, Semaphore and BoundedSemaphore: random
//! acquire / poll / drop-waiter / release / forget sequences run against a
//! sequential model. Checked after every step: the value and waiter count
//! match the model (permits conserved), grants follow FIFO order (exactly the
//! waiters the model granted become ready), every granted waiter was woken,
//! and no waiter waits while a permit is free.
#![allow(clippy::unwrap_used)]
mod common;

use common::Driven;
use proptest::prelude::*;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;
use tulip_sync::{BoundedSemaphore, Lock, LockGuard, OwnedLockGuard, OwnedSemaphorePermit, Semaphore, SemaphorePermit};

trait Held {}
impl Held for LockGuard<'_> {}
impl Held for SemaphorePermit<'_> {}
impl Held for OwnedLockGuard {}
impl Held for OwnedSemaphorePermit {}

/// The same primitives, acquired through `acquire_owned`.
struct Owned<T>(Rc<T>);

impl Sem for Owned<Lock> {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>> {
        let f = self.0.acquire_owned();
        Driven::new(async move { Box::new(f.await) as Box<dyn Held + 'a> })
    }
    fn value(&self) -> usize {
        Sem::value(&*self.0)
    }
    fn n_waiting(&self) -> Option<usize> {
        None
    }
    fn release(&self) -> Option<bool> {
        None
    }
}

impl Sem for Owned<Semaphore> {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>> {
        let f = self.0.acquire_owned();
        Driven::new(async move { Box::new(f.await) as Box<dyn Held + 'a> })
    }
    fn value(&self) -> usize {
        self.0.value()
    }
    fn n_waiting(&self) -> Option<usize> {
        Some(self.0.n_waiting())
    }
    fn release(&self) -> Option<bool> {
        self.0.release();
        Some(true)
    }
}

trait Sem {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>>;
    fn value(&self) -> usize;
    fn n_waiting(&self) -> Option<usize>;
    /// Explicit release; `None` if the primitive has none.
    fn release(&self) -> Option<bool>;
}

impl Sem for Lock {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>> {
        let f = self.acquire();
        Driven::new(async move { Box::new(f.await) as Box<dyn Held + 'a> })
    }
    fn value(&self) -> usize {
        usize::from(!self.locked())
    }
    fn n_waiting(&self) -> Option<usize> {
        None
    }
    fn release(&self) -> Option<bool> {
        None
    }
}

impl Sem for Semaphore {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>> {
        let f = self.acquire();
        Driven::new(async move { Box::new(f.await) as Box<dyn Held + 'a> })
    }
    fn value(&self) -> usize {
        self.value()
    }
    fn n_waiting(&self) -> Option<usize> {
        Some(self.n_waiting())
    }
    fn release(&self) -> Option<bool> {
        self.release();
        Some(true)
    }
}

impl Sem for BoundedSemaphore {
    fn acquire<'a>(&'a self) -> Driven<'a, Box<dyn Held + 'a>> {
        let f = self.acquire();
        Driven::new(async move { Box::new(f.await) as Box<dyn Held + 'a> })
    }
    fn value(&self) -> usize {
        self.value()
    }
    fn n_waiting(&self) -> Option<usize> {
        Some(self.n_waiting())
    }
    fn release(&self) -> Option<bool> {
        Some(self.release().is_ok())
    }
}

#[derive(Debug, Clone)]
enum Op {
    Acquire,
    Poll(usize),
    DropWaiter(usize),
    ReleaseHeld(usize),
    Forget(usize),
    Release,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => Just(Op::Acquire),
            3 => any::<usize>().prop_map(Op::Poll),
            2 => any::<usize>().prop_map(Op::DropWaiter),
            2 => any::<usize>().prop_map(Op::ReleaseHeld),
            1 => any::<usize>().prop_map(Op::Forget),
            1 => Just(Op::Release),
        ],
        1..80,
    )
}

#[derive(Default)]
struct Model {
    value: usize,
    queue: VecDeque<u32>,
    granted: HashSet<u32>,
    bound: Option<usize>,
}

impl Model {
    fn release(&mut self) {
        match self.queue.pop_front() {
            Some(id) => {
                self.granted.insert(id);
            }
            None => self.value = (self.value + 1).min(self.bound.unwrap_or(usize::MAX)),
        }
    }
}

fn run(sem: &dyn Sem, initial: usize, bound: Option<usize>, explicit: bool, ops: Vec<Op>) {
    let mut m = Model { value: initial, bound, ..Model::default() };
    let mut waiters: Vec<(u32, Driven<'_, Box<dyn Held + '_>>)> = Vec::new();
    let mut held: Vec<Box<dyn Held + '_>> = Vec::new();
    let mut next_id = 0;
    for op in ops {
        match op {
            Op::Acquire => {
                let mut d = sem.acquire();
                let got = d.poll();
                if m.value > 0 {
                    assert!(m.queue.is_empty());
                    m.value -= 1;
                    held.push(got.unwrap());
                } else {
                    assert!(got.is_none());
                    m.queue.push_back(next_id);
                    waiters.push((next_id, d));
                }
                next_id += 1;
            }
            Op::Poll(i) if !waiters.is_empty() => {
                let i = i % waiters.len();
                let id = waiters[i].0;
                let got = waiters[i].1.poll();
                if m.granted.remove(&id) {
                    held.push(got.expect("granted waiter must be ready (FIFO)"));
                    waiters.remove(i);
                } else {
                    assert!(got.is_none(), "waiter {id} ready out of FIFO order");
                }
            }
            Op::DropWaiter(i) if !waiters.is_empty() => {
                let (id, d) = waiters.remove(i % waiters.len());
                drop(d);
                if m.granted.remove(&id) {
                    m.release();
                } else {
                    m.queue.retain(|&q| q != id);
                }
            }
            Op::ReleaseHeld(i) if !held.is_empty() => {
                drop(held.remove(i % held.len()));
                m.release();
            }
            Op::Forget(i) if explicit && !held.is_empty() => {
                std::mem::forget(held.remove(i % held.len()));
            }
            Op::Release if explicit => {
                let ok = sem.release().unwrap();
                let expect_ok = m.bound.is_none_or(|b| m.value < b);
                assert_eq!(ok, expect_ok);
                if ok {
                    m.release();
                }
            }
            _ => {}
        }
        assert_eq!(sem.value(), m.value, "permits conserved");
        if let Some(n) = sem.n_waiting() {
            assert_eq!(n, m.queue.len());
        }
        assert!(m.value == 0 || m.queue.is_empty(), "no waiter stranded while a permit is free");
        for (id, d) in &waiters {
            if m.granted.contains(id) {
                assert!(d.woken() >= 1, "granted waiter {id} was not woken");
            }
        }
    }
    // Drain: drop everything; all permits come back.
    let forgotten_free = m.value;
    drop(waiters);
    drop(held);
    assert!(sem.value() >= forgotten_free);
}

proptest! {
    #[test]
    fn lock_model(ops in ops()) {
        let lock = Lock::new();
        run(&lock, 1, None, false, ops);
        assert!(!lock.locked());
    }

    #[test]
    fn semaphore_model(n in 0usize..4, ops in ops()) {
        let sem = Semaphore::new(n);
        run(&sem, n, None, true, ops);
    }

    #[test]
    fn owned_lock_model(ops in ops()) {
        let lock = Owned(Rc::new(Lock::new()));
        run(&lock, 1, None, false, ops);
        assert!(!lock.0.locked());
        assert_eq!(Rc::strong_count(&lock.0), 1, "every owned guard and future let go of the lock");
    }

    #[test]
    fn owned_semaphore_model(n in 0usize..4, ops in ops()) {
        let sem = Owned(Rc::new(Semaphore::new(n)));
        // (`Forget` leaks its permit with `mem::forget`, `Rc` included.)
        run(&sem, n, None, true, ops);
    }

    #[test]
    fn bounded_semaphore_model(n in 0usize..4, ops in ops()) {
        let sem = BoundedSemaphore::new(n);
        run(&sem, n, Some(n), true, ops);
        assert!(sem.value() <= n);
    }
}
