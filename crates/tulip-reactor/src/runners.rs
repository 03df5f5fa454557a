//! asyncio's `asyncio.run`: a new loop for one main future, closed after it.

use crate::event_loop::EventLoop;
use std::future::Future as StdFuture;

/// Runs `main` on a new event loop and returns its output (asyncio's
/// `asyncio.run`): when `main` finishes, the tasks still pending are
/// cancelled and allowed to finish, then the loop is closed. A panic in
/// `main` propagates.
///
/// ```
/// let n = tulip::run(async { 40 + 2 });
/// assert_eq!(n, 42);
/// ```
#[track_caller]
pub fn run<F>(main: F) -> F::Output
where
    F: StdFuture + 'static,
    F::Output: 'static,
{
    let ev = EventLoop::new();
    let out = ev.run_until_complete(main);
    ev.cancel_all_tasks();
    ev.close();
    out
}
