//! proptest state machine: the timing wheel against the binary-heap model.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::time::{Duration, Instant};
use tulip_timer::{HeapKey, HeapTimerQueue, TimerKey, TimerQueue};

#[derive(Debug, Clone)]
enum Op {
    /// Insert at now + this many µs.
    Insert(u64),
    Cancel(usize),
    /// Advance the clock by this many µs, then pop everything due.
    Advance(u64),
    NextDeadline,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // Many ties (whole ms), near timers, far ones across levels, and beyond the wheel.
        4 => prop_oneof![
            (0u64..50).prop_map(|ms| ms * 1000),
            0u64..200_000,
            0u64..5_000_000_000,
            Just(3_000_000_000_000u64 * 30),
        ]
        .prop_map(Op::Insert),
        2 => any::<usize>().prop_map(Op::Cancel),
        3 => prop_oneof![0u64..3_000, 0u64..100_000, 0u64..10_000_000_000].prop_map(Op::Advance),
        1 => Just(Op::NextDeadline),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn wheel_matches_heap(ops in proptest::collection::vec(op(), 1..120)) {
        let origin = Instant::now();
        let mut now = origin;
        let mut wheel = TimerQueue::new(origin);
        let mut heap = HeapTimerQueue::new();
        let mut keys: Vec<(TimerKey, HeapKey)> = Vec::new();
        let mut next_id = 0u32;
        for op in ops {
            match op {
                Op::Insert(us) => {
                    let at = now + Duration::from_micros(us);
                    let (wk, hk) = (wheel.insert(at, next_id), heap.insert(at, next_id));
                    keys.push((wk, hk));
                    next_id += 1;
                }
                Op::Cancel(i) => {
                    if keys.is_empty() { continue; }
                    // Keys stay in the list after use: stale keys are exercised too.
                    let (wk, hk) = keys[i % keys.len()];
                    prop_assert_eq!(wheel.cancel(wk), heap.cancel(hk));
                }
                Op::Advance(us) => {
                    now += Duration::from_micros(us);
                    loop {
                        let (w, h) = (wheel.pop_expired(now), heap.pop_expired(now));
                        prop_assert_eq!(w, h);
                        if w.is_none() { break; }
                    }
                }
                Op::NextDeadline => {
                    let truth = heap.next_deadline();
                    let ours = wheel.next_deadline();
                    prop_assert_eq!(ours.is_some(), truth.is_some());
                    if let (Some(o), Some(t)) = (ours, truth) {
                        prop_assert!(o <= t, "next_deadline {:?} later than the true {:?}", o - origin, t - origin);
                    }
                }
            }
            prop_assert_eq!(wheel.len(), heap.len());
        }
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
