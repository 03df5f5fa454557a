//! Waiting for a child and reaping it, without a thread per child.
//!
//! The rules:
//!
//! * A child is reaped only here, only with `waitpid(pid, WNOHANG)` on its
//!   own pid (never `waitpid(-1)`), and a [`ChildPid`] is discarded as soon
//!   as it has been reaped. Until then the pid cannot be reused (the child
//!   is at worst a zombie), so signalling through a live `ChildPid` never
//!   reaches another process.
//! * Linux >= 5.3: `pidfd_open` gives a descriptor that turns readable when
//!   the child exits. It is registered on the running loop's poller while a
//!   wait is in progress; readable, `waitpid(WNOHANG)` collects the status.
//!   Signals go through `pidfd_send_signal`, which cannot hit a reused pid.
//! * Without pidfds (another OS, a kernel before 5.3, a seccomp filter that
//!   refuses the call): a timer poll of `waitpid(WNOHANG)`, first after
//!   1 ms, the delay doubling up to 100 ms. It holds no thread and takes no
//!   process-wide `SIGCHLD` disposition away from the program.
//! * The status is taken from `waitpid` and handed back in one poll, with
//!   no await in between: a wait that is cancelled loses nothing.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;
use tulip_reactor::IoSource;

/// The first delay of the timer poll, without a pidfd.
const FIRST_POLL: Duration = Duration::from_millis(1);
/// The longest delay of the timer poll.
const MAX_POLL: Duration = Duration::from_millis(100);

/// A child of ours that has not been reaped: its pid and, where the OS has
/// them, a pidfd. `Send`, so it can be handed to the orphan reaper.
#[derive(Debug)]
pub(crate) struct ChildPid {
    pid: libc::pid_t,
    pidfd: Option<OwnedFd>,
}

impl ChildPid {
    /// Takes charge of `pid`, a child spawned by this process and not reaped.
    pub(crate) fn new(pid: u32) -> ChildPid {
        // std's `Child::id` is the `pid_t` cast to `u32`: cast back.
        let pid = pid as libc::pid_t;
        ChildPid { pid, pidfd: pidfd_open(pid) }
    }

