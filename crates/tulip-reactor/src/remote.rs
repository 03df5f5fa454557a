//! The part of a loop other threads may touch: the queues they hand work
//! to, the notifier that wakes the loop, and the scheduler every task of
//! the loop carries. [`RemoteHandle`] is its public face: asyncio's
//! `call_soon_threadsafe` and `loop.stop()` from another thread.

use crate::error::RuntimeError;
use crate::notifier::Notifier;
use crate::ready::push_local;
use concurrent_queue::ConcurrentQueue;
use polling::Poller;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tulip_task::TaskRunnable;

/// Work handed to a loop by another thread.
pub(crate) enum RemoteCall {
    /// `call_soon_threadsafe(f)`.
    Call(Box<dyn FnOnce() + Send>),
    /// `RemoteHandle::stop`, kept in order with the calls.
    Stop,
}

/// State shared between a loop and its remote handles and wakers.
pub(crate) struct Shared {
    pub(crate) id: usize,
    pub(crate) poller: Poller,
    pub(crate) notifier: Notifier,
    pub(crate) remote_tasks: ConcurrentQueue<TaskRunnable>,
    pub(crate) remote_calls: ConcurrentQueue<RemoteCall>,
}

static NEXT_LOOP_ID: AtomicUsize = AtomicUsize::new(1);

impl Shared {
    pub(crate) fn new() -> io::Result<Arc<Shared>> {
        let poller = Poller::new()?;
        let notifier = Notifier::new(&poller)?;
        Ok(Arc::new(Shared {
            id: NEXT_LOOP_ID.fetch_add(1, Ordering::Relaxed),
            poller,
            notifier,
            remote_tasks: ConcurrentQueue::unbounded(),
            remote_calls: ConcurrentQueue::unbounded(),
        }))
    }

    /// Queues a task step. On the loop's own thread while it runs this is a
    /// plain push onto the ready queue; from anywhere else it goes through the
    /// lock-free remote queue and wakes the poller.
    #[inline]
    pub(crate) fn schedule(&self, runnable: TaskRunnable) {
        if let Err(runnable) = push_local(self.id, runnable) {
            self.push_remote_task(runnable);
        }
    }

    #[cold]
    fn push_remote_task(&self, runnable: TaskRunnable) {
        // This queue is never closed: a refused push would drop the runnable
        // here, on whatever thread woke the task, and with it possibly a
        // `!Send` future. Only the loop's thread pops it. A task woken after
        // its loop closed has normally no future left (closing cancels every
        // task and runs them until their futures are dropped); whatever it
        // still holds stays in the queue, leaked with it (the runnable keeps
        // this `Shared` alive through its schedule function), never dropped
        // on another thread. See the SAFETY comment of `TaskHost for LoopState`.
        let _ = self.remote_tasks.push(runnable);
        self.wake_loop();
    }

    /// Queues a call for the loop; refused once the loop is closed.
    pub(crate) fn push_remote_call(&self, call: RemoteCall) -> Result<(), RuntimeError> {
        if self.remote_calls.push(call).is_err() {
            return Err(RuntimeError::Closed);
        }
        self.wake_loop();
        Ok(())
    }

    pub(crate) fn wake_loop(&self) {
        self.notifier.notify(&self.poller);
    }
}

impl tulip_task::Scheduler for Shared {
    fn schedule(&self, runnable: TaskRunnable) {
        Shared::schedule(self, runnable);
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.notifier.deregister(&self.poller);
    }
}

/// A `Send + Sync` handle to a loop, for other threads: asyncio's
/// `call_soon_threadsafe` and `loop.stop()` from outside.
///
/// ```
/// use std::sync::mpsc;
/// let ev = tulip::EventLoop::new();
/// let remote = ev.remote();
/// let (tx, rx) = mpsc::channel();
/// std::thread::spawn(move || {
///     remote.call_soon_threadsafe(move || tx.send("from another thread").unwrap()).unwrap();
///     remote.stop().unwrap();
/// });
/// ev.run_forever();
/// assert_eq!(rx.recv().unwrap(), "from another thread");
/// ```
#[derive(Clone)]
pub struct RemoteHandle {
    pub(crate) shared: Arc<Shared>,
}

impl RemoteHandle {
    /// Schedules `f` to run on the loop's thread in a later iteration, waking
    /// the loop if it is waiting. Once the loop is closed the call is
    /// refused with [`RuntimeError::Closed`] (asyncio raises
    /// `RuntimeError('Event loop is closed')`), and `f` is dropped.
    pub fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) -> Result<(), RuntimeError> {
        self.shared.push_remote_call(RemoteCall::Call(Box::new(f)))
    }

    /// Stops the loop after the iteration that runs this request (like
    /// `loop.call_soon_threadsafe(loop.stop)`); refused once it is closed.
    pub fn stop(&self) -> Result<(), RuntimeError> {
        self.shared.push_remote_call(RemoteCall::Stop)
    }

    /// Wakes the loop if it is blocked waiting for events.
    pub fn wake(&self) {
        self.shared.wake_loop();
    }
}

impl fmt::Debug for RemoteHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<RemoteHandle loop={}>", self.shared.id)
    }
}
