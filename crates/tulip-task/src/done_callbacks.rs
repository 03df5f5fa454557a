//! Done callbacks of tasks (asyncio's `task.add_done_callback`).
//!
//! They live in a table of the task's thread, keyed by task id, not in the
//! task: the task's metadata must be `Send + Sync` and the callbacks are
//! not, and the handle that registers them (`!Send`) and the poll that
//! completes the task both run on that thread. A metadata bit tells the
//! completing poll whether to look, so tasks without callbacks pay one
//! flag test.

use crate::hooks;
use crate::meta::TaskMeta;
use crate::task_ref::TaskRef;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Identifies a callback registered with
/// [`Task::add_done_callback`](crate::Task::add_done_callback), to remove it
/// (closures cannot be compared, so asyncio's `remove_done_callback(fn)`
/// takes this id instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskCallbackId(u64);

type Callback = Box<dyn FnOnce(&TaskRef)>;

thread_local! {
    static TABLE: RefCell<HashMap<u64, Vec<(u64, Callback)>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u64> = const { Cell::new(1) };
}

/// Registers `f` for `task`; scheduled at once if the task is done.
pub(crate) fn add(task: &TaskRef, f: Callback) -> TaskCallbackId {
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    if task.done() {
        let task = task.clone();
        hooks::call_soon(Box::new(move || f(&task)));
    } else {
        task.meta().mark_has_callbacks();
        TABLE.with(|t| t.borrow_mut().entry(task.id()).or_default().push((id, f)));
    }
    TaskCallbackId(id)
}

/// Removes a callback not run yet; how many were removed (0 or 1).
pub(crate) fn remove(task_id: u64, id: TaskCallbackId) -> usize {
    let removed = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let list = t.get_mut(&task_id)?;
        let at = list.iter().position(|(i, _)| *i == id.0)?;
        Some(list.remove(at))
    });
    // Dropped outside the borrow: a callback may own handles whose drop
    // reaches this table.
    usize::from(removed.is_some())
}

/// The task finished: its callbacks go to the loop's `call_soon`, in
/// registration order.
pub(crate) fn fire(task: &TaskRef) {
    for (_, f) in take(task.meta()) {
        let task = task.clone();
        hooks::call_soon(Box::new(move || f(&task)));
    }
}

/// The task's callbacks, taken out of the table (none if it has none).
pub(crate) fn take(meta: &TaskMeta) -> Vec<(u64, Callback)> {
    if !meta.has_callbacks() {
        return Vec::new();
    }
    TABLE.try_with(|t| t.borrow_mut().remove(&meta.id())).ok().flatten().unwrap_or_default()
}
