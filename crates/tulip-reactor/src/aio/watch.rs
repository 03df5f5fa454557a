//! asyncio's `add_reader` / `add_writer`: run a callback whenever a file
//! descriptor is readable (or writable), level-triggered, until removed.

use super::io_source::IoSource;
use super::source::Dir;
use crate::handle::LoopHandle;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use tulip_task::Task;

thread_local! {
    /// Watchers by (loop id, fd, direction).
    static WATCHERS: RefCell<HashMap<(usize, RawFd, bool), Task<()>>> = RefCell::new(HashMap::new());
}

impl LoopHandle {
    fn add_watcher(&self, fd: &impl AsFd, write: bool, mut callback: impl FnMut() + 'static) -> io::Result<()> {
        let raw = fd.as_fd().as_raw_fd();
        // A duplicate of the fd, registered on its own: the caller keeps
        // ownership, and a reader and a writer of one fd do not collide in
        // the poller. Oneshot mode re-armed at every wait gives asyncio's
        // level-triggered behaviour: a callback that leaves data unread is
        // called again.
        let dup = fd.as_fd().try_clone_to_owned()?;
        let source = IoSource::on_loop_level(dup, self.state.clone())?;
        let dir = if write { Dir::Write } else { Dir::Read };
        let task = self.create_internal_task(async move {
            while source.wait_fresh(dir).await.is_ok() {
                callback();
            }
        });
        let key = (self.state.shared.id, raw, write);
        if let Some(old) = WATCHERS.with(|w| w.borrow_mut().insert(key, task)) {
            old.cancel();
        }
        Ok(())
    }

    fn remove_watcher(&self, fd: RawFd, write: bool) -> bool {
        match WATCHERS.with(|w| w.borrow_mut().remove(&(self.state.shared.id, fd, write))) {
            Some(task) => {
                task.cancel();
                true
            }
            None => false,
        }
    }

    /// Calls `callback` in the loop each time `fd` is readable, until
    /// [`remove_reader`](Self::remove_reader) (asyncio's `add_reader`,
    /// level-triggered). Replaces an earlier reader of the same fd.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// use std::{cell::RefCell, rc::Rc};
    /// let ev = tulip_reactor::EventLoop::new();
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
    pub fn add_reader(&self, fd: &impl AsFd, callback: impl FnMut() + 'static) -> io::Result<()> {
        self.add_watcher(fd, false, callback)
    }

    /// Stops watching `fd` for reading; false if it was not watched.
    pub fn remove_reader(&self, fd: RawFd) -> bool {
        self.remove_watcher(fd, false)
    }

    /// Calls `callback` in the loop each time `fd` is writable, until
    /// [`remove_writer`](Self::remove_writer) (asyncio's `add_writer`).
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::os::unix::net::UnixStream;
    /// let ev = tulip_reactor::EventLoop::new();
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// let h = ev.handle();
    /// ev.add_writer(&a, move || h.stop()).unwrap();
    /// ev.run_forever(); // a fresh socket is writable at once
    /// assert!(ev.remove_writer(a.as_raw_fd()));
    /// assert!(!ev.remove_writer(a.as_raw_fd()));
    /// ```
    pub fn add_writer(&self, fd: &impl AsFd, callback: impl FnMut() + 'static) -> io::Result<()> {
        self.add_watcher(fd, true, callback)
    }

    /// Stops watching `fd` for writing; false if it was not watched.
    pub fn remove_writer(&self, fd: RawFd) -> bool {
        self.remove_watcher(fd, true)
    }
}
