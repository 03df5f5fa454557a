//! Waking a loop that is blocked waiting for events, from any thread.
//!
//! On Linux the loop waits with its own `epoll_wait` (see `os_wait.rs`) and
//! is woken through an `eventfd` of its own, registered under
//! [`WAKE_KEY`]; elsewhere `polling`'s own notifier does the job.

use std::io;

/// The poller key of the wake-up eventfd; `polling` reserves `usize::MAX`
/// for its own notifier, I/O sources use slab keys from 0.
#[cfg(target_os = "linux")]
pub(crate) const WAKE_KEY: usize = usize::MAX - 1;

#[cfg(target_os = "linux")]
mod imp {
    use super::*;
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The cross-thread half: wakes a loop blocked in `epoll_wait`.
    pub(crate) struct Notifier {
        fd: OwnedFd,
        /// A wake-up is pending: further ones need no syscall.
        notified: AtomicBool,
    }

    impl Notifier {
        pub(crate) fn new(poller: &polling::Poller) -> io::Result<Notifier> {
            // SAFETY: eventfd takes plain flags and returns a new fd or -1.
            let raw = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            if raw < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `raw` is a fresh fd that nothing else owns.
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            // SAFETY: the eventfd lives as long as the `Shared` holding both
            // it and the poller; it is deleted from the poller on drop.
            unsafe { poller.add_with_mode(&fd, polling::Event::readable(WAKE_KEY), polling::PollMode::Edge)? };
            Ok(Notifier { fd, notified: AtomicBool::new(false) })
        }

        pub(crate) fn notify(&self, _poller: &polling::Poller) {
            if self.notified.swap(true, Ordering::AcqRel) {
                return;
            }
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our eventfd. A
            // failure (counter overflow) still leaves the fd readable.
            unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }

        /// Called by the loop when the eventfd was reported readable, before
        /// it drains its remote queues.
        ///
        /// Why a swap and not a store: a waker pushes its work, then swaps
        /// the flag to true and writes the eventfd only if the flag was
        /// false. With a plain store here, the loop's store of `false` and
        /// its following loads of the queues could be reordered against a
        /// waker's push and swap (the store-buffer pattern: both sides read
        /// stale values), so the waker skips the write while the loop misses
        /// its work and sleeps. Both sides doing a read-modify-write of the
        /// one flag with acquire-release ordering makes them totally
        /// ordered: if the waker's swap came first (it saw `true`, wrote
        /// nothing), ours reads its value and synchronizes with it, so its
        /// push is visible to the drain that follows; if ours came first,
        /// the waker saw `false` and writes the eventfd, so the next wait
        /// returns at once.
        pub(crate) fn reset(&self) {
            let mut buf: u64 = 0;
            // SAFETY: reads at most 8 bytes into a live u64 (EAGAIN if empty).
            unsafe { libc::read(self.fd.as_raw_fd(), (&mut buf as *mut u64).cast(), 8) };
            self.notified.swap(false, Ordering::AcqRel);
        }

        pub(crate) fn deregister(&self, poller: &polling::Poller) {
            let _ = poller.delete(self.fd.as_fd());
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;

    pub(crate) struct Notifier;

    impl Notifier {
        pub(crate) fn new(_poller: &polling::Poller) -> io::Result<Notifier> {
            Ok(Notifier)
        }

        pub(crate) fn notify(&self, poller: &polling::Poller) {
            // A failed notify means the poller's wakeup fd is broken; the loop
            // still picks the work up at its next timer or I/O event.
            let _ = poller.notify();
        }

        pub(crate) fn deregister(&self, _poller: &polling::Poller) {}
    }
}

pub(crate) use imp::Notifier;
