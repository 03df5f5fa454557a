//! The pool against a model: a plain re-statement of its rules, run on
//! random sequences of acquire, release, wait, cancel, take-idle, expire
//! and time passing.

use super::*;
use proptest::prelude::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::task::Wake;

struct IdWaker(u64, Arc<Mutex<Vec<u64>>>);
impl Wake for IdWaker {
    fn wake(self: Arc<Self>) {
        self.1.lock().unwrap().push(self.0);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Acquire(u8),
    Release(usize, bool),
    Poll(usize),
    Cancel(usize),
    TakeIdle(usize),
    Advance(u16),
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3).prop_map(Op::Acquire),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(i, k)| Op::Release(i, k)),
        2 => any::<usize>().prop_map(Op::Poll),
        1 => any::<usize>().prop_map(Op::Cancel),
        2 => any::<usize>().prop_map(Op::TakeIdle),
        1 => (0u16..20_000).prop_map(Op::Advance),
        1 => Just(Op::Expire),
    ]
}

/// The model: counts, a FIFO queue, idle stacks with expiry times.
struct Model {
    limit: usize,
    per_host: usize,
    keepalive: Duration,
    held: Vec<u8>,
    queue: Vec<(u64, u8)>,
    granted: HashSet<u64>,
    idle: HashMap<u8, Vec<(u64, Instant)>>,
}

impl Model {
    fn count(&self, h: u8) -> usize {
        self.held.iter().filter(|&&x| x == h).count()
            + self.queue.iter().filter(|(id, k)| *k == h && self.granted.contains(id)).count()
    }
    fn total(&self) -> usize {
        self.held.len() + self.granted.len()
    }
    fn room(&self, h: u8) -> bool {
        (self.limit == 0 || self.total() < self.limit) && (self.per_host == 0 || self.count(h) < self.per_host)
    }
    /// Grants in FIFO order to each waiter whose host has room.
    fn grant(&mut self) -> Vec<u64> {
        let mut out = Vec::new();
        for i in 0..self.queue.len() {
            let (id, h) = self.queue[i];
            if !self.granted.contains(&id) && self.room(h) {
                self.granted.insert(id);
                out.push(id);
            }
        }
        out
    }
}

fn run(limit: usize, per_host: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let keepalive = Duration::from_secs(15);
    let mut pool: PoolState<u8, u64> = PoolState::new(limit, per_host, keepalive);
    let mut m = Model {
        limit,
        per_host,
        keepalive,
        held: Vec::new(),
        queue: Vec::new(),
        granted: HashSet::new(),
        idle: HashMap::new(),
    };
    let woken = Arc::new(Mutex::new(Vec::new()));
    let mut now = Instant::now();
    let mut next_conn = 0u64;
    for op in ops {
        match op {
            Op::Acquire(h) => match pool.acquire(&h) {
                Acquire::Slot => {
                    prop_assert!(m.room(h), "slot given without room");
                    m.held.push(h);
                }
                Acquire::Queued(id) => {
                    prop_assert!(!m.room(h), "queued although there was room");
                    let waker = Waker::from(Arc::new(IdWaker(id, Arc::clone(&woken))));
                    prop_assert!(!pool.poll_waiter(id, Some(&waker)));
                    m.queue.push((id, h));
                }
            },
            Op::Release(i, keep) if !m.held.is_empty() => {
                let h = m.held.remove(i % m.held.len());
                let conn = keep.then(|| {
                    next_conn += 1;
                    m.idle.entry(h).or_default().push((next_conn, now + m.keepalive));
                    next_conn
                });
                pool.release(&h, conn, Some(now)).into_iter().for_each(Waker::wake);
                let expect = m.grant();
                let got = std::mem::take(&mut *woken.lock().unwrap());
                prop_assert_eq!(got, expect, "grants in FIFO order");
            }
            Op::Poll(i) if !m.queue.is_empty() => {
                let (id, h) = m.queue[i % m.queue.len()];
                let granted = pool.poll_waiter(id, None);
                prop_assert_eq!(granted, m.granted.contains(&id));
                if granted {
                    m.granted.remove(&id);
                    m.queue.retain(|(q, _)| *q != id);
                    m.held.push(h);
                }
            }
            Op::Cancel(i) if !m.queue.is_empty() => {
                let (id, h) = m.queue.remove(i % m.queue.len());
                m.granted.remove(&id);
                pool.cancel_waiter(id, &h).into_iter().for_each(Waker::wake);
                let expect = m.grant();
                let got = std::mem::take(&mut *woken.lock().unwrap());
                prop_assert_eq!(got, expect);
            }
            Op::TakeIdle(i) if !m.held.is_empty() => {
                let h = m.held[i % m.held.len()];
                let got = pool.take_idle(&h, now, |_| true);
                let list = m.idle.entry(h).or_default();
                let mut expect = None;
                while let Some((c, exp)) = list.pop() {
                    if exp > now {
                        expect = Some(c);
                        break;
                    }
                }
                prop_assert_eq!(got, expect, "most recent unexpired idle connection");
            }
            Op::Advance(ms) => now += Duration::from_millis(u64::from(ms)),
            Op::Expire => {
                let mut got = pool.expire(now);
                got.sort_unstable();
                let mut expect = Vec::new();
                for list in m.idle.values_mut() {
                    expect.extend(list.iter().filter(|(_, e)| *e <= now).map(|(c, _)| *c));
                    list.retain(|(_, e)| *e > now);
                }
                expect.sort_unstable();
                prop_assert_eq!(got, expect);
            }
            _ => {}
        }
        // Invariants after every step.
        prop_assert_eq!(pool.acquired(), m.total());
        if limit > 0 {
            prop_assert!(pool.acquired() <= limit);
        }
        for h in 0..3u8 {
            prop_assert_eq!(pool.acquired_for(&h), m.count(h));
            if per_host > 0 {
                prop_assert!(pool.acquired_for(&h) <= per_host);
            }
        }
        let waiting = m.queue.iter().filter(|(id, _)| !m.granted.contains(id)).count();
        prop_assert_eq!(pool.waiting(), waiting);
        for (id, h) in &m.queue {
            if !m.granted.contains(id) {
                prop_assert!(!m.room(*h), "a waiter left waiting while its host had room");
            }
        }
        prop_assert_eq!(pool.idle_count(), m.idle.values().map(Vec::len).sum::<usize>());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn pool_matches_the_model(limit in 0usize..4, per_host in 0usize..3, ops in proptest::collection::vec(op(), 1..80)) {
        run(limit, per_host, ops)?;
    }
}

#[test]
fn close_drops_idle_and_wakes_waiters() {
    let mut pool: PoolState<u8, u64> = PoolState::new(1, 0, Duration::from_secs(15));
    let now = Instant::now();
    assert_eq!(pool.acquire(&0), Acquire::Slot);
    let Acquire::Queued(id) = pool.acquire(&1) else { panic!("expected to queue") };
    let woken = Arc::new(Mutex::new(Vec::new()));
    pool.poll_waiter(id, Some(&Waker::from(Arc::new(IdWaker(id, Arc::clone(&woken))))));
    let (idle, wakers) = pool.close();
    assert!(idle.is_empty());
    wakers.into_iter().for_each(Waker::wake);
    assert_eq!(*woken.lock().unwrap(), vec![id]);
    // A connection released after close is not kept.
    pool.release(&0, Some(7), Some(now));
    assert_eq!(pool.idle_count(), 0);
    assert!(pool.next_expiry().is_none());
}
