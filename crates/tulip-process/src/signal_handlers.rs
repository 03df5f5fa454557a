//! Unix signals (asyncio's `loop.add_signal_handler`): the C handler only
//! writes the signal number into a self-pipe; the loop reads the pipe like
//! any socket and runs the Rust callbacks as ordinary loop callbacks.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use tulip_reactor::{IoSource, LoopHandle};

/// The pipe's write end, for the C handler (-1 until created).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

/// The self-pipe, created once and kept for the life of the process: the C
/// handler may write at any time, so the pipe must never lose its reader
/// (a write to a pipe without one raises SIGPIPE). Loops read a `dup` of
/// the read end.
static PIPE: OnceLock<(OwnedFd, OwnedFd)> = OnceLock::new();

type Callback = Rc<dyn Fn()>;

/// One loop's signal handlers, kept in the loop (its loop-local storage):
/// dropped when the loop closes, which puts back each signal's previous
/// disposition and stops the pipe reader.
#[derive(Default)]
struct Handlers {
    handlers: RefCell<HashMap<i32, Callback>>,
    /// What each handled signal did before we took it over.
    previous: RefCell<HashMap<i32, libc::sigaction>>,
    /// The task reading the pipe, started by the first handler added.
    reader: RefCell<Option<tulip_task::Task<()>>>,
}

impl Handlers {
    fn restore(&self, signal: i32) -> io::Result<()> {
        let previous = self.previous.borrow_mut().remove(&signal);
        match previous {
            Some(old) => restore_disposition(signal, &old),
            None => Ok(()),
        }
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        let signals: Vec<i32> = self.previous.get_mut().keys().copied().collect();
        for signal in signals {
            let _ = self.restore(signal);
        }
        if let Some(reader) = self.reader.get_mut().take() {
            reader.cancel();
        }
    }
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

/// Installs our C handler for `sig` and returns the disposition it replaced.
fn install_handler(sig: i32) -> io::Result<libc::sigaction> {
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

fn restore_disposition(sig: i32, old: &libc::sigaction) -> io::Result<()> {
    // SAFETY: `old` is a disposition sigaction gave us for this signal.
    if unsafe { libc::sigaction(sig, old, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// asyncio's `loop.add_signal_handler` / `remove_signal_handler`, as
/// methods of the loop (Unix only): bring the trait into scope
/// (`use tulip::LoopSignals;`, also in `tulip::prelude`).
///
/// The C handler only writes the signal number into a self-pipe; the loop
/// reads the pipe like any socket and runs the callbacks as ordinary loop
/// callbacks. Closing the loop removes its handlers and puts back what each
/// signal did before.
pub trait LoopSignals {
    /// Runs `callback` on this loop (in a later iteration, like any
    /// callback) each time the process receives `signal` (asyncio's
    /// `add_signal_handler`, Unix only). Replaces an earlier handler of the
    /// same signal. `SIGKILL` and `SIGSTOP` cannot be caught: error.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use tulip::LoopSignals;
    /// let ev = tulip::EventLoop::new();
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
    fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()>;

    /// Removes the handler of `signal` and puts back what the signal did
    /// before (asyncio's `remove_signal_handler`); false if there was none.
    fn remove_signal_handler(&self, signal: i32) -> io::Result<bool>;
}

impl LoopSignals for LoopHandle {
    fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()> {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP || !(1..64).contains(&signal) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("signal {signal} cannot be caught")));
        }
        let signals = self.local::<Handlers>();
        start_signal_reader(self, &signals)?;
        signals.handlers.borrow_mut().insert(signal, Rc::new(callback));
        if !signals.previous.borrow().contains_key(&signal) {
            let old = install_handler(signal)?;
            signals.previous.borrow_mut().insert(signal, old);
        }
        Ok(())
    }

    fn remove_signal_handler(&self, signal: i32) -> io::Result<bool> {
        let signals = self.local::<Handlers>();
        let had = signals.handlers.borrow_mut().remove(&signal).is_some();
        if had {
            signals.restore(signal)?;
        }
        if signals.handlers.borrow().is_empty() {
            let reader = signals.reader.borrow_mut().take();
            if let Some(reader) = reader {
                reader.cancel();
            }
        }
        Ok(had)
    }
}

fn start_signal_reader(lp: &LoopHandle, signals: &Rc<Handlers>) -> io::Result<()> {
    if signals.reader.borrow().is_some() {
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
    let reader = IoSource::on_loop(File::from(pipe.0.try_clone()?), lp)?;
    let lp2 = lp.clone();
    // Weak: the task lives in the loop, and so do the `Handlers`.
    let handlers = Rc::downgrade(signals);
    let task = lp.create_internal_task(async move {
        let mut buf = [0u8; 64];
        loop {
            let Ok(n) = reader.read_with(|f| (&*f).read(&mut buf)).await else { return };
            if n == 0 {
                return;
            }
            let Some(signals) = handlers.upgrade() else { return };
            for &sig in &buf[..n] {
                let cb = signals.handlers.borrow().get(&i32::from(sig)).cloned();
                if let Some(cb) = cb {
                    lp2.call_soon(move || cb());
                }
            }
        }
    });
    *signals.reader.borrow_mut() = Some(task);
    Ok(())
}

/// Signal numbers for [`LoopHandle::add_signal_handler`].
pub mod signals {
    pub use libc::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
}
