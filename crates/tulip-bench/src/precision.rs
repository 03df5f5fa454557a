//! Timer precision (issue 14): how late 10,000 timers fire, and what the
//! waiting costs in CPU time.
//!
//! Each task sleeps a random 0–500 ms (µs granularity, fixed seed) and
//! records how long after its own deadline it woke. Unlike `timers`, the
//! tasks are few enough that their first steps take well under a
//! millisecond, so the lateness is the loop's timer resolution: the wheel's
//! tick, the poller's timeout unit, the wake-up path.

use crate::core::{scaled, smol_local, tokio_local, Rng};
use crate::harness::{cpu_time, Sample, Unit, Workload};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

const N: usize = 10_000;
const MAX_US: u64 = 500_000;

/// The timer-precision workloads.
pub fn workloads() -> Vec<Workload> {
    vec![Workload {
        name: "timer_precision_10k",
        unit: Unit::Seconds,
        extra_label: Some("wall time (ms)"),
        tulip: tulip_run,
        tokio: tokio_run,
        smol: smol_run,
    }]
}

fn delays(scale: f64) -> Vec<Duration> {
    let mut rng = Rng::new(0x14u64 << 40 | 2026);
    (0..scaled(N, scale)).map(|_| Duration::from_micros(rng.below(MAX_US))).collect()
}

/// The primary figure is the mean lateness; CPU time is per timer.
fn measure(scale: f64, run: impl FnOnce(Vec<Duration>, Rc<Cell<f64>>)) -> Sample {
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

fn record(late: &Cell<f64>, asleep: Instant, d: Duration) {
    late.set(late.get() + asleep.elapsed().saturating_sub(d).as_secs_f64());
}

fn tulip_run(scale: f64) -> Sample {
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

fn tokio_run(scale: f64) -> Sample {
    measure(scale, |d, late| {
        tokio_local(async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let late = late.clone();
                    tokio::task::spawn_local(async move {
                        let asleep = Instant::now();
                        tokio::time::sleep(d).await;
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

fn smol_run(scale: f64) -> Sample {
    measure(scale, |d, late| {
        smol_local(|ex| async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let late = late.clone();
                    ex.spawn(async move {
                        let asleep = Instant::now();
                        async_io::Timer::after(d).await;
                        record(&late, asleep, d);
                    })
                })
                .collect();
            for h in hs {
                h.await;
            }
        })
    })
}
