//! [`run_per_core`]: `asyncio.run(main())` on every loop of a runtime.

use crate::runtime::Runtime;
use std::future::Future;
use std::io;
use std::sync::Arc;
use tulip_process::LoopSignals;
use tulip_reactor::get_running_loop;
use tulip_task::{ExceptionContext, TaskError};

/// Runs `main(k)` on each of `n` loops, one thread per loop pinned to a
/// core where the OS allows, and returns every main's outcome in loop
/// order once they have all finished: `asyncio.run` on every core. Each
/// loop then cancels its leftover tasks and closes, as `asyncio.run` does.
///
/// `main` is called on loop k's thread, so the future it returns need not
/// be `Send`. Inside it, [`RuntimeHandle::current`](crate::RuntimeHandle::current)
/// reaches the other loops.
///
/// SIGINT and SIGTERM cancel every main (asyncio's `Runner` cancels its
/// main task on Ctrl-C): their destructors run on their own loops, and
/// their outcomes are `Err(TaskError::Cancelled)`. The signals' previous
/// dispositions come back when the loops close.
///
/// # Errors
/// As [`RuntimeBuilder::build`](crate::RuntimeBuilder::build) (zero loops,
/// a thread or loop that could not be made). A signal handler that cannot
/// be installed is reported to the loop's exception handler, and its main
/// runs anyway.
///
/// ```
/// // Each loop counts its own share; the outputs come back in loop order.
/// let outs = tulip::run_per_core(2, |k| async move {
///     tulip::sleep(std::time::Duration::from_millis(1)).await;
///     k + 1
/// })
/// .unwrap();
/// let outs: Vec<usize> = outs.into_iter().map(Result::unwrap).collect();
/// assert_eq!(outs, [1, 2]);
/// ```
pub fn run_per_core<M, F>(n: usize, main: M) -> io::Result<Vec<Result<F::Output, TaskError>>>
where
    M: Fn(usize) -> F + Send + Sync + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    let rt = Runtime::new(n)?;
    let main = Arc::new(main);
    let mut mains = Vec::with_capacity(n);
    for k in 0..n {
        let main = main.clone();
        match rt.spawn_on(k, move || cancelled_on_signals(main(k))) {
            Ok(f) => mains.push(f),
            Err(e) => return Err(io::Error::other(e)),
        }
    }
    let outcomes = mains.into_iter().map(|m| m.result().and_then(|r| r)).collect();
    rt.shutdown();
    Ok(outcomes)
}

/// Runs `main` as a task of the running loop that SIGINT and SIGTERM cancel.
async fn cancelled_on_signals<F>(main: F) -> Result<F::Output, TaskError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let lp = get_running_loop();
    let task = lp.create_task(main);
    let signals = [libc::SIGINT, libc::SIGTERM];
    for signal in signals {
        let main = task.task_ref();
        let installed = lp.add_signal_handler(signal, move || {
            main.cancel(Some("interrupted by a signal"));
        });
        if let Err(e) = installed {
            // The main still runs; only Ctrl-C will not reach it.
            lp.call_exception_handler(ExceptionContext::new(format!("run_per_core: signal {signal}: {e}")));
        }
    }
    let outcome = task.await;
    for signal in signals {
        let _ = lp.remove_signal_handler(signal);
    }
    outcome
}
