//! An awaiting `Future` handle registers one waker, replaces it when polled
//! again, and takes it back when dropped.
#![allow(clippy::unwrap_used)]

use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use tulip_task::Future;

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll_with(fut: &mut Future<u8>, count: &Arc<Count>) -> bool {
    let waker = Waker::from(count.clone());
    Pin::new(fut).poll(&mut Context::from_waker(&waker)).is_ready()
}

/// The future's waiter list keeps one `Waker` clone per registration.
fn held(count: &Arc<Count>) -> usize {
    Arc::strong_count(count) - 1
}

#[test]
fn dropped_awaiter_deregisters_its_waker() {
    let fut: Future<u8> = Future::new();
    // What awaiting under a timeout does each time round: a fresh awaiter
    // (here with a fresh waker) polled once, then dropped.
    let counts: Vec<Arc<Count>> = (0..1000).map(|_| Arc::new(Count::default())).collect();
    for count in &counts {
        let mut awaiter = fut.clone();
        assert!(!poll_with(&mut awaiter, count));
        drop(awaiter);
    }
    let leaked: usize = counts.iter().map(held).sum();
    assert_eq!(leaked, 0, "dropped awaiters left their wakers behind");

    // Polled again with another waker: replaced, not added.
    let mut awaiter = fut.clone();
    let (first, second) = (Arc::new(Count::default()), Arc::new(Count::default()));
    assert!(!poll_with(&mut awaiter, &first));
    assert!(!poll_with(&mut awaiter, &second));
    assert_eq!((held(&first), held(&second)), (0, 1));
    fut.set_result(1).unwrap();
    assert_eq!((first.0.load(Ordering::SeqCst), second.0.load(Ordering::SeqCst)), (0, 1));
    assert!(poll_with(&mut awaiter, &second));
}

#[test]
fn panicking_callback_does_not_strand_the_other_waiters() {
    // With no loop installed, callbacks run inline in set_result.
    let fut: Future<u8> = Future::new();
    let mut awaiter = fut.clone();
    let count = Arc::new(Count::default());
    fut.add_done_callback(|_| panic!("callback fails"));
    assert!(!poll_with(&mut awaiter, &count));
    let completed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.set_result(3)));
    assert!(completed.is_err(), "the callback's panic reaches the caller");
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "the awaiter was woken all the same");
    assert!(poll_with(&mut awaiter, &count));
}
