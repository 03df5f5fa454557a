//! Python's cleanup constructs as helpers: `except CancelledError:` around
//! an await ([`on_cancel`]) and `async with` with an `__aexit__` that is
//! awaited when the body raises ([`async_with`]). `finally:` is a `Drop`
//! guard (see docs/python-idioms.md).

use futures_lite::FutureExt;
use std::future::Future as StdFuture;
use std::panic::AssertUnwindSafe;

/// Runs `cleanup` if the awaiting code is cancelled while `fut` runs
/// (Python's `try: await fut` / `except CancelledError: cleanup(); raise`):
/// in tulip a cancellation drops the future, so `cleanup` runs when this
/// future is dropped before `fut` finished — after `fut` itself was dropped
/// (its own `finally:` blocks first, as in Python). Not on completion, and
/// not when `fut` panics (that is not a cancellation).
///
/// ```
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// tulip::run(async {
///     let cleaned = Rc::new(Cell::new(false));
///     let c = cleaned.clone();
///     let t = tulip::create_task(tulip::on_cancel(tulip::sleep(Duration::from_secs(3600)), move || c.set(true)));
///     tulip::sleep(Duration::ZERO).await;
///     t.cancel();
///     assert!(t.await.unwrap_err().is_cancelled());
///     assert!(cleaned.get());
///     // Finished normally: no cleanup.
///     assert_eq!(tulip::on_cancel(async { 5 }, || unreachable!()).await, 5);
/// });
/// ```
pub async fn on_cancel<F: StdFuture, C: FnOnce()>(fut: F, cleanup: C) -> F::Output {
    struct Guard<C: FnOnce()>(Option<C>);
    impl<C: FnOnce()> Drop for Guard<C> {
        fn drop(&mut self) {
            if let (Some(c), false) = (self.0.take(), std::thread::panicking()) {
                c();
            }
        }
    }
    let mut guard = Guard(Some(cleanup));
    // Declared after the guard: dropped before it, so `fut`'s destructors
    // run before the cleanup.
    let fut = fut;
    let out = fut.await;
    guard.0 = None;
    out
}

/// Python's `async with resource as r: body(r)`: runs `body` on the
/// resource, then awaits `exit(resource, body_panicked)` — also when the
/// body panicked (Python's `__aexit__` with the exception), after which the
/// panic goes on. Returns the body's output.
///
/// If the whole thing is cancelled (dropped) while the body runs, `exit`
/// cannot be awaited (Rust has no async destructors): give the resource a
/// `Drop` for what must happen then.
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// tulip::run(async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let l = log.clone();
///     let n = tulip::async_with(
///         vec![1, 2, 3],
///         async |v: &mut Vec<i32>| v.iter().sum::<i32>(),
///         async move |v: Vec<i32>, panicked| l.borrow_mut().push((v.len(), panicked)),
///     )
///     .await;
///     assert_eq!(n, 6);
///     assert_eq!(*log.borrow(), [(3, false)]);
/// });
/// ```
pub async fn async_with<R, T>(
    mut resource: R,
    body: impl AsyncFnOnce(&mut R) -> T,
    exit: impl AsyncFnOnce(R, bool),
) -> T {
    let out = AssertUnwindSafe(body(&mut resource)).catch_unwind().await;
    exit(resource, out.is_err()).await;
    match out {
        Ok(v) => v,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
