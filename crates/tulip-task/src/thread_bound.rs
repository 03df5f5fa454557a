//! [`ThreadBound`]: the guard that keeps a `!Send` future on its thread,
//! for [`TaskBuilder::spawn_local`](crate::TaskBuilder::spawn_local).
//!
//! async-task has such a guard (its `spawn_local`), but only with its `std`
//! feature, and that feature costs every task 16 bytes: a `propagate_panic`
//! flag in the header (padded to a word) and room for a panic payload
//! beside the output. tulip catches panics itself (`task_future.rs`), so it
//! builds async-task without `std` and checks the thread here instead.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::{self, ThreadId};

/// This thread's id, without `thread::current()`'s reference count once
/// the thread-local is set up.
fn this_thread() -> ThreadId {
    thread_local! {
        static ID: ThreadId = thread::current().id();
    }
    ID.try_with(|id| *id).unwrap_or_else(|_| thread::current().id())
}

/// Stops the process: a `!Send` future reached another thread. Neither
/// polling it nor dropping it there is sound, and a drop cannot be refused,
/// so there is no error to return.
#[cold]
fn wrong_thread(what: &str) -> ! {
    eprintln!("tulip: a local task was {what} by a thread that did not spawn it; aborting");
    std::process::abort()
}

pin_project_lite::pin_project! {
    /// A future that may only be polled and dropped on the thread that made
    /// it; anywhere else it aborts the process before touching `inner`.
    pub(crate) struct ThreadBound<F> {
        owner: ThreadId,
        #[pin]
        inner: F,
    }

    impl<F> PinnedDrop for ThreadBound<F> {
        fn drop(this: Pin<&mut Self>) {
            // Runs before `inner` is dropped: a foreign thread never gets to.
            if this.owner != this_thread() {
                wrong_thread("dropped");
            }
        }
    }
}

impl<F> ThreadBound<F> {
    /// Binds `inner` to the calling thread.
    pub(crate) fn new(inner: F) -> Self {
        ThreadBound { owner: this_thread(), inner }
    }
}

impl<F: Future> Future for ThreadBound<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if *this.owner != this_thread() {
            wrong_thread("polled");
        }
        this.inner.poll(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn on_its_own_thread_it_is_the_future_it_wraps() {
        let dropped = Rc::new(Cell::new(false));
        struct Flag(Rc<Cell<bool>>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let flag = Flag(dropped.clone());
        let f = ThreadBound::new(async move {
            let _flag = &flag;
            7
        });
        assert_eq!(futures_lite::future::block_on(f), 7);
        assert!(dropped.get(), "the wrapped future is dropped with the guard");
    }

    #[test]
    fn the_owner_is_the_thread_that_made_it() {
        let f = ThreadBound::new(std::future::ready(()));
        assert_eq!(f.owner, thread::current().id());
        let other = thread::spawn(this_thread).join().unwrap();
        assert_ne!(other, f.owner);
    }
}
