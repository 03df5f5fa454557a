//! tulip's halves of the combinator rows: gather, wait, as_completed,
//! wait_for (their peers' halves are in `tulip-bench`'s `combinators.rs`).

use super::scaled;
use crate::sample::Sample;
use std::time::{Duration, Instant};

/// Children finish in `WAVES` different loop iterations.
pub const WAVES: usize = 10;

/// `gather` of `N` ready children.
pub mod gather {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 100_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tulip::run(async move {
            let out = tulip::gather((0..n).map(|i| async move { i })).await;
            std::hint::black_box(out.map(|v| v.len()).unwrap_or(0));
        });
        Sample::time(start.elapsed())
    }
}

/// `ROUNDS` rounds of `N` tasks finishing in waves, collected by `wait(FIRST_COMPLETED)` until none is pending.
pub mod wait_first {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 10_000;
    /// Rounds per run.
    pub const ROUNDS: usize = 10;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tulip::run(async move {
            for _ in 0..ROUNDS {
                let mut pending: Vec<_> = (0..n)
                    .map(|i| {
                        tulip::create_task(async move {
                            for _ in 0..i % WAVES {
                                tulip::sleep(Duration::ZERO).await;
                            }
                        })
                    })
                    .collect();
                while !pending.is_empty() {
                    let Ok((done, rest)) = tulip::wait(pending).return_when(tulip::ReturnWhen::FirstCompleted).await
                    else {
                        break;
                    };
                    std::hint::black_box(done.len());
                    pending = rest;
                }
            }
        });
        Sample::time(start.elapsed())
    }
}

/// `as_completed` over `N` children finishing in waves.
pub mod as_completed {
    use super::*;
    /// How many (tasks, timers or calls) one run makes at scale 1.
    pub const N: usize = 100_000;

    /// tulip's sample of this row, its sizes multiplied by `scale`.
    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tulip::run(async move {
            let mut it = tulip::as_completed((0..n).map(|i| async move {
                for _ in 0..i % WAVES {
                    tulip::sleep(Duration::ZERO).await;
                }
                i
            }));
            let mut sum = 0usize;
            while let Some(r) = it.next().await {
                sum = sum.wrapping_add(r.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}

/// `N` `wait_for`s of a ready future with a ten-second timeout.
pub mod wait_for {
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
            let mut sum = 0usize;
            for i in 0..n {
                sum = sum.wrapping_add(tulip::wait_for(async move { i }, Some(TEN_S)).await.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}
