//! Registering file descriptors with the loop's poller, and waiting for
//! them to become readable or writable (asyncio's selector machinery; the
//! Rust reference point is async-io's `Async<T>`).
//!
//! On Linux and the BSDs sources are registered once, edge-triggered: the
//! loop records readiness when the poller reports an edge, and an operation
//! clears it when the OS answers `EWOULDBLOCK`. The loop is single-threaded,
//! so readiness can only change between task steps, never between a failed
//! syscall and the waiter registering: nothing is lost. Where edge mode is
//! missing, sources are oneshot and re-armed whenever a waiter registers.

use crate::state::LoopState;
use polling::{Event, PollMode};
use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Which way an operation goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Read,
    Write,
}

#[derive(Default)]
struct Direction {
    /// The OS may accept this operation without blocking.
    ready: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// A registered file descriptor: its key in the loop's registry, and per
/// direction the readiness and the task waiting for it.
pub(crate) struct Source {
    key: usize,
    fd: RawFd,
    edge: bool,
    read: Direction,
    write: Direction,
}

impl Source {
    fn dir(&self, d: Dir) -> &Direction {
        match d {
            Dir::Read => &self.read,
            Dir::Write => &self.write,
        }
    }

    /// Ready, or registers `cx`'s waker to be woken when it becomes so.
    pub(crate) fn poll_ready(&self, state: &LoopState, d: Dir, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let dir = self.dir(d);
        if dir.ready.get() {
            return Poll::Ready(Ok(()));
        }
        {
            let mut w = dir.waker.borrow_mut();
            match w.as_ref() {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => *w = Some(cx.waker().clone()),
            }
        }
        if !self.edge {
            if let Err(e) = self.rearm(state) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Pending
    }

    /// Whether the last word from the OS allows trying this direction.
    pub(crate) fn is_ready(&self, d: Dir) -> bool {
        self.dir(d).ready.get()
    }

    /// The OS said "would block": wait for the next readiness event.
    pub(crate) fn clear_ready(&self, d: Dir) {
        self.dir(d).ready.set(false);
    }

    fn rearm(&self, state: &LoopState) -> io::Result<()> {
        let mut ev = Event::none(self.key);
        ev.readable = self.read.waker.borrow().is_some();
        ev.writable = self.write.waker.borrow().is_some();
        // SAFETY: `fd` stays open while this source is registered: the
        // owning `IoSource` deregisters it before the fd is closed.
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        state.shared.poller.modify_with_mode(fd, ev, PollMode::Oneshot)
    }

    /// Records what the poller reported and wakes the waiters.
    fn on_event(&self, state: &LoopState, readable: bool, writable: bool) {
        let mut rearm = false;
        for (d, fired) in [(Dir::Read, readable), (Dir::Write, writable)] {
            let dir = self.dir(d);
            if fired {
                dir.ready.set(true);
                if let Some(w) = dir.waker.borrow_mut().take() {
                    w.wake();
                }
            } else if dir.waker.borrow().is_some() {
                rearm = true;
            }
        }
        // A oneshot registration is disarmed by any event: re-arm for the
        // direction still waited on.
        if !self.edge && rearm {
            let _ = self.rearm(state);
        }
    }
}

/// Registers `fd` (already non-blocking) with the loop's poller.
pub(crate) fn register(state: &LoopState, fd: BorrowedFd<'_>) -> io::Result<Rc<Source>> {
    register_with(state, fd, true)
}

/// Registers `fd`; `allow_edge: false` forces oneshot mode, re-armed at each
/// wait, which gives level-triggered behaviour (what `add_reader` needs:
/// its callback may leave data unread).
pub(crate) fn register_with(state: &LoopState, fd: BorrowedFd<'_>, allow_edge: bool) -> io::Result<Rc<Source>> {
    let mut sources = state.sources.borrow_mut();
    let entry = sources.vacant_entry();
    let key = entry.key();
    let poller = &state.shared.poller;
    let edge = allow_edge && poller.supports_edge();
    let (interest, mode) = if edge { (Event::all(key), PollMode::Edge) } else { (Event::none(key), PollMode::Oneshot) };
    // SAFETY: polling requires the fd to be deregistered before it is
    // closed: `IoSource` owns the fd and deregisters it first in its drop.
    unsafe { poller.add_with_mode(&fd, interest, mode)? };
    let source = Rc::new(Source {
        key,
        fd: fd.as_raw_fd(),
        edge,
        read: Direction { ready: Cell::new(true), waker: RefCell::default() },
        write: Direction { ready: Cell::new(true), waker: RefCell::default() },
    });
    entry.insert(source.clone());
    state.io_sources.set(state.io_sources.get() + 1);
    Ok(source)
}

/// Removes a source from the poller and the registry.
pub(crate) fn deregister(state: &LoopState, source: &Source, fd: BorrowedFd<'_>) {
    // Failure means the fd was already gone from the poller (closed under
    // us); either way it must leave the registry.
    let _ = state.shared.poller.delete(fd);
    if state.sources.borrow_mut().try_remove(source.key).is_some() {
        state.io_sources.set(state.io_sources.get().saturating_sub(1));
    }
}

/// Hands one readiness event to its source (unknown keys are ignored:
/// `polling`'s own notifier, or a source deregistered meanwhile).
pub(crate) fn dispatch_one(state: &LoopState, key: usize, readable: bool, writable: bool) {
    let source = state.sources.borrow().get(key).cloned();
    if let Some(source) = source {
        source.on_event(state, readable, writable);
    }
}
