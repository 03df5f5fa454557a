//! asyncio's `Future`: a result that will exist later, set by one side and
//! awaited (or observed through callbacks) by others.

use crate::error::{CancelledError, FutureError, InvalidStateError};
use crate::exception::{Exception, ExceptionContext};
use crate::hooks;
use crate::waiters::{Key, Waiters};
use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Identifies a callback registered with [`Future::add_done_callback`], to
/// remove it again (Rust closures cannot be compared, so asyncio's
/// `remove_done_callback(fn)` takes this id instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackId(Option<Key>);

type DoneCallback<T> = Box<dyn FnOnce(&Future<T>)>;

/// An awaiting task is woken in the same list, in the same order, as done
/// callbacks: asyncio implements `await fut` as a done callback too, so a
/// callback registered before a task started waiting runs before the task.
/// Each awaiting handle has one entry, which it updates when polled again
/// and removes when dropped.
enum Waiter<T> {
    Callback(DoneCallback<T>),
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
    waiters: Waiters<Waiter<T>>,
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
/// use tulip::{Future, FutureError};
/// let fut = Future::new();
/// let waiter = fut.clone();
/// assert!(!fut.done());
/// fut.set_result("hello").unwrap();
/// assert_eq!(tulip::run(waiter).unwrap(), "hello");
/// // A second set is an error, as in asyncio.
/// assert!(fut.set_result("again").is_err());
/// ```
///
/// A handle being awaited holds one entry in the future's list of waiters,
/// updated (not added to) each time it is polled, and removed when the
/// handle is dropped: awaiting clones in a loop (say, under a timeout) costs
/// no memory once each clone is gone.
pub struct Future<T> {
    inner: Rc<RefCell<Inner<T>>>,
    /// This handle's entry in the waiters, while it awaits a pending future.
    waiting: Option<Key>,
}

impl<T> Clone for Future<T> {
    /// Another handle to the same future (it has not awaited anything yet).
    fn clone(&self) -> Self {
        Future { inner: self.inner.clone(), waiting: None }
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
                waiters: Waiters::default(),
                retrieved: false,
                created_at: Location::caller(),
            })),
            waiting: None,
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
    /// use tulip::{Future, FutureError};
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
    /// use tulip::{Future, FutureError};
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

    /// Marks the future done and notifies every waiter, in order. A waker
    /// or (with no loop installed) a callback that panics does not stop the
    /// others from being notified: the first panic is re-raised after all.
    fn complete(&self, state: State<T>) -> Result<(), InvalidStateError> {
        let waiters = {
            let mut inner = self.inner.borrow_mut();
            if !matches!(inner.state, State::Pending) {
                return Err(InvalidStateError("the future is already done"));
            }
            inner.state = state;
            inner.waiters.take_all()
        };
        let mut first_panic = None;
        for waiter in waiters {
            let notified = catch_unwind(AssertUnwindSafe(|| match waiter {
                Waiter::Task(w) => w.wake(),
                Waiter::Callback(cb) => self.schedule_callback(cb),
            }));
            if let Err(payload) = notified {
                first_panic.get_or_insert(payload);
            }
        }
        match first_panic {
            Some(payload) => resume_unwind(payload),
            None => Ok(()),
        }
    }

    fn schedule_callback(&self, cb: DoneCallback<T>) {
        let me = self.clone();
        hooks::call_soon(Box::new(move || cb(&me)));
    }

    /// Calls `callback(&future)` once the future is done (through the loop's
    /// `call_soon`; at once, scheduled, if it is done already).
    pub fn add_done_callback(&self, callback: impl FnOnce(&Future<T>) + 'static) -> CallbackId {
        let mut inner = self.inner.borrow_mut();
        if matches!(inner.state, State::Pending) {
            CallbackId(Some(inner.waiters.push(Waiter::Callback(Box::new(callback)))))
        } else {
            drop(inner);
            self.schedule_callback(Box::new(callback));
            CallbackId(None)
        }
    }

    /// Removes a callback that has not run yet; returns how many were removed
    /// (0 or 1), like asyncio.
    ///
    /// ```
    /// use tulip::Future;
    /// let fut: Future<i32> = Future::new();
    /// let id = fut.add_done_callback(|_| unreachable!("removed"));
    /// assert_eq!(fut.remove_done_callback(id), 1);
    /// fut.set_result(3).unwrap();
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        let Some(key) = id.0 else { return 0 };
        let removed = self.inner.borrow_mut().waiters.remove(key);
        // Keys of callbacks and of awaiting handles never collide, so this is
        // the callback; it is dropped outside the borrow (it may own handles).
        usize::from(removed.is_some())
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
    /// use tulip::{Future, FutureError};
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
        let this = self.get_mut();
        let replaced = {
            let mut inner = this.inner.borrow_mut();
            if matches!(inner.state, State::Pending) {
                match this.waiting.and_then(|key| inner.waiters.get_mut(key)) {
                    Some(Waiter::Task(w)) if w.will_wake(cx.waker()) => None,
                    Some(Waiter::Task(w)) => Some(std::mem::replace(w, cx.waker().clone())),
                    _ => {
                        this.waiting = Some(inner.waiters.push(Waiter::Task(cx.waker().clone())));
                        None
                    }
                }
            } else {
                // Done: completing the future removed every waiter.
                this.waiting = None;
                drop(inner);
                return Poll::Ready(this.result());
            }
        };
        // Dropped outside the borrow: a waker's drop may run a task's destructors.
        drop(replaced);
        Poll::Pending
    }
}

impl<T> Drop for Future<T> {
    /// A handle dropped while awaiting takes its waker out of the waiters.
    fn drop(&mut self) {
        let Some(key) = self.waiting.take() else { return };
        let removed = match self.inner.try_borrow_mut() {
            Ok(mut inner) => inner.waiters.remove(key),
            // Only this crate borrows the state, never while dropping a
            // handle; the entry would be drained when the future completes.
            Err(_) => None,
        };
        drop(removed);
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
