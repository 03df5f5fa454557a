//! The combinator workloads (issue 3): gather, wait, as_completed, wait_for.

use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{Sample, Unit, Workload};
use futures::stream::{FuturesUnordered, StreamExt};
use futures_lite::future::{self, FutureExt};
use std::time::Instant;

/// The combinator workloads.
pub fn workloads() -> Vec<Workload> {
    let w = |name, tulip, tokio, smol| Workload { name, unit: Unit::Seconds, extra_label: None, tulip, tokio, smol };
    vec![
        w("gather_100k", gather::tulip as fn(f64) -> Sample, gather::tokio, gather::smol),
        w("wait_first_completed_10k", wait_first::tulip, wait_first::tokio, wait_first::smol),
        w("as_completed_100k", as_completed::tulip, as_completed::tokio, as_completed::smol),
        w("wait_for_1m", wait_for::tulip, wait_for::tokio, wait_for::smol),
    ]
}

/// Children finish in `WAVES` different loop iterations.
const WAVES: usize = 10;

mod gather {
    use super::*;
    pub use tulip_bench_solo::rows::combinators::gather::{tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            let hs: Vec<_> = (0..n).map(|i| tokio::task::spawn_local(async move { i })).collect();
            let mut out = Vec::with_capacity(n);
            for h in hs {
                out.push(h.await.unwrap_or(0));
            }
            std::hint::black_box(out.len());
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|ex| async move {
            let hs: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
            let mut out = Vec::with_capacity(n);
            for h in hs {
                out.push(h.await);
            }
            std::hint::black_box(out.len());
        });
        Sample::time(start.elapsed())
    }
}

mod wait_first {
    use super::*;
    pub use tulip_bench_solo::rows::combinators::wait_first::{tulip, N, ROUNDS};

    // Each round: N tasks finishing in WAVES waves; wait(FIRST_COMPLETED)
    // again and again until none is pending. Peers: select_all + is_finished
    // (what asyncio's FIRST_COMPLETED returns: everything done by then).

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            for _ in 0..ROUNDS {
                let mut pending: Vec<_> = (0..n)
                    .map(|i| {
                        tokio::task::spawn_local(async move {
                            for _ in 0..i % WAVES {
                                tokio::task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                while !pending.is_empty() {
                    let (_, _, rest) = futures::future::select_all(pending).await;
                    let (done, rest): (Vec<_>, Vec<_>) = rest.into_iter().partition(|h| h.is_finished());
                    std::hint::black_box(done.len());
                    pending = rest;
                }
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|ex| async move {
            for _ in 0..ROUNDS {
                let mut pending: Vec<_> = (0..n)
                    .map(|i| {
                        ex.spawn(async move {
                            for _ in 0..i % WAVES {
                                future::yield_now().await;
                            }
                        })
                    })
                    .collect();
                while !pending.is_empty() {
                    let (_, _, rest) = futures::future::select_all(pending).await;
                    let (done, rest): (Vec<_>, Vec<_>) = rest.into_iter().partition(|h| h.is_finished());
                    std::hint::black_box(done.len());
                    pending = rest;
                }
            }
        });
        Sample::time(start.elapsed())
    }
}

mod as_completed {
    use super::*;
    pub use tulip_bench_solo::rows::combinators::as_completed::{tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            let mut it: FuturesUnordered<_> = (0..n)
                .map(|i| {
                    tokio::task::spawn_local(async move {
                        for _ in 0..i % WAVES {
                            tokio::task::yield_now().await;
                        }
                        i
                    })
                })
                .collect();
            let mut sum = 0usize;
            while let Some(r) = it.next().await {
                sum = sum.wrapping_add(r.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|ex| async move {
            let mut it: FuturesUnordered<_> = (0..n)
                .map(|i| {
                    ex.spawn(async move {
                        for _ in 0..i % WAVES {
                            future::yield_now().await;
                        }
                        i
                    })
                })
                .collect();
            let mut sum = 0usize;
            while let Some(r) = it.next().await {
                sum = sum.wrapping_add(r);
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}

mod wait_for {
    use super::*;
    pub use tulip_bench_solo::rows::combinators::wait_for::{tulip, N, TEN_S};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            let mut sum = 0usize;
            for i in 0..n {
                sum = sum.wrapping_add(tokio::time::timeout(TEN_S, async move { i }).await.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|_| async move {
            let mut sum = 0usize;
            for i in 0..n {
                let timer = async {
                    async_io::Timer::after(TEN_S).await;
                    None
                };
                sum = sum.wrapping_add(async move { Some(i) }.or(timer).await.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}
