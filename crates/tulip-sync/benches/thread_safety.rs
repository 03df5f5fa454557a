//! The measurement behind "single-loop `!Sync` types" (see the crate docs):
//! tulip-sync's `Lock` against the *same* FIFO hand-off algorithm made
//! thread-safe (an `AtomicBool` fast path and a `std::sync::Mutex` around the
//! waiter queue, never contended here: one thread), and against the
//! thread-safe peers. Run with `cargo bench -p tulip-sync --bench thread_safety`.
#![allow(missing_docs)]

use futures_lite::future::{block_on, yield_now, zip};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// Waiters by slab key, and the FIFO of keys still waiting.
type Waiters = (slab::Slab<(Option<Waker>, bool)>, VecDeque<usize>);

/// tulip-sync's `Lock` algorithm, thread-safe.
#[derive(Default)]
struct SyncLock {
    locked: AtomicBool,
    waiters: Mutex<Waiters>,
}

impl SyncLock {
    fn acquire(&self) -> SyncAcquire<'_> {
        SyncAcquire(self, None)
    }

    fn waiters(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn try_lock(&self) -> bool {
        self.locked.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }
}

struct SyncGuard<'a>(&'a SyncLock);

impl Drop for SyncGuard<'_> {
    fn drop(&mut self) {
        let mut w = self.0.waiters();
        match w.1.pop_front() {
            Some(k) => {
                let entry = &mut w.0[k];
                entry.1 = true;
                let waker = entry.0.take();
                drop(w);
                waker.into_iter().for_each(Waker::wake);
            }
            None => self.0.locked.store(false, Ordering::Release),
        }
    }
}

struct SyncAcquire<'a>(&'a SyncLock, Option<usize>);

impl<'a> Future for SyncAcquire<'a> {
    type Output = SyncGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SyncGuard<'a>> {
        let lock = self.0;
        match self.1 {
            None => {
                if lock.try_lock() {
                    return Poll::Ready(SyncGuard(lock));
                }
                let mut w = lock.waiters();
                // A release may have raced between the two checks.
                if lock.try_lock() {
                    return Poll::Ready(SyncGuard(lock));
                }
                let k = w.0.insert((Some(cx.waker().clone()), false));
                w.1.push_back(k);
                self.1 = Some(k);
                Poll::Pending
            }
            Some(k) => {
                let mut w = lock.waiters();
                if w.0[k].1 {
                    w.0.remove(k);
                    drop(w);
                    self.1 = None;
                    Poll::Ready(SyncGuard(lock))
                } else {
                    w.0[k].0 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }
}

fn time(name: &str, n: usize, f: impl Fn()) {
    let best = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    println!("{name:48} {:7.2} ns/op", best * 1e9 / n as f64);
}

/// `n` acquire + release pairs, never contended.
macro_rules! uncontended {
    ($name:expr, $n:expr, $lock:expr, $acquire:ident) => {{
        let lock = $lock;
        time($name, $n, || {
            block_on(async {
                for _ in 0..$n {
                    drop(std::hint::black_box(lock.$acquire().await));
                }
            })
        });
    }};
}

/// Two tasks alternate on the lock, yielding while holding it: every
/// acquisition waits and is a hand-off.
macro_rules! handoff {
    ($name:expr, $n:expr, $lock:expr, $acquire:ident) => {{
        let lock = $lock;
        let task = || async {
            for _ in 0..$n / 2 {
                let guard = lock.$acquire().await;
                yield_now().await;
                drop(guard);
            }
        };
        time($name, $n, || {
            block_on(zip(task(), task()));
        });
    }};
}

fn main() {
    const N: usize = 2_000_000;
    uncontended!("uncontended  tulip_sync::Lock (Cell/RefCell)", N, tulip_sync::Lock::new(), acquire);
    uncontended!("uncontended  same algorithm, atomic + Mutex", N, SyncLock::default(), acquire);
    uncontended!("uncontended  async_lock::Mutex", N, async_lock::Mutex::new(()), lock);
    uncontended!("uncontended  tokio::sync::Mutex", N, tokio::sync::Mutex::new(()), lock);
    handoff!("hand-off     tulip_sync::Lock (Cell/RefCell)", N, tulip_sync::Lock::new(), acquire);
    handoff!("hand-off     same algorithm, atomic + Mutex", N, SyncLock::default(), acquire);
    handoff!("hand-off     async_lock::Mutex", N, async_lock::Mutex::new(()), lock);
    handoff!("hand-off     tokio::sync::Mutex", N, tokio::sync::Mutex::new(()), lock);
}
