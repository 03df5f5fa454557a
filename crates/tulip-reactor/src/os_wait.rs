//! Waiting for I/O events: the one place the loop blocks.
//!
//! On Linux the loop waits with its own `epoll_wait` on the poller's epoll
//! fd, and is woken from other threads through its own `eventfd`
//! (`notifier.rs`). `polling` still does every registration (add, modify,
//! delete: its modes and rules are unchanged), but its `wait` re-arms a
//! timerfd and its notifier on every call, even with no timeout: four extra
//! syscalls per wait, which doubled the syscalls of a UDP round trip (see
//! docs/architecture.md). Elsewhere the loop uses `polling`'s `wait` as it is.

use crate::remote::Shared;
use crate::source::Sources;
use std::time::Duration;

#[cfg(target_os = "linux")]
mod imp {
    use super::*;
    use crate::notifier::WAKE_KEY;
    use std::cell::RefCell;
    use std::os::fd::AsRawFd;

    /// `polling` stores the registration key in `epoll_event.u64`, and
    /// reports readable for these flags and writable for the next ones.
    const READ_FLAGS: u32 =
        (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI) as u32;
    const WRITE_FLAGS: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
    /// The peer hung up (RDHUP: its write side; HUP: both) or the socket failed.
    const CLOSED_FLAGS: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;

    pub(crate) struct OsWait {
        events: RefCell<Vec<libc::epoll_event>>,
    }

    impl OsWait {
        pub(crate) fn new() -> OsWait {
            OsWait { events: RefCell::new(vec![libc::epoll_event { events: 0, u64: 0 }; 1024]) }
        }

        pub(crate) fn wait(&self, shared: &Shared, sources: &Sources, timeout: Option<Duration>) {
            let ms = match timeout {
                None => -1,
                // Rounded up: waking before a timer is due would spin.
                Some(d) => {
                    let ms = d.as_nanos().div_ceil(1_000_000);
                    i32::try_from(ms).unwrap_or(i32::MAX)
                }
            };
            let mut events = self.events.borrow_mut();
            let epfd = shared.poller.as_raw_fd();
            let cap = i32::try_from(events.len()).unwrap_or(i32::MAX);
            // SAFETY: `events` holds `cap` initialised epoll_event slots and
            // outlives the call; the kernel writes at most `cap` of them.
            let n = unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), cap, ms) };
            // n < 0 is EINTR (or a broken epoll fd): the next iteration retries.
            let n = usize::try_from(n).unwrap_or(0);
            for ev in &events[..n] {
                let (key, flags) = (ev.u64 as usize, ev.events);
                if key == WAKE_KEY {
                    shared.notifier.reset();
                } else {
                    sources.dispatch(
                        &shared.poller,
                        key,
                        flags & READ_FLAGS != 0,
                        flags & WRITE_FLAGS != 0,
                        flags & CLOSED_FLAGS != 0,
                    );
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;
    use std::cell::RefCell;

    pub(crate) struct OsWait {
        events: RefCell<polling::Events>,
    }

    impl OsWait {
        pub(crate) fn new() -> OsWait {
            OsWait { events: RefCell::new(polling::Events::new()) }
        }

        pub(crate) fn wait(&self, shared: &Shared, sources: &Sources, timeout: Option<Duration>) {
            let mut events = self.events.borrow_mut();
            events.clear();
            let _ = shared.poller.wait(&mut events, timeout);
            for ev in events.iter() {
                // polling's portable events do not say "hung up": assume it.
                sources.dispatch(&shared.poller, ev.key, ev.readable, ev.writable, true);
            }
        }
    }
}

pub(crate) use imp::OsWait;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::Write;
    use std::os::fd::AsRawFd;

    /// The loop's own `epoll_wait` reads the registration key from
    /// `epoll_event.u64` and readiness from the flags: that is how polling
    /// 3.11 registers fds, not a promise of its API. If an upgrade changes
    /// it, this fails here instead of the loop going deaf.
    #[test]
    fn polling_stores_the_key_in_epoll_data() {
        let poller = polling::Poller::new().unwrap_or_else(|e| panic!("{e}"));
        let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap_or_else(|e| panic!("{e}"));
        b.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
        // SAFETY: `b` outlives its registration: it is deleted below first.
        unsafe { poller.add_with_mode(&b, polling::Event::readable(42), polling::PollMode::Edge) }
            .unwrap_or_else(|e| panic!("{e}"));
        a.write_all(b"x").unwrap_or_else(|e| panic!("{e}"));
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
        // SAFETY: 8 initialised slots, and the kernel writes at most 8.
        let n = unsafe { libc::epoll_wait(poller.as_raw_fd(), events.as_mut_ptr(), 8, 1000) };
        assert_eq!(n, 1, "one event expected");
        let ev = events[0];
        assert_eq!({ ev.u64 }, 42, "polling no longer stores the key in epoll_event.u64");
        assert!(ev.events & libc::EPOLLIN as u32 != 0, "readable is no longer EPOLLIN");
        poller.delete(&b).unwrap_or_else(|e| panic!("{e}"));
    }
}
