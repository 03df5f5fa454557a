//! The synchronisation-primitive workloads (issue 4): lock and semaphore
//! contention, bounded-queue throughput, event fan-out. tulip's primitives
//! (`tulip-sync`, single-loop, no atomics) against `tokio::sync` on tokio's
//! current_thread `LocalSet`, and async-lock / async-channel / event-listener
//! on smol's `LocalExecutor`.

use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{Sample, Unit, Workload};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The synchronisation workloads.
pub fn workloads() -> Vec<Workload> {
    let w = |name, tulip, tokio, smol| Workload { name, unit: Unit::Seconds, extra_label: None, tulip, tokio, smol };
    vec![
        w("lock_contention_1k_x_1k", lock::tulip as fn(f64) -> Sample, lock::tokio, lock::smol),
        w("semaphore_10_of_1k_x_1k", semaphore::tulip, semaphore::tokio, semaphore::smol),
        w("queue_1p1c_1m", queue::tulip_1p1c, queue::tokio_1p1c, queue::smol_1p1c),
        w("queue_10p10c_1m", queue::tulip_10p10c, queue::tokio_10p10c, queue::smol_10p10c),
        w("event_fanout_10k", event::tulip, event::tokio, event::smol),
    ]
}

/// Tasks contending, and acquisitions per task (lock and semaphore).
const TASKS: usize = 1_000;
const ROUNDS: usize = 1_000;

mod lock {
    use super::*;

    pub fn tulip(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        tulip::run(async move {
            let lock = Rc::new(tulip_sync::Lock::new());
            let count = Rc::new(Cell::new(0usize));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let (lock, count) = (lock.clone(), count.clone());
                    tulip::create_task(async move {
                        for _ in 0..rounds {
                            let _g = lock.acquire().await;
                            tulip::sleep(Duration::ZERO).await;
                            count.set(count.get() + 1);
                        }
                    })
                })
                .collect();
            for t in ts {
                let _ = t.await;
            }
            assert_eq!(count.get(), tasks * rounds);
        });
        Sample::time(start.elapsed())
    }

    pub fn tokio(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        tokio_local(async move {
            let lock = Rc::new(tokio::sync::Mutex::new(0usize));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let lock = lock.clone();
                    tokio::task::spawn_local(async move {
                        for _ in 0..rounds {
                            let mut g = lock.lock().await;
                            tokio::task::yield_now().await;
                            *g += 1;
                        }
                    })
                })
                .collect();
            for t in ts {
                let _ = t.await;
            }
            assert_eq!(*lock.lock().await, tasks * rounds);
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        smol_local(|ex| async move {
            let lock = Rc::new(async_lock::Mutex::new(0usize));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let lock = lock.clone();
                    ex.spawn(async move {
                        for _ in 0..rounds {
                            let mut g = lock.lock().await;
                            futures_lite::future::yield_now().await;
                            *g += 1;
                        }
                    })
                })
                .collect();
            for t in ts {
                t.await;
            }
            assert_eq!(*lock.lock().await, tasks * rounds);
        });
        Sample::time(start.elapsed())
    }
}

mod semaphore {
    use super::*;
    const PERMITS: usize = 10;

