//! Unix signals (asyncio's `loop.add_signal_handler`).
//!
//! The rules (the pieces are in `signal_pipe.rs` and `signal_registry.rs`):
//!
//! * The C handler only writes the signal number into a process-wide
//!   self-pipe (async-signal-safe, `errno` preserved).
//! * Each loop with a handler reads a `dup` of the pipe like any socket.
//!   Whichever loop reads a byte forwards the signal to every loop that
//!   registered for it, so each of them runs its own callback, as an
//!   ordinary callback on its own thread.
//! * The first loop to handle a signal installs the C handler; the last to
//!   let go of it (`remove_signal_handler`, or the loop closing) restores
//!   the disposition from before.
//! * A loop's handlers live in its loop-local storage: closing the loop
//!   releases its signals and stops its pipe reader.

use crate::{signal_pipe, signal_registry};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use tulip_reactor::{IoSource, LoopHandle};

type Callback = Rc<dyn Fn()>;

/// Numbers the loops in the signal registry.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One loop's signal handlers, kept in the loop (its loop-local storage):
/// dropped when the loop closes, which releases its signals.
struct Handlers {
    /// This loop's id in the registry.
    id: u64,
    handlers: RefCell<HashMap<i32, Callback>>,
    /// The task reading the pipe, started by the first handler added.
    reader: RefCell<Option<tulip_task::Task<()>>>,
}

impl Default for Handlers {
    fn default() -> Self {
        Handlers {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            handlers: RefCell::default(),
            reader: RefCell::default(),
        }
    }
}

impl Handlers {
    fn stop_reader_if_idle(&self) {
        if self.handlers.borrow().is_empty() {
            let reader = self.reader.borrow_mut().take();
            if let Some(reader) = reader {
                reader.cancel();
            }
        }
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        for (&signal, _) in self.handlers.get_mut().iter() {
            // Nothing to report a failure to: the loop is closing.
            let _ = signal_registry::release(signal, self.id);
        }
        if let Some(reader) = self.reader.get_mut().take() {
            reader.cancel();
        }
    }
}

/// Runs this loop's handler of `signal`, if it still has one (the signal
/// was forwarded here by whichever loop read it from the pipe).
fn deliver(signal: i32) {
    let Some(lp) = tulip_reactor::try_get_running_loop() else { return };
    let callback = lp.local::<Handlers>().handlers.borrow().get(&signal).cloned();
    if let Some(callback) = callback {
        callback();
    }
}

/// asyncio's `loop.add_signal_handler` / `remove_signal_handler`, as
/// methods of the loop (Unix only): bring the trait into scope
/// (`use tulip::LoopSignals;`, also in `tulip::prelude`).
///
/// The C handler only writes the signal number into a self-pipe; a loop
/// reads the pipe like any socket and forwards the signal to every loop
/// that handles it, each of which runs its callback as an ordinary loop
/// callback. Closing the loop removes its handlers; a signal no loop
/// handles any more does again what it did before.
pub trait LoopSignals {
    /// Runs `callback` on this loop (in a later iteration, like any
    /// callback) each time the process receives `signal` (asyncio's
    /// `add_signal_handler`, Unix only). Replaces an earlier handler of the
    /// same signal on this loop; loops on other threads may handle the same
    /// signal, and each runs its own. `SIGKILL` and `SIGSTOP` cannot be
    /// caught: error.
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

    /// Removes the handler of `signal` (asyncio's `remove_signal_handler`);
    /// false if there was none. When no loop handles the signal any more,
    /// what it did before comes back.
    ///
    /// ```
    /// use tulip::LoopSignals;
    /// let ev = tulip::EventLoop::new();
    /// assert!(!ev.remove_signal_handler(libc::SIGHUP).unwrap());
    /// ev.add_signal_handler(libc::SIGHUP, || {}).unwrap();
    /// assert!(ev.remove_signal_handler(libc::SIGHUP).unwrap());
    /// ```
    fn remove_signal_handler(&self, signal: i32) -> io::Result<bool>;
}

impl LoopSignals for LoopHandle {
    fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()> {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP || !(1..64).contains(&signal) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("signal {signal} cannot be caught")));
        }
        if self.is_closed() {
            return Err(io::Error::other("Event loop is closed"));
        }
        let handlers = self.local::<Handlers>();
        // The pipe (and its reader) first: the C handler writes into it.
        start_signal_reader(self, &handlers)?;
        if let Err(e) = signal_registry::take(signal, handlers.id, self.remote()) {
            handlers.stop_reader_if_idle();
            return Err(e);
        }
        handlers.handlers.borrow_mut().insert(signal, Rc::new(callback));
        Ok(())
    }

    fn remove_signal_handler(&self, signal: i32) -> io::Result<bool> {
        let handlers = self.local::<Handlers>();
        let had = handlers.handlers.borrow_mut().remove(&signal).is_some();
        handlers.stop_reader_if_idle();
        if had {
            signal_registry::release(signal, handlers.id)?;
        }
        Ok(had)
    }
}

fn start_signal_reader(lp: &LoopHandle, handlers: &Handlers) -> io::Result<()> {
    if handlers.reader.borrow().is_some() {
        return Ok(());
    }
    let reader = IoSource::on_loop(File::from(signal_pipe::read_end()?), lp)?;
    // Waiting for signals is the loop's own business: it must not hold a
    // virtual clock still the way a socket a task waits on does.
    reader.set_background(true);
    let task = lp.create_internal_task(async move {
        let mut buf = [0u8; 512];
        loop {
            match reader.read_with(|f| (&*f).read(&mut buf)).await {
                Ok(n) if n > 0 => signal_registry::forward(&buf[..n], deliver),
                // The pipe is never closed; a read error ends the reader.
                _ => return,
            }
        }
    });
    *handlers.reader.borrow_mut() = Some(task);
    Ok(())
}

/// Signal numbers for [`LoopSignals::add_signal_handler`].
///
/// ```
/// use tulip::{signals, LoopSignals};
/// let ev = tulip::EventLoop::new();
/// ev.add_signal_handler(signals::SIGWINCH, || println!("resized")).unwrap();
/// assert!(ev.remove_signal_handler(signals::SIGWINCH).unwrap());
/// ```
pub mod signals {
    pub use libc::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};
}
