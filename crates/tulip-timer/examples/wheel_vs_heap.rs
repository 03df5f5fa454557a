//! The timing wheel against a binary heap (asyncio's structure), on the
//! timer workloads of a busy loop. Run with
//! `cargo run --release -p tulip-timer --example wheel_vs_heap`.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tulip_timer::{HeapTimerQueue, TimerQueue};

const CANCELS: usize = 1_000_000;
const FIRES: usize = 200_000;
const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Deterministic pseudo-random deadlines in 0..100 ms (xorshift).
fn deadlines(origin: Instant) -> Vec<Instant> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    (0..FIRES)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            origin + Duration::from_micros(x % 100_000)
        })
        .collect()
}

fn wheel_insert_cancel() -> f64 {
    let origin = Instant::now();
    let mut q = TimerQueue::new(origin);
    let start = Instant::now();
    for i in 0..CANCELS {
        let k = q.insert(origin + Duration::from_secs(10), i);
        black_box(q.cancel(k));
    }
    start.elapsed().as_secs_f64()
}

fn heap_insert_cancel() -> f64 {
    let origin = Instant::now();
    let mut q = HeapTimerQueue::new(origin);
    let start = Instant::now();
    for i in 0..CANCELS {
        let k = q.insert(origin + Duration::from_secs(10), i);
        black_box(q.cancel(k));
        // A lazily cancelled heap entry is only dropped when it surfaces.
        black_box(q.next_deadline());
    }
    start.elapsed().as_secs_f64()
}

/// Insert every deadline, then advance a clock 1 ms at a time popping what is due.
fn fire_all(insert: &mut dyn FnMut(Instant, usize), pop: &mut dyn FnMut(Instant) -> bool, origin: Instant) -> f64 {
    let ds = deadlines(origin);
    let start = Instant::now();
    for (i, d) in ds.into_iter().enumerate() {
        insert(d, i);
    }
    let mut fired = 0;
    for ms in 0..=100 {
        let now = origin + Duration::from_millis(ms);
        while pop(now) {
            fired += 1;
        }
    }
    assert_eq!(fired, FIRES);
    start.elapsed().as_secs_f64()
}

fn wheel_fire() -> f64 {
    let origin = Instant::now();
    let q = std::cell::RefCell::new(TimerQueue::new(origin));
    fire_all(
        &mut |d, i| {
            q.borrow_mut().insert(d, i);
        },
        &mut |now| q.borrow_mut().pop_expired(now).is_some(),
        origin,
    )
}

fn heap_fire() -> f64 {
    let origin = Instant::now();
    let q = std::cell::RefCell::new(HeapTimerQueue::new(origin));
    fire_all(
        &mut |d, i| {
            q.borrow_mut().insert(d, i);
        },
        &mut |now| q.borrow_mut().pop_expired(now).is_some(),
        origin,
    )
}

/// A workload's name and its wheel and heap versions.
type Row = (&'static str, fn() -> f64, fn() -> f64);

fn main() {
    let rows: [Row; 2] = [
        ("insert+cancel 1,000,000 timers at 10 s", wheel_insert_cancel, heap_insert_cancel),
        ("insert 200,000 timers in 0-100 ms, pop all", wheel_fire, heap_fire),
    ];
    println!("| workload | wheel | heap | wheel/heap |\n|---|---:|---:|---:|");
    for (name, wheel, heap) in rows {
        let (mut w, mut h) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            w.push(wheel());
            h.push(heap());
        }
        let (w, h) = (median(w), median(h));
        println!("| {name} | {:.2} ms | {:.2} ms | {:.2} |", w * 1e3, h * 1e3, w / h);
    }
}
