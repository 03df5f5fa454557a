//! Unix signals (asyncio's `loop.add_signal_handler`): the C handler only
//! writes the signal number into a self-pipe; the loop reads the pipe like
//! any socket and runs the Rust callbacks as ordinary loop callbacks.

use super::io_source::IoSource;
use crate::handle::LoopHandle;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// The pipe's write end, for the C handler (-1 until created).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

/// The self-pipe, created once and kept for the life of the process: the C
/// handler may write at any time, so the pipe must never lose its reader
/// (a write to a pipe without one raises SIGPIPE). Loops read a `dup` of
/// the read end.
static PIPE: OnceLock<(OwnedFd, OwnedFd)> = OnceLock::new();

type Callback = Rc<dyn Fn()>;

thread_local! {
    static HANDLERS: RefCell<HashMap<i32, Callback>> = RefCell::new(HashMap::new());
    /// The task reading the pipe, started by the first handler added.
    static READER: RefCell<Option<tulip_task::Task<()>>> = const { RefCell::new(None) };
}

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; a full pipe (EAGAIN) drops
        // the byte, which only merges this delivery with pending ones.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
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

fn set_disposition(sig: i32, handler: libc::sighandler_t) -> io::Result<()> {
    // SAFETY: a zeroed sigaction is valid; we set the handler, an empty
    // mask and SA_RESTART (so interrupted syscalls elsewhere are retried).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = libc::SA_RESTART;
        if libc::sigaction(sig, &action, std::ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl LoopHandle {
    /// Runs `callback` on this loop (in a later iteration, like any
    /// callback) each time the process receives `signal` (asyncio's
    /// `add_signal_handler`, Unix only). Replaces an earlier handler of the
    /// same signal. `SIGKILL` and `SIGSTOP` cannot be caught: error.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let ev = tulip_reactor::EventLoop::new();
    /// let got = Rc::new(Cell::new(false));
    /// let g = got.clone();
    /// let h = ev.handle();
    /// ev.add_signal_handler(libc::SIGUSR1, move || { g.set(true); h.stop(); }).unwrap();
    /// // SAFETY (doc example): raising a signal this process handles.
    /// unsafe { libc::raise(libc::SIGUSR1) };
    /// ev.run_forever();
    /// assert!(got.get());
    /// assert!(ev.remove_signal_handler(libc::SIGUSR1).unwrap());
    /// ```
    pub fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()> {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP || !(1..64).contains(&signal) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("signal {signal} cannot be caught")));
        }
        self.start_signal_reader()?;
        HANDLERS.with(|h| h.borrow_mut().insert(signal, Rc::new(callback)));
        set_disposition(signal, on_signal as *const () as libc::sighandler_t)
    }

    /// Removes the handler of `signal` and restores the default action
    /// (asyncio's `remove_signal_handler`); false if there was none.
    pub fn remove_signal_handler(&self, signal: i32) -> io::Result<bool> {
        let (had, none_left) = HANDLERS.with(|h| {
            let mut h = h.borrow_mut();
            (h.remove(&signal).is_some(), h.is_empty())
        });
        if had {
            set_disposition(signal, libc::SIG_DFL)?;
        }
        if none_left {
            if let Some(reader) = READER.with(|r| r.borrow_mut().take()) {
                reader.cancel();
            }
        }
        Ok(had)
    }

    fn start_signal_reader(&self) -> io::Result<()> {
        if READER.with(|r| r.borrow().is_some()) {
            return Ok(());
        }
        let pipe = match PIPE.get() {
            Some(p) => p,
            None => {
                let p = make_pipe()?;
                let p = PIPE.get_or_init(|| p);
                PIPE_WRITE.store(p.1.as_raw_fd(), Ordering::Relaxed);
                p
            }
        };
        let reader = IoSource::on_loop(File::from(pipe.0.try_clone()?), self.state.clone())?;
        let lp = self.clone();
        let task = self.create_internal_task(async move {
            let mut buf = [0u8; 64];
            loop {
                let Ok(n) = reader.read_with(|f| (&*f).read(&mut buf)).await else { return };
                if n == 0 {
                    return;
                }
                for &sig in &buf[..n] {
                    let cb = HANDLERS.with(|h| h.borrow().get(&i32::from(sig)).cloned());
                    if let Some(cb) = cb {
                        lp.call_soon(move || cb());
                    }
                }
            }
        });
        READER.with(|r| *r.borrow_mut() = Some(task));
        Ok(())
    }
}

/// Signal numbers for [`LoopHandle::add_signal_handler`].
pub mod signals {
    pub use libc::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
}