    pub fn tulip(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        tulip::run(async move {
            let sem = Rc::new(tulip_sync::Semaphore::new(PERMITS));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let sem = sem.clone();
                    tulip::create_task(async move {
                        for _ in 0..rounds {
                            let _p = sem.acquire().await;
                            tulip::sleep(Duration::ZERO).await;
                        }
                    })
                })
                .collect();
            for t in ts {
                let _ = t.await;
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn tokio(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        tokio_local(async move {
            let sem = Rc::new(tokio::sync::Semaphore::new(PERMITS));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let sem = sem.clone();
                    tokio::task::spawn_local(async move {
                        for _ in 0..rounds {
                            let _p = sem.acquire().await;
                            tokio::task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in ts {
                let _ = t.await;
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let (tasks, rounds) = (TASKS, scaled(ROUNDS, scale));
        let start = Instant::now();
        smol_local(|ex| async move {
            let sem = Rc::new(async_lock::Semaphore::new(PERMITS));
            let ts: Vec<_> = (0..tasks)
                .map(|_| {
                    let sem = sem.clone();
                    ex.spawn(async move {
                        for _ in 0..rounds {
                            let _p = sem.acquire().await;
                            futures_lite::future::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in ts {
                t.await;
            }
        });
        Sample::time(start.elapsed())
    }
}

mod queue {
    use super::*;
    const ITEMS: usize = 1_000_000;
    const CAP: usize = 1024;

    fn tulip_run(scale: f64, sides: usize) -> Sample {
        let per = scaled(ITEMS, scale) / sides;
        let start = Instant::now();
        tulip::run(async move {
            let q = Rc::new(tulip_sync::Queue::new(CAP));
            let consumers: Vec<_> = (0..sides)
                .map(|_| {
                    let q = q.clone();
                    tulip::create_task(async move {
                        let mut n = 0usize;
                        while let Ok(v) = q.get().await {
                            n += std::hint::black_box(v) & 1;
                        }
                        n
                    })
                })
                .collect();
            let producers: Vec<_> = (0..sides)
                .map(|_| {
                    let q = q.clone();
                    tulip::create_task(async move {
                        for i in 0..per {
                            let _ = q.put(i).await;
                        }
                    })
                })
                .collect();
            for p in producers {
                let _ = p.await;
            }
            q.shutdown(false);
            for c in consumers {
                std::hint::black_box(c.await.unwrap_or(0));
            }
        });
        Sample::time(start.elapsed())
    }

    // tokio's mpsc has one receiver: with 10 consumers it is shared through a
    // tokio Mutex (what tokio's docs suggest for multi-consumer use).
    fn tokio_run(scale: f64, sides: usize) -> Sample {
        let per = scaled(ITEMS, scale) / sides;
        let start = Instant::now();
        tokio_local(async move {
            let (tx, rx) = tokio::sync::mpsc::channel::<usize>(CAP);
            let rx = Rc::new(tokio::sync::Mutex::new(rx));
            let consumers: Vec<_> = (0..sides)
                .map(|_| {
                    let rx = rx.clone();
                    tokio::task::spawn_local(async move {
                        let mut n = 0usize;
                        if sides == 1 {
                            let mut rx = rx.lock().await;
                            while let Some(v) = rx.recv().await {
                                n += std::hint::black_box(v) & 1;
                            }
                        } else {
                            while let Some(v) = rx.lock().await.recv().await {
                                n += std::hint::black_box(v) & 1;
                            }
                        }
                        n
                    })
                })
                .collect();
            let producers: Vec<_> = (0..sides)
                .map(|_| {
                    let tx = tx.clone();
                    tokio::task::spawn_local(async move {
                        for i in 0..per {
                            let _ = tx.send(i).await;
                        }
                    })
                })
                .collect();
            drop(tx);
            for p in producers {
                let _ = p.await;
            }
            for c in consumers {
                std::hint::black_box(c.await.unwrap_or(0));
            }
        });
        Sample::time(start.elapsed())
    }

    fn smol_run(scale: f64, sides: usize) -> Sample {
        let per = scaled(ITEMS, scale) / sides;
        let start = Instant::now();
        smol_local(|ex| async move {
            let (tx, rx) = async_channel::bounded::<usize>(CAP);
            let consumers: Vec<_> = (0..sides)
                .map(|_| {
                    let rx = rx.clone();
                    ex.spawn(async move {
                        let mut n = 0usize;
                        while let Ok(v) = rx.recv().await {
                            n += std::hint::black_box(v) & 1;
                        }
                        n
                    })
                })
                .collect();
            drop(rx);
            let producers: Vec<_> = (0..sides)
                .map(|_| {
                    let tx = tx.clone();
                    ex.spawn(async move {
                        for i in 0..per {
                            let _ = tx.send(i).await;
                        }
                    })
                })
                .collect();
            drop(tx);
            for p in producers {
                p.await;
            }
            for c in consumers {
                std::hint::black_box(c.await);
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn tulip_1p1c(scale: f64) -> Sample {
        tulip_run(scale, 1)
    }
    pub fn tokio_1p1c(scale: f64) -> Sample {
        tokio_run(scale, 1)
    }
    pub fn smol_1p1c(scale: f64) -> Sample {
        smol_run(scale, 1)
    }
    pub fn tulip_10p10c(scale: f64) -> Sample {
        tulip_run(scale, 10)
    }
    pub fn tokio_10p10c(scale: f64) -> Sample {
        tokio_run(scale, 10)
    }
    pub fn smol_10p10c(scale: f64) -> Sample {
        smol_run(scale, 10)
    }
}

mod event {
    use super::*;
    const WAITERS: usize = 10_000;
    /// Fan-out rounds: the waiter tasks are spawned once and wait on a fresh
    /// event each round, so the rows measure wait + set + wake-ups, not spawning.
    const ROUNDS: usize = 20;

    pub fn tulip(scale: f64) -> Sample {
        let n = scaled(WAITERS, scale);
        let start = Instant::now();
        tulip::run(async move {
            let events: Rc<Vec<tulip_sync::Event>> = Rc::new((0..ROUNDS).map(|_| tulip_sync::Event::new()).collect());
            let woken = Rc::new(Cell::new(0usize));
            let ts: Vec<_> = (0..n)
                .map(|_| {
                    let (events, woken) = (events.clone(), woken.clone());
                    tulip::create_task(async move {
                        for ev in events.iter() {
                            ev.wait().await;
                            woken.set(woken.get() + 1);
                        }
                    })
                })
                .collect();
            for (r, ev) in events.iter().enumerate() {
                while ev.n_waiting() < n {
                    tulip::sleep(Duration::ZERO).await;
                }
                ev.set();
                while woken.get() < n * (r + 1) {
                    tulip::sleep(Duration::ZERO).await;
                }
            }
            for t in ts {
                let _ = t.await;
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn tokio(scale: f64) -> Sample {
        let n = scaled(WAITERS, scale);
        let start = Instant::now();
        tokio_local(async move {
            // notify_waiters only wakes registered waiters: count them in.
            let events: Rc<Vec<tokio::sync::Notify>> =
                Rc::new((0..ROUNDS).map(|_| tokio::sync::Notify::new()).collect());
            let (registered, woken) = (Rc::new(Cell::new(0usize)), Rc::new(Cell::new(0usize)));
            let ts: Vec<_> = (0..n)
                .map(|_| {
                    let (events, registered, woken) = (events.clone(), registered.clone(), woken.clone());
                    tokio::task::spawn_local(async move {
                        for ev in events.iter() {
                            let notified = ev.notified();
                            tokio::pin!(notified);
                            notified.as_mut().enable();
                            registered.set(registered.get() + 1);
                            notified.await;
                            woken.set(woken.get() + 1);
                        }
                    })
                })
                .collect();
            for (r, ev) in events.iter().enumerate() {
                while registered.get() < n * (r + 1) {
                    tokio::task::yield_now().await;
                }
                ev.notify_waiters();
                while woken.get() < n * (r + 1) {
                    tokio::task::yield_now().await;
                }
            }
            for t in ts {
                let _ = t.await;
            }
        });
        Sample::time(start.elapsed())
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(WAITERS, scale);
        let start = Instant::now();
        smol_local(|ex| async move {
            let events: Rc<Vec<(event_listener::Event, Cell<bool>)>> =
                Rc::new((0..ROUNDS).map(|_| (event_listener::Event::new(), Cell::new(false))).collect());
            let (registered, woken) = (Rc::new(Cell::new(0usize)), Rc::new(Cell::new(0usize)));
            let ts: Vec<_> = (0..n)
                .map(|_| {
                    let (events, registered, woken) = (events.clone(), registered.clone(), woken.clone());
                    ex.spawn(async move {
                        for (ev, flag) in events.iter() {
                            let mut counted = false;
                            while !flag.get() {
                                let l = ev.listen();
                                if !counted {
                                    registered.set(registered.get() + 1);
                                    counted = true;
                                }
                                if flag.get() {
                                    break;
                                }
                                l.await;
                            }
                            woken.set(woken.get() + 1);
                        }
                    })
                })
                .collect();
            for (r, (ev, flag)) in events.iter().enumerate() {
                while registered.get() < n * (r + 1) {
                    futures_lite::future::yield_now().await;
                }
                flag.set(true);
                ev.notify(usize::MAX);
                while woken.get() < n * (r + 1) {
                    futures_lite::future::yield_now().await;
                }
            }
            for t in ts {
                t.await;
            }
        });
        Sample::time(start.elapsed())
    }
}
