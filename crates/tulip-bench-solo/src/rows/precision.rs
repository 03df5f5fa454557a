//! tulip's half of the timer-precision row (the peers' halves are in
//! `tulip-bench`'s `precision.rs`).
//!
//! Each task sleeps a random 0–500 ms (µs granularity, fixed seed) and
//! records how long after its own deadline it woke. Unlike `timers`, the
//! tasks are few enough that their first steps take well under a
//! millisecond, so the lateness is the loop's timer resolution: the wheel's
//! tick, the poller's timeout unit, the wake-up path.

use super::{scaled, Rng};
use crate::sample::{cpu_time, Sample};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Timers per run.
pub const N: usize = 10_000;
/// The longest sleep, in µs.
pub const MAX_US: u64 = 500_000;

/// The sleeps of a run, the same for every runtime.
pub fn delays(scale: f64) -> Vec<Duration> {
    let mut rng = Rng::new(0x14u64 << 40 | 2026);
    (0..scaled(N, scale)).map(|_| Duration::from_micros(rng.below(MAX_US))).collect()
}

/// Runs `run` over the sleeps and a shared lateness sum: the primary figure
/// is the mean lateness, the CPU time is per timer, the extra is the wall
/// time in ms.
pub fn measure(scale: f64, run: impl FnOnce(Vec<Duration>, Rc<Cell<f64>>)) -> Sample {
    let d = delays(scale);
    let n = d.len();
    let late = Rc::new(Cell::new(0.0));
    let (cpu0, start) = (cpu_time(), Instant::now());
    run(d, late.clone());
    let (wall, cpu) = (start.elapsed(), cpu_time().since(cpu0));
    let mut s = Sample::time_cpu(wall, cpu, n);
    s.value = late.get() / n as f64;
    s.extra = Some(wall.as_secs_f64() * 1e3);
    s
}

/// Adds how late a sleep of `d` begun at `asleep` woke.
pub fn record(late: &Cell<f64>, asleep: Instant, d: Duration) {
    late.set(late.get() + asleep.elapsed().saturating_sub(d).as_secs_f64());
}

/// tulip's sample of this row, its sizes multiplied by `scale`.
pub fn tulip(scale: f64) -> Sample {
    measure(scale, |d, late| {
        tulip::run(async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let late = late.clone();
                    tulip::create_task(async move {
                        let asleep = Instant::now();
                        tulip::sleep(d).await;
                        record(&late, asleep, d);
                    })
                })
                .collect();
            for h in hs {
                let _ = h.await;
            }
        })
    })
}
