//! asyncio's `Future`: a result that will exist later, set by one side and
//! awaited (or observed through callbacks) by others.

use crate::error::{CancelledError, FutureError, InvalidStateError};
use crate::exception::{Exception, ExceptionContext};
use crate::hooks;
use std::cell::RefCell;
use std::fmt;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Identifies a callback registered with [`Future::add_done_callback`], to
/// remove it again (Rust closures cannot be compared, so asyncio's
/// `remove_done_callback(fn)` takes this id instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

type DoneCallback<T> = Box<dyn FnOnce(&Future<T>)>;

/// An awaiting task is woken in the same list, in the same order, as done
/// callbacks: asyncio implements `await fut` as a done callback too, so a
/// callback registered before a task started waiting runs before the task.
enum Waiter<T> {
    Callback(CallbackId, DoneCallback<T>),
    Task(Waker),
}

enum State<T> {
    Pending,
    Done(T),
    Failed(Exception),
    Cancelled(Option<String>),
}

struct Inner<T> {
    state: State<T>,
    waiters: Vec<Waiter<T>>,
    next_callback: u64,
    /// Whether anybody looked at the exception: if not, dropping the last
    /// handle reports "Future exception was never retrieved", like asyncio.
    retrieved: bool,
    created_at: &'static Location<'static>,
}

/// asyncio's `Future`: pending until `set_result`, `set_exception` or
/// `cancel`, then done for good.
///
/// `Future<T>` is a cheap, cloneable handle (clones share one state) and is
/// `!Send`: like asyncio's, it belongs to one thread. Awaiting it (or a clone)
/// gives `Ok(value)` (a clone of it), or the exception or cancellation as a
/// [`FutureError`]. Done callbacks run through the running loop's `call_soon`,
/// in registration order, never inline; with no loop installed on the thread
/// they run inline when the future completes, so a `Future` also works on its
/// own (e.g. with `futures_lite::future::block_on`).
///
/// ```
/// use tulip_task::{Future, FutureError};
/// let fut = Future::new();
/// let waiter = fut.clone();
/// assert!(!fut.done());
/// fut.set_result("hello").unwrap();
/// assert_eq!(futures_lite::future::block_on(waiter).unwrap(), "hello");
/// // A second set is an error, as in asyncio.
/// assert!(fut.set_result("again").is_err());
/// ```
pub struct Future<T> {
    inner: Rc<RefCell<Inner<T>>>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future { inner: self.inner.clone() }
    }
}

impl<T: 'static> Default for Future<T> {
    #[track_caller]
    fn default() -> Self {
        Future::new()
    }
}

