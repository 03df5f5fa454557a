//! Hand-driving futures with a counting waker.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts its wake-ups.
#[derive(Default)]
pub struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A boxed future plus the counter of its waker.
pub struct Driven<'a, T> {
    pub fut: Pin<Box<dyn Future<Output = T> + 'a>>,
    pub wakes: Arc<Counter>,
}

impl<'a, T> Driven<'a, T> {
    pub fn new(f: impl Future<Output = T> + 'a) -> Self {
        Self { fut: Box::pin(f), wakes: Arc::default() }
    }

    /// Polls once.
    pub fn poll(&mut self) -> Option<T> {
        let waker = Waker::from(self.wakes.clone());
        match self.fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => None,
        }
    }

    /// Times woken so far.
    pub fn woken(&self) -> usize {
        self.wakes.0.load(Ordering::SeqCst)
    }
}
