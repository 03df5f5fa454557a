//! The rarely used, mutable part of a task's metadata — its name and its
//! cancellation message — allocated on first use and safe to use from any
//! thread.
//!
//! A runnable is `Send` (the schedule function receives it on whatever thread
//! woke the task), so whatever it reaches, this included, can be used from
//! two threads at once. An `AtomicPtr` keeps the common case (no name, no
//! message) at one word and no allocation; the allocation holds a `Mutex`,
//! taken only to read or change a name or a message.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The name and the cancellation message of a task.
#[derive(Default)]
pub(crate) struct Extra {
    pub(crate) name: Option<Box<str>>,
    pub(crate) cancel_message: Option<Box<str>>,
}

/// A lazily allocated, lock-protected [`Extra`].
///
/// The pointer is null until the first write, then points to a leaked
/// `Box<Mutex<Extra>>` that is never replaced and is freed only by `Drop`.
pub(crate) struct ExtraCell(AtomicPtr<Mutex<Extra>>);

// Whatever `AtomicPtr` allows, what it points to is shared between threads.
const _: () = {
    const fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Mutex<Extra>>();
};

impl ExtraCell {
    /// A cell holding `name`, allocated only if there is one.
    pub(crate) fn new(name: Option<Box<str>>) -> Self {
        let ptr = match name {
            Some(name) => Box::into_raw(Box::new(Mutex::new(Extra { name: Some(name), cancel_message: None }))),
            None => ptr::null_mut(),
        };
        ExtraCell(AtomicPtr::new(ptr))
    }

    fn get(&self) -> Option<&Mutex<Extra>> {
        let ptr = self.0.load(Ordering::Acquire);
        // SAFETY: the pointer is null or was made by `Box::into_raw` and
        // published with a release store (`new`, `alloc`) that this acquire
        // load synchronizes with, so the allocation is initialized. It is
        // never replaced once set and is freed only in `drop`, which has
        // exclusive access: valid for as long as `&self` is.
        unsafe { ptr.as_ref() }
    }

    /// The locked extra data, allocating it if needed.
    fn alloc(&self) -> &Mutex<Extra> {
        if let Some(extra) = self.get() {
            return extra;
        }
        let fresh = Box::into_raw(Box::default());
        let ptr = match self.0.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` just above and was
                // never shared: another thread published its box first.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        };
        // SAFETY: `ptr` is the published allocation; see `get`.
        unsafe { &*ptr }
    }

    /// Runs `f` on the extra data, `None` if nothing was ever stored.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Extra) -> R) -> Option<R> {
        self.get().map(|m| f(&lock(m)))
    }

    /// Runs `f` on the extra data, allocating it first if needed.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Extra) -> R) -> R {
        f(&mut lock(self.alloc()))
    }
}

/// Locks `m`. The closures run under the lock only move and copy strings,
/// so a poisoned lock (a panic while it was held) still holds valid data.
fn lock(m: &Mutex<Extra>) -> MutexGuard<'_, Extra> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for ExtraCell {
    fn drop(&mut self) {
        let ptr = *self.0.get_mut();
        if !ptr.is_null() {
            // SAFETY: a non-null pointer came from `Box::into_raw` and is
            // freed only here; `&mut self` means no reference from `get`
            // is alive.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn allocates_on_first_write_only() {
        let cell = ExtraCell::new(None);
        assert_eq!(cell.read(|e| e.name.clone()), None);
        cell.write(|e| e.cancel_message = Some("stop".into()));
        assert_eq!(cell.read(|e| e.cancel_message.clone()).flatten().as_deref(), Some("stop"));
        let named = ExtraCell::new(Some("n".into()));
        assert_eq!(named.read(|e| e.name.clone()).flatten().as_deref(), Some("n"));
    }

    #[test]
    fn racing_first_writes_keep_one_allocation() {
        let cell = ExtraCell::new(None);
        std::thread::scope(|s| {
            s.spawn(|| cell.write(|e| e.name = Some("a".into())));
            s.spawn(|| cell.write(|e| e.cancel_message = Some("b".into())));
        });
        assert_eq!(
            cell.read(|e| (e.name.clone(), e.cancel_message.clone())),
            Some((Some("a".into()), Some("b".into())))
        );
    }
}
