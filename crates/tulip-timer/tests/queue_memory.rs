//! The timer queue gives back the memory of a burst of timers.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};
use tulip_timer::TimerQueue;

/// A fixed permutation of `0..n` (a full-period LCG walk), so the burst is
/// cancelled in no particular order.
fn shuffled(n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n);
    let mut x = 0usize;
    while out.len() < n {
        x = (x.wrapping_mul(1_103_515_245).wrapping_add(12_345)) % (1 << 20);
        if x < n {
            out.push(x);
        }
    }
    out
}

#[test]
fn timer_queue_gives_memory_back_after_a_burst() {
    const BURST: usize = 200_000;
    let t0 = Instant::now();
    let mut q = TimerQueue::new(t0);
    let mut survivors = Vec::new();
    let mut burst = Vec::new();
    for i in 0..BURST {
        burst.push(q.insert(t0 + Duration::from_millis(10_000 + (i % 1_000) as u64), i));
        // A few long timers created during the burst, at scattered places.
        if i % (BURST / 8) == 0 {
            survivors.push((q.insert(t0 + Duration::from_secs(3_600), usize::MAX - i), usize::MAX - i));
        }
    }
    assert!(q.capacity() >= BURST);
    for i in shuffled(BURST) {
        assert_eq!(q.cancel(burst[i]), Some(i));
    }
    assert_eq!(q.len(), survivors.len());
    assert!(q.capacity() <= 4_096, "{} slots kept for {} timers", q.capacity(), q.len());

    // The survivors' keys still work, and stale keys still miss.
    assert_eq!(q.cancel(burst[0]), None);
    let (k, v) = survivors.pop().unwrap();
    assert_eq!(q.cancel(k), Some(v));
    let late = t0 + Duration::from_secs(7_200);
    let fired: Vec<_> = std::iter::from_fn(|| q.pop_expired(late).map(|(_, v)| v)).collect();
    let mut expected: Vec<_> = survivors.iter().map(|&(_, v)| v).collect();
    expected.sort_by_key(|&v| std::cmp::Reverse(v)); // same deadline: insertion order
    assert_eq!(fired, expected);
    assert!(q.is_empty());
    assert!(survivors.iter().all(|&(k, _)| q.cancel(k).is_none()));
}
