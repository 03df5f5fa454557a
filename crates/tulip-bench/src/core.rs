//! The loop-core workloads (issue 2): spawning, switching, timers, memory.

use crate::alloc;
use crate::harness::{Sample, Unit, Workload};
use futures_lite::future;
use std::time::Instant;
pub use tulip_bench_solo::rows::{scaled, Rng};

/// The core workloads.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "spawn_join",
            unit: Unit::Seconds,
            extra_label: None,
            tulip: spawn_join::tulip,
            tokio: spawn_join::tokio,
            smol: spawn_join::smol,
        },
        Workload {
            name: "yield_switch",
            unit: Unit::Seconds,
            extra_label: None,
            tulip: yield_switch::tulip,
            tokio: yield_switch::tokio,
            smol: yield_switch::smol,
        },
        Workload {
            name: "timers",
            unit: Unit::Seconds,
            extra_label: Some("mean lateness (ms)"),
            tulip: timers::tulip,
            tokio: timers::tokio,
            smol: timers::smol,
        },
        Workload {
            name: "timer_cancel",
            unit: Unit::Seconds,
            extra_label: None,
            tulip: timer_cancel::tulip,
            tokio: timer_cancel::tokio,
            smol: timer_cancel::smol,
        },
        Workload {
            name: "idle_tasks_mem",
            unit: Unit::Bytes,
            extra_label: None,
            tulip: idle_mem::tulip,
            tokio: idle_mem::tokio,
            smol: idle_mem::smol,
        },
        Workload {
            name: "idle_tasks_rss",
            unit: Unit::Bytes,
            extra_label: None,
            tulip: idle_rss::tulip,
            tokio: idle_rss::tokio,
            smol: idle_rss::smol,
        },
    ]
}

/// A tokio current_thread runtime running `f` inside a `LocalSet`.
pub fn tokio_local<F: std::future::Future>(f: F) -> F::Output {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, f)
}

/// A smol `LocalExecutor` driven by async-io's `block_on` (what `smol::block_on` is).
pub fn smol_local<'a, F>(f: impl FnOnce(&'a async_executor::LocalExecutor<'a>) -> F) -> F::Output
where
    F: std::future::Future + 'a,
{
    // Leaked so that tasks can borrow it for 'a; one executor per run is tiny.
    let ex: &'a async_executor::LocalExecutor<'a> = Box::leak(Box::new(async_executor::LocalExecutor::new()));
    let fut = f(ex);
    smol::block_on(ex.run(fut))
}

mod spawn_join {
    use super::*;
    pub use tulip_bench_solo::rows::core::spawn_join::{tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            let handles: Vec<_> = (0..n).map(|i| tokio::task::spawn_local(async move { i })).collect();
            let mut sum = 0usize;
            for h in handles {
                sum = sum.wrapping_add(h.await.unwrap_or(0));
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|ex| async move {
            let handles: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
            let mut sum = 0usize;
            for h in handles {
                sum = sum.wrapping_add(h.await);
            }
            std::hint::black_box(sum);
        });
        Sample::time(start.elapsed())
    }
}

mod yield_switch {
    use super::*;
    pub use tulip_bench_solo::rows::core::yield_switch::{tulip, TASKS, YIELDS};

