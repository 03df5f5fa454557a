//! hyper's executor: connection and HTTP/2 stream futures become tasks of
//! the running loop.

use std::future::Future;

/// hyper's `rt::Executor` for tulip: spawns each future as an internal task
/// of the running loop (not listed by `all_tasks`, cancelled when the loop
/// closes). Futures need not be `Send`: pass it to hyper's HTTP/2 builders
/// (`hyper::client::conn::http2::Builder::new(LocalExec)`).
///
/// # Panics
/// `execute` panics when no tulip loop is running on this thread: hyper
/// calls it from the connection it drives, which runs on the loop.
///
/// ```
/// use hyper::rt::Executor;
/// tulip::run(async {
///     let (tx, rx) = std::sync::mpsc::channel();
///     tulip_hyper::LocalExec.execute(async move { tx.send(7).unwrap() });
///     tulip::sleep(std::time::Duration::ZERO).await;
///     assert_eq!(rx.try_recv(), Ok(7));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalExec;

impl<F> hyper::rt::Executor<F> for LocalExec
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn execute(&self, fut: F) {
        // Detached: hyper's connection futures report errors through their
        // own handles (a `SendRequest` sees the connection close).
        drop(tulip_reactor::get_running_loop().create_internal_task(fut));
    }
}
