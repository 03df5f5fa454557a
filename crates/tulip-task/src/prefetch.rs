//! Cache hints for executors: ask the CPU to start loading a task's header
//! some steps before the executor touches it.
//!
//! A loop with many tasks touches their headers in an order no hardware
//! prefetcher can guess: timers fire in deadline order, not in the order
//! the tasks were allocated. With 200,000 sleeping tasks (35 MB of them) a
//! wake-up was a cache miss on the header nearly every time, 17% of the
//! `timers` benchmark's samples. An executor that knows which tasks come
//! next (the timers due in the next millisecond, the ready queue) names
//! them here a few steps ahead, and the miss overlaps the work in between
//! (docs/benchmarks.md has the figures).

use std::task::Waker;

/// Hints the CPU to load the cache line at `at`. Nothing is read into the
/// program and nothing can fault, whatever `at` is.
#[inline(always)]
fn prefetch_line(at: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: `_mm_prefetch` is `unsafe` only for its target feature,
        // SSE, which is part of x86_64's baseline (every x86_64 CPU has
        // it). A prefetch is a hint without architectural effect: it never
        // faults, even on an unmapped or dangling address, and reads
        // nothing into the program.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = at;
}

/// Hints the CPU to load what `waker` points at: for a tulip task's waker
/// that is the task's header, which waking it reads first. Any waker is
/// fine (for another kind it is a wasted hint); nothing is read.
///
/// ```
/// let waker = futures_lite::future::block_on(futures_lite::future::poll_fn(|cx| {
///     std::task::Poll::Ready(cx.waker().clone())
/// }));
/// tulip_task::prefetch_waker(&waker);
/// waker.wake(); // behaves exactly as without the hint
/// ```
#[inline(always)]
pub fn prefetch_waker(waker: &Waker) {
    prefetch_line(waker.data().cast());
}

/// Hints the CPU to load the first two cache lines of the task behind
/// `meta` (its header, and the start of its future), which running the
/// task reads first.
#[inline(always)]
pub(crate) fn prefetch_task(meta: &crate::TaskMeta) {
    let at = crate::task_ref::header_of(meta);
    prefetch_line(at);
    prefetch_line(at.wrapping_add(64));
}
