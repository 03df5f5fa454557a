//! The futures of [`BaseQueue::put`](crate::BaseQueue::put),
//! [`BaseQueue::get`](crate::BaseQueue::get) and [`BaseQueue::join`](crate::BaseQueue::join).

use crate::queue_state::{try_get, try_put, State};
use crate::queue_store::QueueStore;
use crate::waitq::{wake_all, Poll};
use crate::{GetNowaitError, PutNowaitError, QueueShutDown};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{self, Context};

/// The future of [`BaseQueue::put`](crate::BaseQueue::put).
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T, S: QueueStore<T>> {
    state: &'a RefCell<State<T, S>>,
    item: Option<T>,
    key: Option<usize>,
}

impl<'a, T, S: QueueStore<T>> Put<'a, T, S> {
    pub(crate) fn new(state: &'a RefCell<State<T, S>>, item: T) -> Self {
        Self { state, item: Some(item), key: None }
    }
}

impl<T, S: QueueStore<T>> fmt::Debug for Put<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put").field("queued", &self.key.is_some()).finish()
    }
}

impl<T, S: QueueStore<T>> Unpin for Put<'_, T, S> {}

impl<T, S: QueueStore<T>> Future for Put<'_, T, S> {
    type Output = Result<(), QueueShutDown<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<Self::Output> {
        let this = &mut *self;
        let Some(item) = this.item.take() else { return task::Poll::Ready(Ok(())) };
        let Some(key) = this.key else {
            return match try_put(this.state, item) {
                Ok(()) => task::Poll::Ready(Ok(())),
                Err(PutNowaitError::ShutDown(e)) => task::Poll::Ready(Err(e)),
                Err(PutNowaitError::Full(full)) => {
                    this.item = Some(full.0);
                    this.key = Some(this.state.borrow_mut().putters.push(cx.waker().clone()));
                    task::Poll::Pending
                }
            };
        };
        let mut wakers = Vec::new();
        let out = {
            let mut s = this.state.borrow_mut();
            match s.putters.poll(key, cx.waker()) {
                Poll::Pending => {
                    this.item = Some(item);
                    return task::Poll::Pending;
                }
                Poll::Granted(Err(_)) => Err(QueueShutDown(item)),
                Poll::Granted(Ok(())) => {
                    s.reserved -= 1;
                    if s.shutdown {
                        // Shut down between the hand-off and now.
                        Err(QueueShutDown(item))
                    } else {
                        s.push(item, &mut wakers);
                        Ok(())
                    }
                }
            }
        };
        this.key = None;
        wake_all(wakers);
        task::Poll::Ready(out)
    }
}

impl<T, S: QueueStore<T>> Drop for Put<'_, T, S> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut wakers = Vec::new();
        {
            let mut s = self.state.borrow_mut();
            if let Some(Ok(())) = s.putters.cancel(key) {
                // Handed a slot but cancelled: pass the slot on.
                s.reserved -= 1;
                s.grant_slots(&mut wakers);
            }
        }
        wake_all(wakers);
    }
}

/// The future of [`BaseQueue::get`](crate::BaseQueue::get).
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T, S: QueueStore<T>> {
    state: &'a RefCell<State<T, S>>,
    key: Option<usize>,
}

impl<'a, T, S: QueueStore<T>> Get<'a, T, S> {
    pub(crate) fn new(state: &'a RefCell<State<T, S>>) -> Self {
        Self { state, key: None }
    }
}

impl<T, S: QueueStore<T>> fmt::Debug for Get<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get").field("queued", &self.key.is_some()).finish()
    }
}

impl<T, S: QueueStore<T>> Future for Get<'_, T, S> {
    type Output = Result<T, QueueShutDown>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<Self::Output> {
        let state = self.state;
        let Some(key) = self.key else {
            return match try_get(state) {
                Ok(item) => task::Poll::Ready(Ok(item)),
                Err(GetNowaitError::ShutDown(e)) => task::Poll::Ready(Err(e)),
                Err(GetNowaitError::Empty(_)) => {
                    self.key = Some(state.borrow_mut().getters.push(cx.waker().clone()));
                    task::Poll::Pending
                }
            };
        };
        let mut wakers = Vec::new();
        let out = {
            let mut s = state.borrow_mut();
            match s.getters.poll(key, cx.waker()) {
                Poll::Pending => return task::Poll::Pending,
                Poll::Granted(Err(e)) => Err(e),
                Poll::Granted(Ok(item)) => {
                    s.in_flight -= 1;
                    s.grant_slots(&mut wakers);
                    Ok(item)
                }
            }
        };
        self.key = None;
        wake_all(wakers);
        task::Poll::Ready(out)
    }
}

impl<T, S: QueueStore<T>> Drop for Get<'_, T, S> {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut wakers = Vec::new();
        let mut dropped = None;
        {
            let mut s = self.state.borrow_mut();
            if let Some(Ok(item)) = s.getters.cancel(key) {
                // Handed an item but cancelled: pass it to the next getter, or
                // put it back at the head of the queue (dropped if the queue
                // was shut down immediately, counting as done).
                match s.getters.grant_front(Ok(item)) {
                    Ok(w) => wakers.push(w),
                    Err(Ok(item)) => {
                        s.in_flight -= 1;
                        if s.immediate {
                            dropped = Some(item);
                            s.done(1, &mut wakers);
                        } else {
                            s.items.unpop(item);
                        }
                    }
                    Err(Err(_)) => {}
                }
            }
        }
        drop(dropped);
        wake_all(wakers);
    }
}

/// The future of [`BaseQueue::join`](crate::BaseQueue::join).
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, T, S: QueueStore<T>> {
    state: &'a RefCell<State<T, S>>,
    key: Option<usize>,
}

impl<'a, T, S: QueueStore<T>> Join<'a, T, S> {
    pub(crate) fn new(state: &'a RefCell<State<T, S>>) -> Self {
        Self { state, key: None }
    }
}

impl<T, S: QueueStore<T>> fmt::Debug for Join<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join").field("queued", &self.key.is_some()).finish()
    }
}

impl<T, S: QueueStore<T>> Future for Join<'_, T, S> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> task::Poll<()> {
        let state = self.state;
        let mut s = state.borrow_mut();
        match self.key {
            None if s.unfinished == 0 => task::Poll::Ready(()),
            None => {
                let key = s.joiners.push(cx.waker().clone());
                drop(s);
                self.key = Some(key);
                task::Poll::Pending
            }
            Some(key) => match s.joiners.poll(key, cx.waker()) {
                Poll::Granted(()) => {
                    drop(s);
                    self.key = None;
                    task::Poll::Ready(())
                }
                Poll::Pending => task::Poll::Pending,
            },
        }
    }
}

impl<T, S: QueueStore<T>> Drop for Join<'_, T, S> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.state.borrow_mut().joiners.cancel(key);
        }
    }
}
