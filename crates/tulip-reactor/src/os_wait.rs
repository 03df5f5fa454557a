//! Waiting for I/O events: the one place the loop blocks.
//!
//! On Linux the loop waits with its own `epoll_wait` on the poller's epoll
//! fd, and is woken from other threads through its own `eventfd`. `polling`
//! still does every registration (add, modify, delete: its modes and rules
//! are unchanged), but its `wait` re-arms a timerfd and its notifier on
//! every call, even with no timeout: four extra syscalls per wait, which
//! doubled the syscalls of a UDP round trip (see docs/architecture.md).
//! Elsewhere the loop uses `polling`'s `wait` and `notify` as they are.

use crate::aio::source;
use crate::state::LoopState;
use std::time::Duration;

#[cfg(target_os = "linux")]
mod imp {
    use super::*;
    use std::cell::RefCell;
    use std::io;
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The key of the wake-up eventfd; `polling` reserves `usize::MAX` for
    /// its own notifier, sources use slab keys from 0.
    const WAKE_KEY: usize = usize::MAX - 1;
    /// `polling` stores the registration key in `epoll_event.u64`, and
    /// reports readable for these flags and writable for the next ones.
    const READ_FLAGS: u32 = (libc::EPOLLIN | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI) as u32;
    const WRITE_FLAGS: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;

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

        fn reset(&self) {
            let mut buf: u64 = 0;
            // SAFETY: reads at most 8 bytes into a live u64 (EAGAIN if empty).
            unsafe { libc::read(self.fd.as_raw_fd(), (&mut buf as *mut u64).cast(), 8) };
            self.notified.store(false, Ordering::Release);
        }

        pub(crate) fn deregister(&self, poller: &polling::Poller) {
            let _ = poller.delete(self.fd.as_fd());
        }
    }

    pub(crate) struct OsWait {
        events: RefCell<Vec<libc::epoll_event>>,
    }

    impl OsWait {
        pub(crate) fn new() -> OsWait {
            OsWait { events: RefCell::new(vec![libc::epoll_event { events: 0, u64: 0 }; 1024]) }
        }

        pub(crate) fn wait(&self, state: &LoopState, timeout: Option<Duration>) {
            let ms = match timeout {
                None => -1,
                // Rounded up: waking before a timer is due would spin.
                Some(d) => {
                    let ms = d.as_nanos().div_ceil(1_000_000);
                    i32::try_from(ms).unwrap_or(i32::MAX)
                }
            };
            let mut events = self.events.borrow_mut();
            let epfd = state.shared.poller.as_raw_fd();
            let cap = i32::try_from(events.len()).unwrap_or(i32::MAX);
            // SAFETY: `events` holds `cap` initialised epoll_event slots and
            // outlives the call; the kernel writes at most `cap` of them.
            let n = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), cap, ms) };
            // n < 0 is EINTR (or a broken epoll fd): the next iteration retries.
            let n = usize::try_from(n).unwrap_or(0);
            for ev in &events[..n] {
                let (key, flags) = (ev.u64 as usize, ev.events);
                if key == WAKE_KEY {
                    state.shared.notifier.reset();
                } else {
                    source::dispatch_one(state, key, flags & READ_FLAGS != 0, flags & WRITE_FLAGS != 0);
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;
    use std::cell::RefCell;
    use std::io;

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

    pub(crate) struct OsWait {
        events: RefCell<polling::Events>,
    }

    impl OsWait {
        pub(crate) fn new() -> OsWait {
            OsWait { events: RefCell::new(polling::Events::new()) }
        }

        pub(crate) fn wait(&self, state: &LoopState, timeout: Option<Duration>) {
            let mut events = self.events.borrow_mut();
            events.clear();
            let _ = state.shared.poller.wait(&mut events, timeout);
            for ev in events.iter() {
                source::dispatch_one(state, ev.key, ev.readable, ev.writable);
            }
        }
    }
}

pub(crate) use imp::{Notifier, OsWait};
