//! [`Event`]: asyncio's event flag.

use crate::waitq::wake_all;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{self, Context, Waker};

/// asyncio's `Event`: a flag tasks can wait on.
///
/// [`set`](Event::set) wakes every current waiter (they return even if the
/// event is cleared again before they run); [`clear`](Event::clear) resets it.
///
/// ```
/// tulip::run(async move {
///     let ev = tulip::sync::Event::new();
///     ev.set();
///     ev.wait().await;
///     assert!(ev.is_set());
/// });
/// ```
#[derive(Default)]
pub struct Event {
    flag: Cell<bool>,
    /// Bumped by every `set` that wakes: a waiter registered in an older
    /// generation has been released (a broadcast needs no per-waiter grant).
    generation: Cell<u64>,
    waiters: RefCell<Slab<Waker>>,
    /// `!Send + !Sync`, like every primitive of this crate.
    _single_loop: PhantomData<*const ()>,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event").field("set", &self.is_set()).finish()
    }
}

impl Event {
    /// A new, unset event.
    ///
    /// ```
    /// assert!(!tulip::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// let ev = tulip::sync::Event::new();
    /// ev.set();
    /// assert!(ev.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.get()
    }

    /// Sets the flag and wakes every waiter.
    ///
    /// ```
    /// let ev = tulip::sync::Event::new();
    /// ev.set();
    /// ev.set(); // idempotent
    /// assert!(ev.is_set());
    /// ```
    pub fn set(&self) {
        if !self.flag.replace(true) {
            self.generation.set(self.generation.get() + 1);
            let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
            // Every waiter is released by the new generation: wake them all.
            wake_all(waiters.into_iter().map(|(_, w)| w));
        }
    }

    /// Clears the flag; later [`wait`](Self::wait)s block until the next `set`.
    ///
    /// ```
    /// let ev = tulip::sync::Event::new();
    /// ev.set();
    /// ev.clear();
    /// assert!(!ev.is_set());
    /// ```
    pub fn clear(&self) {
        self.flag.set(false);
    }

    /// Waits until the flag is set (returns at once if it is).
    ///
    /// ```
    /// use std::rc::Rc;
    /// tulip::run(async {
    ///     let ev = Rc::new(tulip::Event::new());
    ///     let e = ev.clone();
    ///     let waiter = tulip::create_task(async move { e.wait().await });
    ///     tulip::sleep(std::time::Duration::ZERO).await;
    ///     assert!(!waiter.done()); // waiting
    ///     ev.set();
    ///     waiter.await.unwrap();
    ///     ev.wait().await; // set: returns at once
    /// });
    /// ```
    pub fn wait(&self) -> Wait<'_> {
        Wait { event: self, key: None, generation: 0 }
    }

    /// The number of tasks waiting.
    ///
    /// ```
    /// assert_eq!(tulip::sync::Event::new().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.waiters.borrow().len()
    }
}

/// The future of [`Event::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    event: &'a Event,
    key: Option<usize>,
    generation: u64,
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait").field("queued", &self.key.is_some()).finish()
    }
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<()> {
        let event = self.event;
        match self.key {
            None if event.flag.get() => task::Poll::Ready(()),
            None => {
                self.generation = event.generation.get();
                self.key = Some(event.waiters.borrow_mut().insert(cx.waker().clone()));
                task::Poll::Pending
            }
            Some(_) if event.generation.get() != self.generation => {
                self.key = None;
                task::Poll::Ready(())
            }
            Some(key) => {
                let mut waiters = event.waiters.borrow_mut();
                let w = &mut waiters[key];
                if !w.will_wake(cx.waker()) {
                    w.clone_from(cx.waker());
                }
                task::Poll::Pending
            }
        }
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        // Still registered in the current generation: leave. (A broadcast
        // already received has nothing to pass on.)
        if let Some(key) = self.key {
            if self.event.generation.get() == self.generation {
                self.event.waiters.borrow_mut().remove(key);
            }
        }
    }
}
