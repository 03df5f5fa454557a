//! The tasks a server must be able to wait for and cancel at shutdown:
//! connections, and streamed handlers that outlived their request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use tulip_sync::Event;
use tulip_task::Task;

struct Inner<C> {
    next: u64,
    tasks: HashMap<u64, (Task<()>, C)>,
}

/// Tasks that remove themselves when done, each with a value `C` (a
/// connection's shutdown switch).
pub(crate) struct TaskSet<C = ()> {
    inner: Rc<RefCell<Inner<C>>>,
    empty: Rc<Event>,
}

impl<C> Default for TaskSet<C> {
    fn default() -> Self {
        let empty = Rc::new(Event::new());
        empty.set();
        TaskSet { inner: Rc::new(RefCell::new(Inner { next: 0, tasks: HashMap::new() })), empty }
    }
}

impl<C: Clone + 'static> TaskSet<C> {
    /// Runs `fut` as an internal task of the running loop.
    pub(crate) fn spawn_with(&self, extra: C, fut: impl Future<Output = ()> + 'static) {
        let id = {
            let mut i = self.inner.borrow_mut();
            i.next += 1;
            i.next
        };
        let inner = Rc::downgrade(&self.inner);
        let empty = self.empty.clone();
        let task = tulip_reactor::get_running_loop().create_internal_task(async move {
            fut.await;
            if let Some(inner) = inner.upgrade() {
                // Take the entry out before dropping it: its Task handle is
                // this task's own, and dropping it only detaches.
                let done = inner.borrow_mut().tasks.remove(&id);
                if inner.borrow().tasks.is_empty() {
                    empty.set();
                }
                drop(done);
            }
        });
        self.inner.borrow_mut().tasks.insert(id, (task, extra));
        self.empty.clear();
    }

    /// The values of the running tasks.
    pub(crate) fn extras(&self) -> Vec<C> {
        self.inner.borrow().tasks.values().map(|(_, c)| c.clone()).collect()
    }

    /// How many run.
    pub(crate) fn len(&self) -> usize {
        self.inner.borrow().tasks.len()
    }

    /// Waits until none runs, at most `limit`; whether none runs.
    pub(crate) async fn wait_empty(&self, limit: Duration) -> bool {
        let wait = async {
            while self.len() > 0 {
                self.empty.wait().await;
            }
        };
        tulip_timer::timeout(limit, wait).await.is_ok()
    }

    /// Cancels every task.
    pub(crate) fn cancel_all(&self) {
        let all: Vec<_> = self.inner.borrow_mut().tasks.drain().collect();
        for (_, (task, _)) in all {
            task.cancel();
        }
        self.empty.set();
    }
}

impl TaskSet<()> {
    /// Runs `fut` as an internal task of the running loop.
    pub(crate) fn spawn(&self, fut: impl Future<Output = ()> + 'static) {
        self.spawn_with((), fut);
    }
}
