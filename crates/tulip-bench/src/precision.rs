//! Timer precision (issue 14): how late 10,000 timers fire, and what the
//! waiting costs in CPU time.
//!
//! Each task sleeps a random 0–500 ms (µs granularity, fixed seed) and
//! records how long after its own deadline it woke. Unlike `timers`, the
//! tasks are few enough that their first steps take well under a
//! millisecond, so the lateness is the loop's timer resolution: the wheel's
//! tick, the poller's timeout unit, the wake-up path.

use crate::core::{smol_local, tokio_local};
use crate::harness::{Sample, Unit, Workload};
use std::time::Instant;
use tulip_bench_solo::rows::precision::{measure, record, tulip as tulip_run};

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
