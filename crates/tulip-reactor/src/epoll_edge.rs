//! Linux: registering a source edge-triggered with our own `epoll_ctl`, so
//! that the interest includes `EPOLLRDHUP` (the peer closed its side), which
//! `polling` does not ask for. The loop needs it to skip the `EWOULDBLOCK`
//! read after a short read (`IoSource::poll_read_stream`): without it, data
//! and the peer's FIN arriving in one event would look like "drained", and
//! the EOF would never be read. The event's `u64` is the source's key,
//! the encoding `os_wait.rs` decodes; `polling` still deletes it (by fd).

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Adds `fd` to the epoll instance `epfd`, edge-triggered, for reading
/// (with hang-ups), writing and priority data, under `key`.
///
/// # Safety
/// As for `polling::Poller::add`: `fd` must be deleted from the epoll
/// instance before it is closed.
pub(crate) unsafe fn add(epfd: &impl AsRawFd, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
    let flags = libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLPRI | libc::EPOLLET;
    let mut ev = libc::epoll_event { events: flags as u32, u64: key as u64 };
    // SAFETY: epoll_ctl reads the event we pass; both fds are open (the
    // caller's contract covers the removal before close).
    let r = unsafe { libc::epoll_ctl(epfd.as_raw_fd(), libc::EPOLL_CTL_ADD, fd.as_raw_fd(), &mut ev) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
