//! The rarely used, mutable part of a task's metadata — its name and its
//! cancellation message — allocated on first use and safe to use from any
//! thread, sharing its word with the task's creation site.
//!
//! A runnable is `Send` (the schedule function receives it on whatever thread
//! woke the task), so whatever it reaches, this included, can be used from
//! two threads at once. One `AtomicPtr` keeps the common case (no name, no
//! message) at one word and no allocation: until the first write it holds
//! the creation site (`&'static Location`, tagged in its lowest bit, which
//! alignment leaves free), afterwards a `Box<Extra>` that holds the
//! creation site too. Sharing the word is what makes `TaskMeta` 24 bytes
//! instead of 32, and with it async-task's header 64 instead of 72 (its
//! trailing `bool` fits in the padding of a 24-byte metadata): 8 bytes
//! fewer per task (idle_tasks_mem: 121 -> 113 B).

use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The name and the cancellation message of a task.
#[derive(Default)]
pub(crate) struct Extra {
    pub(crate) name: Option<Box<str>>,
    pub(crate) cancel_message: Option<Box<str>>,
}

/// The allocation, once there is one.
struct Boxed {
    created_at: &'static Location<'static>,
    extra: Mutex<Extra>,
}

/// The lowest bit of the word: set while it holds the creation site.
const SITE: usize = 1;

/// A task's creation site and its lazily allocated, lock-protected
/// [`Extra`].
///
/// The word is a tagged `&'static Location` until the first write, then
/// points to a leaked `Box<Boxed>` that is never replaced and is freed only
/// by `Drop`.
pub(crate) struct ExtraCell(AtomicPtr<u8>);

// Whatever `AtomicPtr` allows, what it points to is shared between threads.
const _: () = {
    const fn shared_between_threads<T: Send + Sync>() {}
    shared_between_threads::<Boxed>();
    // The tag needs the lowest bit of both pointers to be free.
    assert!(std::mem::align_of::<Location<'static>>() > SITE);
    assert!(std::mem::align_of::<Boxed>() > SITE);
};

fn site_word(site: &'static Location<'static>) -> *mut u8 {
    // Never written through: the pointer is only turned back into the
    // shared reference it came from (see `created_at`).
    ptr::from_ref(site).cast_mut().cast::<u8>().map_addr(|a| a | SITE)
}

fn boxed_word(b: Box<Boxed>) -> *mut u8 {
    Box::into_raw(b).cast::<u8>()
}

impl ExtraCell {
    /// A cell for a task created at `created_at`, holding `name`; allocated
    /// only if there is a name.
    pub(crate) fn new(created_at: &'static Location<'static>, name: Option<Box<str>>) -> Self {
        let word = match name {
            Some(name) => boxed_word(Box::new(Boxed {
                created_at,
                extra: Mutex::new(Extra { name: Some(name), cancel_message: None }),
            })),
            None => site_word(created_at),
        };
        ExtraCell(AtomicPtr::new(word))
    }

    /// The allocation, if the word holds one.
    fn boxed(&self, word: *mut u8) -> Option<&Boxed> {
        if word.addr() & SITE != 0 {
            return None;
        }
        // SAFETY: an untagged word was made by `boxed_word` (`Box::into_raw`)
        // and published with a release store (`new`) or a successful
        // compare-exchange (`alloc`) that the acquire load the caller made
        // synchronizes with, so the allocation is initialized. It is never
        // replaced once set and is freed only in `drop`, which has exclusive
        // access: valid for as long as `&self` is.
        Some(unsafe { &*word.cast::<Boxed>() })
    }

    fn get(&self) -> Option<&Boxed> {
        self.boxed(self.0.load(Ordering::Acquire))
    }

    /// Where the task was created.
    pub(crate) fn created_at(&self) -> &'static Location<'static> {
        let word = self.0.load(Ordering::Acquire);
        match self.boxed(word) {
            Some(b) => b.created_at,
            // SAFETY: a tagged word was made by `site_word` from a
            // `&'static Location`; clearing the tag gives that pointer back.
            None => unsafe { &*word.map_addr(|a| a & !SITE).cast::<Location<'static>>() },
        }
    }

    /// The locked extra data, allocating it if needed.
    fn alloc(&self) -> &Mutex<Extra> {
        let current = self.0.load(Ordering::Acquire);
        if let Some(b) = self.boxed(current) {
            return &b.extra;
        }
        let fresh = boxed_word(Box::new(Boxed { created_at: self.created_at(), extra: Mutex::default() }));
        let word = match self.0.compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` just above and was
                // never shared: another thread published its box first (the
                // word only ever changes from the site to a box).
                drop(unsafe { Box::from_raw(fresh.cast::<Boxed>()) });
                winner
            }
        };
        match self.boxed(word) {
            Some(b) => &b.extra,
            // The word changes once, from the site to a box: after the
            // exchange it holds a box, ours or the winner's.
            None => unreachable!("a task's extra data was not allocated"),
        }
    }

    /// Runs `f` on the extra data, `None` if nothing was ever stored.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Extra) -> R) -> Option<R> {
        self.get().map(|b| f(&lock(&b.extra)))
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
        let word = *self.0.get_mut();
        if word.addr() & SITE == 0 {
            // SAFETY: an untagged word came from `Box::into_raw` and is freed
            // only here; `&mut self` means no reference from `get` is alive.
            drop(unsafe { Box::from_raw(word.cast::<Boxed>()) });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn allocates_on_first_write_only() {
        let cell = ExtraCell::new(Location::caller(), None);
        assert_eq!(cell.read(|e| e.name.clone()), None);
        cell.write(|e| e.cancel_message = Some("stop".into()));
        assert_eq!(cell.read(|e| e.cancel_message.clone()).flatten().as_deref(), Some("stop"));
        let named = ExtraCell::new(Location::caller(), Some("n".into()));
        assert_eq!(named.read(|e| e.name.clone()).flatten().as_deref(), Some("n"));
    }

    #[test]
    fn the_creation_site_survives_the_allocation() {
        let here = Location::caller();
        let cell = ExtraCell::new(here, None);
        assert!(std::ptr::eq(cell.created_at(), here));
        cell.write(|e| e.name = Some("named".into()));
        assert!(std::ptr::eq(cell.created_at(), here));
        let named = ExtraCell::new(here, Some("n".into()));
        assert!(std::ptr::eq(named.created_at(), here));
    }

    #[test]
    fn racing_first_writes_keep_one_allocation() {
        let cell = ExtraCell::new(Location::caller(), None);
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