impl<T: 'static> Future<T> {
    /// A new pending future (asyncio's `loop.create_future()`).
    #[track_caller]
    pub fn new() -> Self {
        Future {
            inner: Rc::new(RefCell::new(Inner {
                state: State::Pending,
                waiters: Vec::new(),
                next_callback: 0,
                retrieved: false,
                created_at: Location::caller(),
            })),
        }
    }

    /// True once the future has a result, an exception, or was cancelled.
    pub fn done(&self) -> bool {
        !matches!(self.inner.borrow().state, State::Pending)
    }

    /// True if the future was cancelled.
    pub fn cancelled(&self) -> bool {
        matches!(self.inner.borrow().state, State::Cancelled(_))
    }

    /// Marks the future done with `value`; `InvalidStateError` if it is done
    /// already.
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.complete(State::Done(value))
    }

    /// Marks the future done with an exception; `InvalidStateError` if it is
    /// done already.
    ///
    /// ```
    /// use tulip_task::{Future, FutureError};
    /// let fut: Future<u8> = Future::new();
    /// fut.set_exception(std::io::Error::other("disk on fire")).unwrap();
    /// assert!(matches!(fut.result(), Err(FutureError::Exception(_))));
    /// assert_eq!(fut.exception().unwrap().unwrap().to_string(), "disk on fire");
    /// ```
    pub fn set_exception(&self, exception: impl Into<Exception>) -> Result<(), InvalidStateError> {
        self.complete(State::Failed(exception.into()))
    }

    /// Cancels the future: returns false if it was already done, else marks
    /// it cancelled (with `msg`, kept in the [`CancelledError`]) and runs the
    /// callbacks.
    ///
    /// ```
    /// use tulip_task::{Future, FutureError};
    /// let fut: Future<()> = Future::new();
    /// assert!(fut.cancel(Some("no longer needed")));
    /// assert!(!fut.cancel(None));
    /// match fut.result() {
    ///     Err(FutureError::Cancelled(e)) => assert_eq!(e.message.as_deref(), Some("no longer needed")),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn cancel(&self, msg: Option<&str>) -> bool {
        self.complete(State::Cancelled(msg.map(str::to_owned))).is_ok()
    }

    fn complete(&self, state: State<T>) -> Result<(), InvalidStateError> {
        let waiters = {
            let mut inner = self.inner.borrow_mut();
            if !matches!(inner.state, State::Pending) {
                return Err(InvalidStateError("the future is already done"));
            }
            inner.state = state;
            std::mem::take(&mut inner.waiters)
        };
        for waiter in waiters {
            match waiter {
                Waiter::Task(w) => w.wake(),
                Waiter::Callback(_, cb) => self.schedule_callback(cb),
            }
        }
        Ok(())
    }

    fn schedule_callback(&self, cb: DoneCallback<T>) {
        let me = self.clone();
        hooks::call_soon(Box::new(move || cb(&me)));
    }

    /// Calls `callback(&future)` once the future is done (through the loop's
    /// `call_soon`; at once, scheduled, if it is done already).
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + 'static) -> CallbackId {
        let mut inner = self.inner.borrow_mut();
        let id = CallbackId(inner.next_callback);
        inner.next_callback += 1;
        if matches!(inner.state, State::Pending) {
            inner.waiters.push(Waiter::Callback(id, Box::new(callback)));
        } else {
            drop(inner);
            self.schedule_callback(Box::new(callback));
        }
        id
    }

    /// Removes a callback that has not run yet; returns how many were removed
    /// (0 or 1), like asyncio.
    ///
    /// ```
    /// use tulip_task::Future;
    /// let fut: Future<i32> = Future::new();
    /// let id = fut.add_done_callback(|_| unreachable!("removed"));
    /// assert_eq!(fut.remove_done_callback(id), 1);
    /// fut.set_result(3).unwrap();
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        let mut inner = self.inner.borrow_mut();
        let before = inner.waiters.len();
        inner.waiters.retain(|w| !matches!(w, Waiter::Callback(i, _) if *i == id));
        before - inner.waiters.len()
    }

    /// The exception, `None` if the future succeeded; `InvalidStateError` if
    /// pending, `CancelledError` if cancelled.
    pub fn exception(&self) -> Result<Option<Exception>, FutureError> {
        let mut inner = self.inner.borrow_mut();
        inner.retrieved = true;
        match &inner.state {
            State::Pending => Err(InvalidStateError("the result is not set yet").into()),
            State::Cancelled(m) => Err(CancelledError { message: m.clone() }.into()),
            State::Failed(e) => Ok(Some(e.clone())),
            State::Done(_) => Ok(None),
        }
    }

    /// Where the future was created.
    pub fn created_at(&self) -> &'static Location<'static> {
        self.inner.borrow().created_at
    }
}

impl<T: Clone + 'static> Future<T> {
    /// The result: `Ok(value)` if done, else the exception, the cancellation,
    /// or `InvalidStateError` while pending.
    ///
    /// ```
    /// use tulip_task::{Future, FutureError};
    /// let fut = Future::new();
    /// assert!(matches!(fut.result(), Err(FutureError::InvalidState(_))));
    /// fut.set_result(42).unwrap();
    /// assert_eq!(fut.result().unwrap(), 42);
    /// ```
    pub fn result(&self) -> Result<T, FutureError> {
        let mut inner = self.inner.borrow_mut();
        inner.retrieved = true;
        match &inner.state {
            State::Pending => Err(InvalidStateError("the result is not set yet").into()),
            State::Done(v) => Ok(v.clone()),
            State::Failed(e) => Err(FutureError::Exception(e.clone())),
            State::Cancelled(m) => Err(CancelledError { message: m.clone() }.into()),
        }
    }
}

impl<T: Clone + 'static> std::future::Future for Future<T> {
    type Output = Result<T, FutureError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        {
            let mut inner = self.inner.borrow_mut();
            if matches!(inner.state, State::Pending) {
                let known = inner.waiters.iter().any(|w| matches!(w, Waiter::Task(w) if w.will_wake(cx.waker())));
                if !known {
                    inner.waiters.push(Waiter::Task(cx.waker().clone()));
                }
                return Poll::Pending;
            }
        }
        Poll::Ready(self.result())
    }
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        if let State::Failed(e) = &self.state {
            if !self.retrieved {
                hooks::report(ExceptionContext {
                    message: "Future exception was never retrieved".into(),
                    exception: Some(e.clone()),
                    task: None,
                    source: Some(self.created_at),
                });
            }
        }
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.borrow();
        let state = match &inner.state {
            State::Pending => "pending",
            State::Done(_) => "finished",
            State::Failed(_) => "finished with exception",
            State::Cancelled(_) => "cancelled",
        };
        write!(f, "<Future {state} created at {}>", inner.created_at)
    }
}
