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
use tulip_task::WakerSet;

/// Which way an operation goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Dir {
    Read,
    Write,
}

/// One direction of a source: its readiness, and every task waiting for it.
#[derive(Default)]
struct Direction {
    /// The OS may accept this operation without blocking.
    ready: Cell<bool>,
    /// The poller reported the connection closed or failed (HUP, RDHUP,
    /// ERR): final, so a short read or write says nothing about the next
    /// one, which the OS answers at once (EOF, an error).
    closed: Cell<bool>,
    /// The waker of the poll-style API (`poll_read_with`, what `AsyncRead`
    /// impls use): one task polls a direction at a time there, as with any
    /// `AsyncRead`.
    poller_waker: RefCell<Option<Waker>>,
    /// The wakers of waiting futures (`readable`, `read_with`, ...), any
    /// number of them, each under the key its future holds and removes when
    /// dropped.
    waiters: WakerSet,
}

impl Direction {
    fn has_waiters(&self) -> bool {
        self.poller_waker.borrow().is_some() || self.waiters.has_waiting()
    }

    /// Stores `waker` in the caller's slot: the poll-style one (`key` is
    /// `None`), or the keyed entry of a waiting future (made on first use).
    fn register(&self, waker: &Waker, key: Option<&mut Option<usize>>) {
        match key {
            Some(key) => self.waiters.register(key, waker),
            None => {
                let replaced = {
                    let mut slot = self.poller_waker.borrow_mut();
                    match slot.as_ref() {
                        Some(old) if old.will_wake(waker) => None,
                        _ => slot.replace(waker.clone()),
                    }
                };
                // Dropped outside the borrow: it may be the last reference to a task.
                drop(replaced);
            }
        }
    }

    /// Wakes every waiter, each outside the borrow (a waker may re-enter the
    /// source: poll it again, drop a waiting future).
    fn wake_all(&self) {
        let first = self.poller_waker.borrow_mut().take();
        if let Some(w) = first {
            w.wake();
        }
        self.waiters.wake_all();
    }
}

/// A registered file descriptor: its key in the loop's registry, and per
/// direction the readiness and the tasks waiting for it.
pub(crate) struct Source {
    key: usize,
    fd: RawFd,
    edge: bool,
    /// Its waiters wait for the loop's own business (a signal pipe), not
    /// for the outside world: they do not hold a virtual clock.
    background: Cell<bool>,
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

    /// Ready, or stores `cx`'s waker to be woken when it becomes so: in the
    /// poll-style slot when `key` is `None`, else in the waiting future's
    /// keyed entry (see [`remove_waiter`](Self::remove_waiter)).
    pub(crate) fn poll_ready(
        &self,
        poller: &Poller,
        d: Dir,
        cx: &mut Context<'_>,
        key: Option<&mut Option<usize>>,
    ) -> Poll<io::Result<()>> {
        let dir = self.dir(d);
        if dir.ready.get() {
            return Poll::Ready(Ok(()));
        }
        dir.register(cx.waker(), key);
        if !self.edge {
            if let Err(e) = self.rearm(poller) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Pending
    }

    /// A waiting future is done or dropped: forget its entry.
    pub(crate) fn remove_waiter(&self, d: Dir, key: usize) {
        self.dir(d).waiters.remove(key);
    }

    /// Marks the source as the loop's own business (see `background`).
    pub(crate) fn set_background(&self, background: bool) {
        self.background.set(background);
    }

    /// A task waits on this source for something from outside the loop.
    fn awaited(&self) -> bool {
        !self.background.get() && (self.read.has_waiters() || self.write.has_waiters())
    }

    /// Whether the last word from the OS allows trying this direction.
    pub(crate) fn is_ready(&self, d: Dir) -> bool {
        self.dir(d).ready.get()
    }

    /// The OS said "would block": wait for the next readiness event.
    pub(crate) fn clear_ready(&self, d: Dir) {
        self.dir(d).ready.set(false);
    }

    /// A short read or write drained (or filled) the OS buffer: wait for the
    /// next event instead of asking again, unless the connection was
    /// reported closed (then the next call ends at once, with EOF or an
    /// error, and no further event would come to wake us).
    pub(crate) fn clear_ready_after_short(&self, d: Dir) {
        let dir = self.dir(d);
        if !dir.closed.get() {
            dir.ready.set(false);
        }
    }

    fn rearm(&self, poller: &Poller) -> io::Result<()> {
        let mut ev = Event::none(self.key);
        ev.readable = self.read.has_waiters();
        ev.writable = self.write.has_waiters();
        // SAFETY: `fd` stays open while this source is registered: the
        // owning `IoSource` deregisters it before the fd is closed.
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        poller.modify_with_mode(fd, ev, PollMode::Oneshot)
    }

    /// Records what the poller reported and wakes the waiters.
    fn on_event(&self, poller: &Poller, readable: bool, writable: bool, closed: bool) {
        let mut rearm = false;
        for (d, fired) in [(Dir::Read, readable), (Dir::Write, writable)] {
            let dir = self.dir(d);
            if closed {
                dir.closed.set(true);
            }
            if fired {
                dir.ready.set(true);
                dir.wake_all();
            } else if dir.has_waiters() {
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
        // The rule of both registrations: the fd must be deleted from the
        // poller before it is closed. `IoSource` owns the fd and deregisters
        // it first in its drop.
        #[cfg(target_os = "linux")]
        if edge {
            // SAFETY: see above (our own epoll_ctl, same rule as polling's).
            unsafe { crate::epoll_edge::add(poller, fd, key)? };
        } else {
            // SAFETY: see above.
            unsafe { poller.add_with_mode(&fd, interest, mode)? };
        }
        #[cfg(not(target_os = "linux"))]
        // SAFETY: see above.
        unsafe {
            poller.add_with_mode(&fd, interest, mode)?
        };
        let source = Rc::new(Source {
            key,
            fd: fd.as_raw_fd(),
            edge,
            background: Cell::new(false),
            read: Direction { ready: Cell::new(true), ..Direction::default() },
            write: Direction { ready: Cell::new(true), ..Direction::default() },
        });
        entry.insert(source.clone());
        self.count.set(self.count.get() + 1);
        Ok(source)
    }

    /// True if a task waits on some source for the outside world (what a
    /// virtual clock must not jump over).
    pub(crate) fn any_waiting(&self) -> bool {
        self.count.get() > 0 && self.slab.borrow().iter().any(|(_, s)| s.awaited())
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
    /// `closed`: the poller said the connection hung up or failed (where it
    /// cannot say, pass `true`: short reads and writes then keep asking).
    pub(crate) fn dispatch(&self, poller: &Poller, key: usize, readable: bool, writable: bool, closed: bool) {
        let source = self.slab.borrow().get(key).cloned();
        if let Some(source) = source {
            source.on_event(poller, readable, writable, closed);
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
