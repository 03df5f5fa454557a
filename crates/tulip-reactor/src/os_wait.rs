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
    use std::sync::atomic::{AtomicBool, Ordering};

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
            let mut events = self.events.borrow_mut();
            let epfd = shared.poller.as_raw_fd();
            let cap = i32::try_from(events.len()).unwrap_or(i32::MAX);
            let n = match timeout {
                Some(d) if !d.is_zero() && PWAIT2.load(Ordering::Relaxed) => {
                    pwait2(epfd, &mut events, cap, d).unwrap_or_else(|| wait_ms(epfd, &mut events, cap, timeout))
                }
                _ => wait_ms(epfd, &mut events, cap, timeout),
            };
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

    /// False once the kernel said it has no `epoll_pwait2` (before 5.11).
    static PWAIT2: AtomicBool = AtomicBool::new(true);

    /// `epoll_wait`, whose timeout is in whole milliseconds: rounded up
    /// (waking before a timer is due would spin), so a timer fires on
    /// average half a millisecond late.
    fn wait_ms(epfd: i32, events: &mut [libc::epoll_event], cap: i32, timeout: Option<Duration>) -> i32 {
        let ms = match timeout {
            None => -1,
            Some(d) => i32::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        };
        // SAFETY: `events` holds `cap` initialised epoll_event slots and
        // outlives the call; the kernel writes at most `cap` of them.
        unsafe { libc::epoll_wait(epfd, events.as_mut_ptr(), cap, ms) }
    }

    /// The resolution of a timed wait with `epoll_pwait2`: timeouts are
    /// rounded up to a multiple of it. Exact deadlines would wake the loop
    /// once per distinct deadline, and a wake-up (a context switch) costs
    /// ~15 µs of CPU on a VM; 100 µs lets timers that close share one
    /// (timer_precision_10k: 0.46× smol's CPU, against 0.62× with exact
    /// timeouts, at the same lateness within noise; docs/benchmarks.md).
    const WAIT_STEP: Duration = Duration::from_micros(100);

    /// `epoll_pwait2` (Linux 5.11): the same wait with a finer timeout
    /// ([`WAIT_STEP`] rather than a millisecond), so the loop wakes soon
    /// after the next timer is due, not up to a millisecond later. One
    /// syscall, as `epoll_wait`; `polling` gets its precision from a
    /// timerfd it re-arms (two more). `None` if the kernel lacks it
    /// (remembered: never asked again).
    pub(super) fn pwait2(epfd: i32, events: &mut [libc::epoll_event], cap: i32, d: Duration) -> Option<i32> {
        let step = WAIT_STEP.as_nanos();
        let d = Duration::from_nanos(u64::try_from(d.as_nanos().div_ceil(step) * step).unwrap_or(u64::MAX));
        let ts = libc::timespec {
            tv_sec: libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX),
            // Below 10^9: fits a c_long everywhere.
            tv_nsec: d.subsec_nanos() as libc::c_long,
        };
        // SAFETY: as for epoll_wait, plus `ts`, a valid timespec that
        // outlives the call, and a null sigmask (none changed). The raw
        // syscall: glibc only wraps it from 2.35 on, and other libcs not.
        let n = unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                epfd,
                events.as_mut_ptr(),
                cap,
                &ts as *const libc::timespec,
                std::ptr::null::<libc::sigset_t>(),
                0usize,
            )
        };
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS) {
            PWAIT2.store(false, Ordering::Relaxed);
            return None;
        }
        Some(i32::try_from(n).unwrap_or(-1))
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

    /// A timed wait of 0.3 ms (rounded up to the wait step) never returns
    /// before its timeout, and `epoll_pwait2` exists here or is refused as
    /// missing (then the loop uses `epoll_wait`).
    #[test]
    fn a_fine_timed_wait_never_returns_early() {
        let poller = polling::Poller::new().unwrap_or_else(|e| panic!("{e}"));
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 4];
        for _ in 0..5 {
            let start = std::time::Instant::now();
            let d = std::time::Duration::from_micros(300);
            match super::imp::pwait2(poller.as_raw_fd(), &mut events, 4, d) {
                Some(n) => {
                    assert_eq!(n, 0, "nothing is registered");
                    assert!(start.elapsed() >= d, "woke after {:?}", start.elapsed());
                }
                None => println!("this kernel has no epoll_pwait2: the loop waits in milliseconds"),
            }
        }
    }

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