    pub fn tokio(scale: f64) -> Sample {
        let (t, y) = (scaled(TASKS, scale.sqrt()), scaled(YIELDS, scale.sqrt()));
        let start = Instant::now();
        tokio_local(async move {
            let hs: Vec<_> = (0..t)
                .map(|_| {
                    tokio::task::spawn_local(async move {
                        for _ in 0..y {
                            tokio::task::yield_now().await;
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

    pub fn smol(scale: f64) -> Sample {
        let (t, y) = (scaled(TASKS, scale.sqrt()), scaled(YIELDS, scale.sqrt()));
        let start = Instant::now();
        smol_local(|ex| async move {
            let hs: Vec<_> = (0..t)
                .map(|_| {
                    ex.spawn(async move {
                        for _ in 0..y {
                            future::yield_now().await;
                        }
                    })
                })
                .collect();
            for h in hs {
                h.await;
            }
        });
        Sample::time(start.elapsed())
    }
}

mod timers {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    pub use tulip_bench_solo::rows::core::timers::{delays, finish, tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let d = delays(scaled(N, scale));
        let n = d.len();
        let late = Rc::new(Cell::new(0.0));
        let start = Instant::now();
        let l = late.clone();
        tokio_local(async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let l = l.clone();
                    tokio::task::spawn_local(async move {
                        let asleep = Instant::now();
                        tokio::time::sleep(d).await;
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

    pub fn smol(scale: f64) -> Sample {
        let d = delays(scaled(N, scale));
        let n = d.len();
        let late = Rc::new(Cell::new(0.0));
        let start = Instant::now();
        let l = late.clone();
        smol_local(|ex| async move {
            let hs: Vec<_> = d
                .into_iter()
                .map(|d| {
                    let l = l.clone();
                    ex.spawn(async move {
                        let asleep = Instant::now();
                        async_io::Timer::after(d).await;
                        l.set(l.get() + (asleep.elapsed().saturating_sub(d)).as_secs_f64());
                    })
                })
                .collect();
            for h in hs {
                h.await;
            }
        });
        finish(start, &late, n)
    }
}

mod timer_cancel {
    use super::*;
    pub use tulip_bench_solo::rows::core::timer_cancel::{tulip, N, TEN_S};

    // Each timer is polled once (so it is really in the timer queue) and dropped.

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        tokio_local(async move {
            for _ in 0..n {
                let mut s = std::pin::pin!(tokio::time::sleep(TEN_S));
                let _ = future::poll_once(&mut s).await;
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let start = Instant::now();
        smol_local(|_| async move {
            for _ in 0..n {
                let mut s = async_io::Timer::after(TEN_S);
                let _ = future::poll_once(&mut s).await;
            }
        });
        Sample::time(start.elapsed())
    }
}

mod idle_mem {
    use super::*;
    pub use tulip_bench_solo::rows::core::idle_mem::{tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = tokio_local(async move {
            alloc::start();
            for _ in 0..n {
                drop(tokio::task::spawn_local(std::future::pending::<()>()));
            }
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            let b = alloc::live();
            alloc::stop();
            b
        });
        Sample::bytes(bytes as f64 / n as f64)
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = smol_local(|ex| async move {
            alloc::start();
            for _ in 0..n {
                ex.spawn(std::future::pending::<()>()).detach();
            }
            future::yield_now().await;
            future::yield_now().await;
            let b = alloc::live();
            alloc::stop();
            b
        });
        Sample::bytes(bytes as f64 / n as f64)
    }
}

mod idle_rss {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;
    pub use tulip_bench_solo::rows::core::idle_rss::{tulip, N};

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = tokio_local(async move {
            let shared = Rc::new(Cell::new(0u8));
            let before = alloc::resident();
            for _ in 0..n {
                let s = shared.clone();
                drop(tokio::task::spawn_local(async move {
                    std::future::pending::<()>().await;
                    s.set(1);
                }));
            }
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            alloc::resident().saturating_sub(before)
        });
        Sample::bytes(bytes as f64 / n as f64)
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(N, scale);
        let bytes = smol_local(|ex| async move {
            let shared = Rc::new(Cell::new(0u8));
            let before = alloc::resident();
            for _ in 0..n {
                let s = shared.clone();
                ex.spawn(async move {
                    std::future::pending::<()>().await;
                    s.set(1);
                })
                .detach();
            }
            future::yield_now().await;
            future::yield_now().await;
            alloc::resident().saturating_sub(before)
        });
        Sample::bytes(bytes as f64 / n as f64)
    }
}
