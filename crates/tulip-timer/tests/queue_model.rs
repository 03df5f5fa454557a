//! proptest state machine: the timing wheel against the binary-heap model.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::time::{Duration, Instant};
use tulip_timer::{HeapKey, HeapTimerQueue, TimerKey, TimerQueue};

#[derive(Debug, Clone)]
enum Op {
    /// Insert at now + this many µs, minus `back` µs (past deadlines, some
    /// before the queue's origin).
    Insert { us: u64, back: u64 },
    /// Cancel the i-th key ever returned: live, fired or cancelled.
    Cancel(usize),
    /// Advance the clock by this many µs, then pop everything due.
    Advance(u64),
    /// Check next_deadline against the model's true minimum.
    NextDeadline,
    /// What a loop does: sleep until next_deadline, pop what is due; if
    /// nothing was, next_deadline must have moved forward (no busy loop).
    SleepUntilNext,
    /// Insert `n` timers within the next `spread_ms`, then cancel all but
    /// every `keep`-th in a scrambled order: the queue compacts itself
    /// while older timers (and their keys) live on.
    Burst { n: usize, spread_ms: u64, keep: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let us = prop_oneof![
        // Many ties (whole ms and a few sub-ms points), near timers, far ones
        // across every level, and beyond the wheel (~2.2 years).
        3 => (0u64..50).prop_map(|ms| ms * 1000),
        2 => (0u64..20).prop_map(|ms| ms * 1000 + 500),
        3 => 0u64..200_000,
        2 => 0u64..5_000_000_000,
        1 => (0u64..3).prop_map(|k| 70_000_000_000_000 + k * 1_000_000_000),
    ];
    let back = prop_oneof![6 => Just(0u64), 1 => 0u64..30_000];
    prop_oneof![
        5 => (us, back).prop_map(|(us, back)| Op::Insert { us, back }),
        2 => any::<usize>().prop_map(Op::Cancel),
        3 => prop_oneof![0u64..3_000, 0u64..100_000, 0u64..10_000_000_000, Just(80_000_000_000_000)].prop_map(Op::Advance),
        1 => Just(Op::NextDeadline),
        2 => Just(Op::SleepUntilNext),
    ]
}

fn drain(wheel: &mut TimerQueue<u32>, heap: &mut HeapTimerQueue<u32>, now: Instant) -> Result<usize, TestCaseError> {
    let mut n = 0;
    loop {
        // What the loop's cache hint looks at: a timer peeked k places
        // ahead is the one that pops k pops later.
        let ahead: Vec<Option<u32>> = (0..3).map(|k| wheel.peek_due(k).copied()).collect();
        let (w, h) = (wheel.pop_expired(now), heap.pop_expired(now));
        prop_assert_eq!(w, h);
        match w {
            Some((at, v)) => {
                prop_assert!(at <= now, "popped before its deadline");
                prop_assert!(ahead[0].is_none_or(|p| p == v), "peek_due(0) was {:?}, {} popped", ahead[0], v);
                for k in 0..2 {
                    if let Some(p) = ahead[k + 1] {
                        prop_assert_eq!(wheel.peek_due(k).copied(), Some(p));
                    }
                }
            }
            None => return Ok(n),
        }
        n += 1;
    }
}

fn op_or_burst() -> impl Strategy<Value = Op> {
    let burst = (1_100usize..3_000, prop_oneof![Just(5u64), Just(5_000), Just(10_000_000)], 2usize..40)
        .prop_map(|(n, spread_ms, keep)| Op::Burst { n, spread_ms, keep });
    prop_oneof![10 => op(), 1 => burst]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn wheel_matches_heap(ops in proptest::collection::vec(op(), 1..150)) {
        run_model(ops)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn wheel_matches_heap_through_compactions(ops in proptest::collection::vec(op_or_burst(), 1..60)) {
        run_model(ops)?;
    }
}

fn run_model(ops: Vec<Op>) -> Result<(), TestCaseError> {
    {
        // Some deadlines fall before the origin: it is not the epoch.
        let origin = Instant::now() + Duration::from_millis(10);
        let mut now = origin;
        let mut wheel = TimerQueue::new(origin);
        let mut heap = HeapTimerQueue::new(origin);
        let mut keys: Vec<(TimerKey, HeapKey)> = Vec::new();
        let mut next_id = 0u32;
        for op in ops {
            match op {
                Op::Insert { us, back } => {
                    let at = now + Duration::from_micros(us) - Duration::from_micros(back);
                    let (wk, hk) = (wheel.insert(at, next_id), heap.insert(at, next_id));
                    keys.push((wk, hk));
                    next_id += 1;
                }
                Op::Cancel(i) => {
                    if keys.is_empty() {
                        continue;
                    }
                    let (wk, hk) = keys[i % keys.len()];
                    prop_assert_eq!(wheel.cancel(wk), heap.cancel(hk));
                }
                Op::Advance(us) => {
                    now += Duration::from_micros(us);
                    drain(&mut wheel, &mut heap, now)?;
                }
                Op::NextDeadline => {
                    let truth = heap.next_deadline();
                    let ours = wheel.next_deadline();
                    prop_assert_eq!(ours.is_some(), truth.is_some());
                    if let (Some(o), Some(t)) = (ours, truth) {
                        prop_assert!(o <= t, "next_deadline {:?} later than the true {:?}", o - origin, t - origin);
                    }
                }
                Op::SleepUntilNext => {
                    let Some(next) = wheel.next_deadline() else {
                        prop_assert_eq!(heap.next_deadline(), None);
                        continue;
                    };
                    prop_assert!(heap.next_deadline().is_some_and(|t| next <= t));
                    now = now.max(next);
                    if drain(&mut wheel, &mut heap, now)? == 0 {
                        let after = wheel.next_deadline();
                        prop_assert!(after.is_some_and(|a| a > next), "next_deadline stuck at {:?}", next - origin);
                    }
                }
                Op::Burst { n, spread_ms, keep } => {
                    let first = keys.len();
                    for i in 0..n as u64 {
                        let at = now + Duration::from_micros(i * 7_919 % (spread_ms * 1_000));
                        keys.push((wheel.insert(at, next_id), heap.insert(at, next_id)));
                        next_id += 1;
                    }
                    // A fixed stride coprime with n scrambles the order.
                    let stride = (1..n).rev().find(|s| gcd(*s, n) == 1 && *s * 3 < n * 2).unwrap_or(1);
                    for j in 0..n {
                        let i = j * stride % n;
                        if i % keep != 0 {
                            let (wk, hk) = keys[first + i];
                            prop_assert_eq!(wheel.cancel(wk), heap.cancel(hk));
                        }
                    }
                    // Mostly empty again: at most 8 slots per timer, or a small floor.
                    prop_assert!(wheel.capacity() <= (8 * wheel.len()).max(1_024), "no memory given back");
                }
            }
            prop_assert_eq!(wheel.len(), heap.len());
            prop_assert_eq!(wheel.is_empty(), heap.is_empty());
        }
        // Everything left fires, in the model's order.
        drain(&mut wheel, &mut heap, now + Duration::from_secs(1 << 35))?;
        prop_assert!(wheel.is_empty());
        // Every key is stale now.
        for (wk, _) in keys {
            prop_assert_eq!(wheel.cancel(wk), None);
        }
    }
    Ok(())
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[test]
fn ties_fire_in_insertion_order() {
    let t0 = Instant::now();
    let mut q = TimerQueue::new(t0);
    let at = t0 + Duration::from_micros(10_500);
    for i in 0..10 {
        q.insert(at, i);
    }
    let got: Vec<_> = std::iter::from_fn(|| q.pop_expired(at).map(|(_, v)| v)).collect();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}

#[test]
fn never_fires_early() {
    let t0 = Instant::now();
    let mut q = TimerQueue::new(t0);
    let at = t0 + Duration::from_micros(70_300);
    q.insert(at, ());
    assert_eq!(q.pop_expired(at - Duration::from_nanos(1)), None);
    assert_eq!(q.pop_expired(at), Some((at, ())));
}

#[test]
fn stale_key_does_not_cancel_a_reused_slot() {
    let t0 = Instant::now();
    let mut q = TimerQueue::new(t0);
    let k1 = q.insert(t0 + Duration::from_millis(1), 1);
    assert_eq!(q.cancel(k1), Some(1));
    let _k2 = q.insert(t0 + Duration::from_millis(1), 2);
    assert_eq!(q.cancel(k1), None);
    assert_eq!(q.len(), 1);
}

#[test]
fn sleeping_until_next_deadline_never_spins() {
    let t0 = Instant::now();
    let mut q = TimerQueue::new(t0);
    for ms in [3u64, 70, 4_100, 262_200, 16_777_300] {
        q.insert(t0 + Duration::from_millis(ms) + Duration::from_micros(300), ms);
    }
    let mut fired = Vec::new();
    let mut wakeups = 0;
    while let Some(d) = q.next_deadline() {
        wakeups += 1;
        assert!(wakeups < 100, "too many wakeups");
        while let Some((_, v)) = q.pop_expired(d) {
            fired.push(v);
        }
    }
    assert_eq!(fired, [3, 70, 4_100, 262_200, 16_777_300]);
}
