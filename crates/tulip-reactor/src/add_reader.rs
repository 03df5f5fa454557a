//! asyncio's `add_reader` / `add_writer`: run a callback whenever a file
//! descriptor is readable (or writable), level-triggered, until removed.
//! The watchers live in the loop (its loop-local storage), so they go away
//! with it.

use crate::io_source::IoSource;
use crate::loop_handle::LoopHandle;
use crate::source::Dir;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use tulip_task::{panic_message, Exception, ExceptionContext, Task};

/// The loop's watchers, by (fd, direction).
#[derive(Default)]
struct Watchers {
    by_fd: RefCell<HashMap<(RawFd, Dir), Task<()>>>,
}

impl Drop for Watchers {
    fn drop(&mut self) {
        for (_, task) in self.by_fd.get_mut().drain() {
            task.cancel();
        }
    }
}

/// Starts calling `callback` whenever `fd` is ready in direction `dir`,
/// replacing an earlier watcher of the same fd and direction.
fn add(lp: &LoopHandle, fd: &impl AsFd, dir: Dir, mut callback: impl FnMut() + 'static) -> io::Result<()> {
    if lp.is_closed() {
        return Err(io::Error::other("Event loop is closed"));
    }
    let raw = fd.as_fd().as_raw_fd();
    let created_at = Location::caller();
    // A duplicate of the fd, registered on its own: the caller keeps
    // ownership, and a reader and a writer of one fd do not collide in the
    // poller. Oneshot mode re-armed at every wait gives asyncio's
    // level-triggered behaviour: a callback that leaves data unread is
    // called again.
    let dup = fd.as_fd().try_clone_to_owned()?;
    let source = IoSource::on_loop_level(dup, lp)?;
    let reporter = lp.clone();
    let task = lp.create_internal_task(async move {
        while source.wait_fresh(dir).await.is_ok() {
            // asyncio reports each failing call ("Exception in callback")
            // and keeps the reader: so do we.
            if let Err(payload) = catch_unwind(AssertUnwindSafe(&mut callback)) {
                reporter.call_exception_handler(ExceptionContext {
                    message: "Exception in callback".into(),
                    exception: Some(Exception::msg(panic_message(&*payload).to_owned())),
                    task: None,
                    source: Some(created_at),
                });
            }
        }
    });
    let watchers = lp.local::<Watchers>();
    let old = watchers.by_fd.borrow_mut().insert((raw, dir), task);
    if let Some(old) = old {
        old.cancel();
    }
    Ok(())
}

/// Stops watching `fd` in direction `dir`; false if it was not watched.
fn remove(lp: &LoopHandle, fd: RawFd, dir: Dir) -> bool {
    let watchers = lp.local::<Watchers>();
    let removed = watchers.by_fd.borrow_mut().remove(&(fd, dir));
    match removed {
        Some(task) => {
            task.cancel();
            true
        }
        None => false,
    }
}

impl LoopHandle {
    /// Calls `callback` in the loop each time `fd` is readable, until
    /// [`remove_reader`](Self::remove_reader) (asyncio's `add_reader`,
    /// level-triggered). Replaces an earlier reader of the same fd.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use std::{cell::RefCell, rc::Rc};
    /// let ev = tulip::EventLoop::new();
    /// let (mut a, b) = UnixStream::pair().unwrap();
    /// b.set_nonblocking(true).unwrap();
    /// let b = Rc::new(b);
    /// let got = Rc::new(RefCell::new(Vec::new()));
    /// let (r, g, h) = (b.clone(), got.clone(), ev.handle());
    /// ev.add_reader(&*b, move || {
    ///     let mut buf = [0; 16];
    ///     if let Ok(n) = (&*r).read(&mut buf) { g.borrow_mut().extend_from_slice(&buf[..n]) }
    ///     h.stop();
    /// }).unwrap();
    /// a.write_all(b"ready").unwrap();
    /// ev.run_forever();
    /// assert_eq!(*got.borrow(), b"ready");
    /// assert!(ev.remove_reader(b.as_raw_fd()));
    /// ```
    #[track_caller]
    pub fn add_reader(&self, fd: &impl AsFd, callback: impl FnMut() + 'static) -> io::Result<()> {
        add(self, fd, Dir::Read, callback)
    }

    /// Stops watching `fd` for reading; false if it was not watched.
    pub fn remove_reader(&self, fd: RawFd) -> bool {
        remove(self, fd, Dir::Read)
    }

    /// Calls `callback` in the loop each time `fd` is writable, until
    /// [`remove_writer`](Self::remove_writer) (asyncio's `add_writer`).
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// let ev = tulip::EventLoop::new();
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// let h = ev.handle();
    /// ev.add_writer(&a, move || h.stop()).unwrap();
    /// ev.run_forever(); // a fresh socket is writable at once
    /// assert!(ev.remove_writer(a.as_raw_fd()));
    /// assert!(!ev.remove_writer(a.as_raw_fd()));
    /// ```
    #[track_caller]
    pub fn add_writer(&self, fd: &impl AsFd, callback: impl FnMut() + 'static) -> io::Result<()> {
        add(self, fd, Dir::Write, callback)
    }

    /// Stops watching `fd` for writing; false if it was not watched.
    pub fn remove_writer(&self, fd: RawFd) -> bool {
        remove(self, fd, Dir::Write)
    }
}
