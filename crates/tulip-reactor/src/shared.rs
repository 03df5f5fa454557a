//! The part of a loop other threads may touch: the remote queues, the poller
//! that wakes the loop, and the schedule function every task carries.

use crate::state::LoopState;
use concurrent_queue::ConcurrentQueue;
use polling::Poller;
use std::cell::Cell;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tulip_task::TaskRunnable;

type RemoteCall = Box<dyn FnOnce() + Send>;

/// State shared between a loop and its remote handles and wakers.
pub(crate) struct Shared {
    pub(crate) id: usize,
    pub(crate) poller: Poller,
    pub(crate) notifier: crate::os_wait::Notifier,
    pub(crate) remote_tasks: ConcurrentQueue<TaskRunnable>,
    pub(crate) remote_calls: ConcurrentQueue<RemoteCall>,
}

static NEXT_LOOP_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// The loop running on this thread: its id and its state. The pointer is
    /// valid while the id is non-zero (see `RunningGuard`).
    static RUNNING: Cell<(usize, *const LoopState)> = const { Cell::new((0, std::ptr::null())) };
}

impl Shared {
    pub(crate) fn new() -> io::Result<Arc<Shared>> {
        let poller = Poller::new()?;
        let notifier = crate::os_wait::Notifier::new(&poller)?;
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
        let (id, state) = RUNNING.with(Cell::get);
        if id == self.id {
            // SAFETY: RUNNING holds this loop's id only between
            // `RunningGuard::enter` and its drop, while the loop holds an
            // `Rc<LoopState>` keeping the pointee alive.
            let state = unsafe { &*state };
            state.push_task(runnable);
            return;
        }
        self.push_remote_task(runnable);
    }

    #[cold]
    fn push_remote_task(&self, runnable: TaskRunnable) {
        // The queue is unbounded and only closed when the loop is dropped, at
        // which point the runnable is dropped here too (the task is gone).
        if self.remote_tasks.push(runnable).is_ok() {
            self.wake_loop();
        }
    }

    pub(crate) fn push_remote_call(&self, call: RemoteCall) -> bool {
        let ok = self.remote_calls.push(call).is_ok();
        if ok {
            self.wake_loop();
        }
        ok
    }

    fn wake_loop(&self) {
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

/// Marks a loop as the one running on this thread, and restores the previous
/// state on drop (also on unwinding).
pub(crate) struct RunningGuard {
    previous: (usize, *const LoopState),
}

impl RunningGuard {
    pub(crate) fn enter(state: &LoopState) -> Self {
        let previous = RUNNING.with(|r| r.replace((state.shared.id, state as *const LoopState)));
        RunningGuard { previous }
    }

    /// True if some loop is running on this thread.
    pub(crate) fn any_running() -> bool {
        RUNNING.with(|r| r.get().0 != 0)
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.with(|r| r.set(self.previous));
    }
}

/// A `Send + Sync` handle to a loop, for other threads: asyncio's
/// `call_soon_threadsafe` and `loop.stop()` from outside.
///
/// ```
/// use std::sync::mpsc;
/// let ev = tulip_reactor::EventLoop::new();
/// let remote = ev.remote();
/// let (tx, rx) = mpsc::channel();
/// std::thread::spawn(move || {
///     remote.call_soon_threadsafe(move || tx.send("from another thread").unwrap());
///     remote.stop();
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
    /// the loop if it is waiting. Returns false if the loop is gone.
    pub fn call_soon_threadsafe(&self, f: impl FnOnce() + Send + 'static) -> bool {
        self.shared.push_remote_call(Box::new(f))
    }

    /// Stops the loop after its current iteration (like
    /// `loop.call_soon_threadsafe(loop.stop)`).
    pub fn stop(&self) -> bool {
        self.call_soon_threadsafe(crate::current::stop_running_loop)
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
