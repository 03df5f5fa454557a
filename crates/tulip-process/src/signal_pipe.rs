//! The process-wide self-pipe, the C signal handler that writes into it,
//! and installing / restoring a signal's disposition.
//!
//! The rules:
//!
//! * The C handler is async-signal-safe: it loads an atomic, calls
//!   write(2), and saves and restores `errno` around it (the interrupted
//!   code may be between a failing call and its read of `errno`). It
//!   touches no lock, no allocation, no Rust state beyond the atomic.
//! * The pipe is created once and kept for the life of the process: the
//!   handler may write at any time, and a pipe without a reader would raise
//!   SIGPIPE. Loops read `dup`s of its read end.
//! * A full pipe drops the byte: that only merges the delivery with ones
//!   still unread, as the kernel merges pending signals anyway.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// The pipe's write end, for the C handler (-1 until created).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

/// The self-pipe (read end, write end), created on first use.
static PIPE: OnceLock<(OwnedFd, OwnedFd)> = OnceLock::new();

#[cfg(any(target_os = "android", target_os = "netbsd", target_os = "openbsd"))]
use libc::__errno as errno_location;
#[cfg(any(target_os = "linux", target_os = "emscripten"))]
use libc::__errno_location as errno_location;
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd", target_os = "dragonfly"))]
use libc::__error as errno_location;

extern "C" fn on_signal(sig: libc::c_int) {
    // SAFETY: errno_location returns this thread's errno slot, valid for
    // the life of the thread, which outlives this handler.
    let errno = unsafe { errno_location() };
    // SAFETY: as above; a plain read of an int.
    let saved = unsafe { *errno };
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        // Signal numbers are below 65: they fit in a byte.
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe and reads one byte from a
        // live local; `fd` is the pipe's write end, which is never closed.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    // SAFETY: as above; puts back what the interrupted code had.
    unsafe { *errno = saved };
}

fn make_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two-element array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both fds are open and ours alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A new descriptor for the read end of the self-pipe (non-blocking),
/// creating the pipe on first use. Call it before installing the handler.
pub(crate) fn read_end() -> io::Result<OwnedFd> {
    let pipe = match PIPE.get() {
        Some(p) => p,
        None => {
            let p = make_pipe()?;
            // Two threads may race here: one pipe wins, the other is closed.
            let p = PIPE.get_or_init(|| p);
            PIPE_WRITE.store(p.1.as_raw_fd(), Ordering::Relaxed);
            p
        }
    };
    pipe.0.try_clone()
}

/// Installs the C handler for `sig` and returns the disposition it replaced.
pub(crate) fn install(sig: i32) -> io::Result<libc::sigaction> {
    // SAFETY: a zeroed sigaction is valid; we set the handler, an empty
    // mask and SA_RESTART (so interrupted syscalls elsewhere are retried),
    // and sigaction writes the old disposition into a live struct.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = libc::SA_RESTART;
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, &action, &mut old) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(old)
    }
}

/// Puts back `old`, the disposition [`install`] replaced.
pub(crate) fn restore(sig: i32, old: &libc::sigaction) -> io::Result<()> {
    // SAFETY: `old` is a disposition sigaction gave us for this signal.
    if unsafe { libc::sigaction(sig, old, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
