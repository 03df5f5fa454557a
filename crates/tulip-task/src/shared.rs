//! [`SharedTask`]: one task awaited from several places (asyncio allows any
//! number of awaiters on a task), each getting a clone of the output.

use crate::error::{FutureError, InvalidStateError, PanicError, TaskError};
use crate::exception::Exception;
use crate::task::Task;
use crate::task_ref::TaskRef;
use std::cell::RefCell;
use std::fmt;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Inner<T> {
    task: Task<T>,
    /// The outcome, once taken out of the task.
    out: RefCell<Option<Result<T, TaskError>>>,
    /// Awaiters to wake when the task is done; woken by a done callback,
    /// as asyncio wakes the coroutines awaiting a task.
    wakers: RefCell<Vec<Waker>>,
}

/// A cloneable handle to a task, from [`Task::shared`]: every clone can be
/// awaited and gives a clone of the output; a panic arrives at each awaiter
/// as a [`PanicError`] with the panic's message (the payload itself cannot
/// be cloned). Dropping every clone drops the task's handle.
pub struct SharedTask<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Clone for SharedTask<T> {
    fn clone(&self) -> Self {
        SharedTask { inner: self.inner.clone() }
    }
}

impl<T: Clone> SharedTask<T> {
    pub(crate) fn new(task: Task<T>) -> Self {
        SharedTask { inner: Rc::new(Inner { task, out: RefCell::new(None), wakers: RefCell::default() }) }
    }

    /// The task (name, state, cancel).
    pub fn task_ref(&self) -> TaskRef {
        self.inner.task.task_ref()
    }

    /// Takes the outcome out of the task into the cache, once it is done.
    fn load(&self) {
        if self.inner.out.borrow().is_some() || !self.inner.task.done() {
            return;
        }
        let task = &self.inner.task;
        if task.poll_done(&mut Context::from_waker(Waker::noop())).is_ready() {
            *self.inner.out.borrow_mut() = Some(task.take_outcome());
        }
    }

    /// asyncio's `task.result()` (see [`Task::result`]).
    pub fn result(&self) -> Result<T, FutureError> {
        self.load();
        match self.inner.out.borrow().as_ref() {
            None => Err(InvalidStateError("the task is not done yet").into()),
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(TaskError::Cancelled(c))) => Err(c.clone().into()),
            Some(Err(TaskError::Panicked(p))) => Err(FutureError::Exception(p.to_exception())),
        }
    }

    /// asyncio's `task.exception()` (see [`Task::exception`]).
    pub fn exception(&self) -> Result<Option<Exception>, FutureError> {
        self.load();
        match self.inner.out.borrow().as_ref() {
            None => Err(InvalidStateError("the task is not done yet").into()),
            Some(Ok(_)) => Ok(None),
            Some(Err(TaskError::Cancelled(c))) => Err(c.clone().into()),
            Some(Err(TaskError::Panicked(p))) => Ok(Some(p.to_exception())),
        }
    }

    fn cloned(&self) -> Option<Result<T, TaskError>> {
        self.inner.out.borrow().as_ref().map(|out| match out {
            Ok(v) => Ok(v.clone()),
            Err(TaskError::Cancelled(c)) => Err(TaskError::Cancelled(c.clone())),
            Err(TaskError::Panicked(p)) => Err(TaskError::Panicked(p.duplicate())),
        })
    }
}

impl<T: Clone + 'static> StdFuture for SharedTask<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.load();
        if let Some(out) = self.cloned() {
            return Poll::Ready(out);
        }
        let mut wakers = self.inner.wakers.borrow_mut();
        if wakers.is_empty() {
            let weak = Rc::downgrade(&self.inner);
            self.inner.task.add_done_callback(move |_| {
                if let Some(inner) = weak.upgrade() {
                    let wakers = std::mem::take(&mut *inner.wakers.borrow_mut());
                    wakers.into_iter().for_each(Waker::wake);
                }
            });
        }
        if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
            wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl PanicError {
    /// Another error for the same panic, for another awaiter: the message
    /// and location, with the message as payload.
    pub(crate) fn duplicate(&self) -> PanicError {
        let mut p = PanicError::new(Box::new(self.message().to_owned()));
        p.copy_origin(self);
        p
    }
}

impl<T> fmt::Debug for SharedTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner.task, f)
    }
}