    /// One `waitpid(WNOHANG)`: the status if the child has exited (it is
    /// then reaped: discard `self`), `None` while it runs. `ECHILD` means
    /// someone else reaped it (`SIGCHLD` ignored, a `waitpid(-1)` elsewhere).
    pub(crate) fn try_reap(&self) -> io::Result<Option<ExitStatus>> {
        let mut status: libc::c_int = 0;
        loop {
            // SAFETY: waitpid writes the status into a live local int.
            let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
            if r == self.pid {
                return Ok(Some(ExitStatus::from_raw(status)));
            }
            if r == 0 {
                return Ok(None);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Waits for the child to exit on the running loop and reaps it (then
    /// discard `self`). Cancel-safe: the status is returned in the poll that
    /// reaped it.
    pub(crate) async fn reap(&self) -> io::Result<ExitStatus> {
        if tulip_reactor::try_get_running_loop().is_none() {
            return Err(io::Error::other("tulip: no running event loop on this thread"));
        }
        if let Some(pidfd) = &self.pidfd {
            // Registration fails only if the poller refuses the fd: then
            // the timer poll still works.
            if let Ok(source) = IoSource::new(pidfd.as_fd()) {
                return source
                    .read_with(|_| match self.try_reap() {
                        Ok(Some(status)) => Ok(status),
                        Ok(None) => Err(io::ErrorKind::WouldBlock.into()),
                        Err(e) => Err(e),
                    })
                    .await;
            }
        }
        let mut delay = FIRST_POLL;
        loop {
            if let Some(status) = self.try_reap()? {
                return Ok(status);
            }
            tulip_timer::sleep(delay).await;
            delay = (delay * 2).min(MAX_POLL);
        }
    }

    /// Waits for the child in a blocking `waitpid`: only for the last
    /// resort of the orphan reaper, on the blocking pool.
    pub(crate) fn reap_blocking(&self) -> io::Result<ExitStatus> {
        let mut status: libc::c_int = 0;
        loop {
            // SAFETY: waitpid writes the status into a live local int.
            let r = unsafe { libc::waitpid(self.pid, &mut status, 0) };
            if r == self.pid {
                return Ok(ExitStatus::from_raw(status));
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Sends `signal` to the child.
    pub(crate) fn send_signal(&self, signal: i32) -> io::Result<()> {
        if let Some(pidfd) = &self.pidfd {
            match pidfd_send_signal(pidfd, signal) {
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
                r => return r,
            }
        }
        // SAFETY: kill(2) takes plain integers and touches no memory of
        // ours. `self.pid` is our child, and this crate has not reaped it:
        // every owner drops its `ChildPid` as soon as a reap returns a
        // status (the module's rules). So the pid still names the child, a
        // zombie at worst, and no other process can have it (short of code
        // outside tulip reaping our children: `waitpid(-1)`, or SIGCHLD
        // ignored, which the pidfd path above is immune to).
        if unsafe { libc::kill(self.pid, signal) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// A pidfd for `pid` (Linux >= 5.3), or `None`: the timer poll is used.
#[cfg(target_os = "linux")]
fn pidfd_open(pid: libc::pid_t) -> Option<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: pidfd_open takes a pid and flags (none) and returns a new
    // descriptor (close-on-exec) or -1; no memory is passed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = libc::c_int::try_from(fd).ok().filter(|&fd| fd >= 0)?;
    // SAFETY: the call just returned this descriptor: it is open and ours.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(not(target_os = "linux"))]
fn pidfd_open(_pid: libc::pid_t) -> Option<OwnedFd> {
    None
}

#[cfg(target_os = "linux")]
fn pidfd_send_signal(pidfd: &OwnedFd, signal: i32) -> io::Result<()> {
    let no_info: *const libc::siginfo_t = std::ptr::null();
    // SAFETY: the pidfd is open (borrowed from its owner); a null siginfo
    // is allowed (the kernel fills in what kill(2) would) and no flags.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_send_signal, pidfd.as_raw_fd(), signal, no_info, 0) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn pidfd_send_signal(_pidfd: &OwnedFd, _signal: i32) -> io::Result<()> {
    Err(io::Error::from_raw_os_error(libc::ENOSYS))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::process::Command;

    // The `ChildPid` reaps it, not std's `Child`.
    #[allow(clippy::zombie_processes)]
    fn spawn(secs: &str) -> ChildPid {
        let child = Command::new("sleep").arg(secs).spawn().unwrap();
        ChildPid::new(child.id())
    }

    #[test]
    fn the_timer_poll_reaps_without_a_pidfd() {
        let ev = tulip_reactor::EventLoop::new();
        ev.run_until_complete(async {
            let mut child = spawn("0.05");
            child.pidfd = None;
            assert!(child.try_reap().unwrap().is_none());
            assert!(child.reap().await.unwrap().success());
        });
    }

    #[test]
    fn kill_without_a_pidfd_then_reap() {
        let ev = tulip_reactor::EventLoop::new();
        ev.run_until_complete(async {
            let mut child = spawn("30");
            child.pidfd = None;
            child.send_signal(libc::SIGKILL).unwrap();
            assert_eq!(child.reap().await.unwrap().signal(), Some(libc::SIGKILL));
        });
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_pidfd_reaps_and_signals() {
        let ev = tulip_reactor::EventLoop::new();
        ev.run_until_complete(async {
            let child = spawn("30");
            if child.pidfd.is_none() {
                child.send_signal(libc::SIGKILL).unwrap();
                child.reap().await.unwrap();
                eprintln!("pidfd_open is refused here: only the timer poll is tested");
                return;
            }
            child.send_signal(libc::SIGTERM).unwrap();
            assert_eq!(child.reap().await.unwrap().signal(), Some(libc::SIGTERM));
        });
    }
}
