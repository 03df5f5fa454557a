//! tulip's halves of the loop-core rows: spawning, switching, timers,
//! memory (their peers' halves are in `tulip-bench`'s `core.rs`).

use super::{scaled, Rng};
use crate::alloc;
use crate::sample::Sample;
use futures_lite::future;
use std::time::{Duration, Instant};

/// `N` tasks created, then awaited in order.
pub mod spawn_join {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 1_000_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tulip::run(async move {
            let handles: Vec<_> = (0..n).map(|i| tulip::create_task(async move { i })).collect();
            let mut sum = 0usize;
            for h in handles {
                sum = sum.wrapping_add(h.await.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}

/// `TASKS` tasks each yielding `YIELDS` times: the cost of a task switch.
pub mod yield_switch {
    use super::*;
    /// Tasks per run at scale 1 (scaled by the square root).
    pub const TASKS: usize = 1_000;
    /// Yields per task at scale 1 (scaled by the square root).
    pub const YIELDS: usize = 1_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let (t, y) = (scaled(TASKS, scale.sqrt()), scaled(YIELDS, scale.sqrt()));
        let start = Instant::now();
        tulip::run(async move {
            let hs: Vec<_> = (0..t)
                .map(|_| {
                    tulip::create_task(async move {
                        for _ in 0..y {
                            tulip::sleep(Duration::ZERO).await;
                        }
                    })
                })
                .collect();
            for h in hs {
                let _ = h.await;
            }
        });
        Sample::time(start.elapsed())
    }
}

/// `N` tasks each sleeping a random 0–`MAX_MS` ms; the extra figure is the mean lateness.
pub mod timers {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 200_000;
    /// The longest sleep, in ms.
    pub const MAX_MS: u64 = 100;

    /// The sleeps of a run of `n` timers, the same for every runtime.
    pub fn delays(n: usize) -> Vec<Duration> {
        let mut rng = Rng::new(0x7u64 << 40 | 2026);
        (0..n).map(|_| Duration::from_micros(rng.below(MAX_MS * 1000))).collect()
    }

    /// The sample: the run's wall time, and the mean lateness in ms.
    pub fn finish(start: Instant, late: &Cell<f64>, n: usize) -> Sample {
        Sample::time_with(start.elapsed(), late.get() / n as f64 * 1e3)
    }

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let d = delays(scaled(N, scale));
        let n = d.len();
        let late = Rc::new(Cell::new(0.0));
        let start = Instant::now();
        let l = late.clone();
        tulip::run(async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let l = l.clone();
                    tulip::create_task(async move {
                        let asleep = Instant::now();
                        tulip::sleep(d).await;
                        l.set(l.get() + (asleep.elapsed().saturating_sub(d)).as_secs_f64());
                    })
                })
                .collect();
            for h in hs {
                let _ = h.await;
            }
        });
        finish(start, &late, n)
    }
}

/// `N` ten-second sleeps, each polled once (so it is in the timer queue) and dropped.
pub mod timer_cancel {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 1_000_000;
    /// A timeout that never fires.
    pub const TEN_S: Duration = Duration::from_secs(10);

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tulip::run(async move {
            for _ in 0..n {
                let mut s = tulip::sleep(TEN_S);
                let _ = future::poll_once(&mut s).await;
            }
        });
        Sample::time(start.elapsed())
    }
}

/// Heap per parked task: `N` tasks awaiting `pending()`.
pub mod idle_mem {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 1_000_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = tulip::run(async move {
            alloc::start();
            for _ in 0..n {
                tulip::create_task(std::future::pending::<()>());
            }
            // Let every task run once and park.
            tulip::sleep(Duration::ZERO).await;
            tulip::sleep(Duration::ZERO).await;
            let b = alloc::live();
            alloc::stop();
            b
        });
        Sample::bytes(bytes as f64 / n as f64)
    }
}

/// Resident memory per parked task whose future holds an `Rc` (pages the
/// tasks touched, the allocator's own overhead included).
pub mod idle_rss {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    /// How many tasks one run makes at scale 1.
    pub const N: usize = 1_000_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = tulip::run(async move {
            let shared = Rc::new(Cell::new(0u8));
            let before = alloc::resident();
            for _ in 0..n {
                let s = shared.clone();
                tulip::create_task(async move {
                    std::future::pending::<()>().await;
                    s.set(1);
                });
            }
            tulip::sleep(Duration::ZERO).await;
            tulip::sleep(Duration::ZERO).await;
            alloc::resident().saturating_sub(before)
        });
        Sample::bytes(bytes as f64 / n as f64)
    }
}
