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

use polling::{Event, PollMode, Poller};
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Which way an operation goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    pub(crate) fn poll_ready(&self, poller: &Poller, d: Dir, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
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
            if let Err(e) = self.rearm(poller) {
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

    fn rearm(&self, poller: &Poller) -> io::Result<()> {
        let mut ev = Event::none(self.key);
        ev.readable = self.read.waker.borrow().is_some();
        ev.writable = self.write.waker.borrow().is_some();
        // SAFETY: `fd` stays open while this source is registered: the
        // owning `IoSource` deregisters it before the fd is closed.
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        poller.modify_with_mode(fd, ev, PollMode::Oneshot)
    }

    /// Records what the poller reported and wakes the waiters.
    fn on_event(&self, poller: &Poller, readable: bool, writable: bool) {
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
            let _ = self.rearm(poller);
        }
    }
}

/// The loop's registered sources, by poller key.
#[derive(Default)]
pub(crate) struct Sources {
    slab: RefCell<Slab<Rc<Source>>>,
    /// How many are registered; while zero, a busy loop never calls the poller.
    count: Cell<usize>,
}

impl Sources {
    /// True if any source is registered.
    pub(crate) fn any(&self) -> bool {
        self.count.get() > 0
    }

    /// Registers `fd` (already non-blocking) with `poller`; `allow_edge:
    /// false` forces oneshot mode, re-armed at each wait, which gives
    /// level-triggered behaviour (what `add_reader` needs: its callback may
    /// leave data unread).
    pub(crate) fn register(&self, poller: &Poller, fd: BorrowedFd<'_>, allow_edge: bool) -> io::Result<Rc<Source>> {
        let mut sources = self.slab.borrow_mut();
        let entry = sources.vacant_entry();
        let key = entry.key();
        let edge = allow_edge && poller.supports_edge();
        let (interest, mode) =
            if edge { (Event::all(key), PollMode::Edge) } else { (Event::none(key), PollMode::Oneshot) };
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
        self.count.set(self.count.get() + 1);
        Ok(source)
    }

    /// Removes a source from the poller and the registry.
    pub(crate) fn deregister(&self, poller: &Poller, source: &Source, fd: BorrowedFd<'_>) {
        // Failure means the fd was already gone from the poller (closed under
        // us); either way it must leave the registry.
        let _ = poller.delete(fd);
        if self.slab.borrow_mut().try_remove(source.key).is_some() {
            self.count.set(self.count.get().saturating_sub(1));
        }
    }

    /// Hands one readiness event to its source (unknown keys are ignored:
    /// `polling`'s own notifier, or a source deregistered meanwhile).
    pub(crate) fn dispatch(&self, poller: &Poller, key: usize, readable: bool, writable: bool) {
        let source = self.slab.borrow().get(key).cloned();
        if let Some(source) = source {
            source.on_event(poller, readable, writable);
        }
    }

    /// Forgets every source (the loop is closing; their owners deregister
    /// nothing afterwards, as the keys are gone).
    pub(crate) fn clear(&self) {
        let all = std::mem::take(&mut *self.slab.borrow_mut());
        self.count.set(0);
        drop(all);
    }
}
