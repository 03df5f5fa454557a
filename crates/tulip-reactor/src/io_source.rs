//! [`IoSource`]: any non-blocking file descriptor, driven by the loop — the
//! seam that the I/O crates (tulip-net, tulip-process) are built on.

use crate::loop_handle::LoopHandle;
use crate::running::try_get_running_loop;
use crate::source::{Dir, Source};
use crate::state::LoopState;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::AsFd;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A non-blocking I/O object registered with the running loop's poller:
/// the building block of tulip's sockets, and asyncio's `add_reader` /
/// `add_writer` in Rust form (async-io calls it `Async<T>`).
///
/// Operations are tried first and wait only when the OS answers "would
/// block"; readiness is tracked by the loop, so none is lost. Dropping it
/// deregisters the descriptor before `T` closes it.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use tulip::{EventLoop, IoSource};
///
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let (a, b) = UnixStream::pair().unwrap();
///     a.set_nonblocking(true).unwrap();
///     b.set_nonblocking(true).unwrap();
///     let (a, b) = (IoSource::new(a).unwrap(), IoSource::new(b).unwrap());
///     a.write_with(|s| (&*s).write(b"ping")).await.unwrap();
///     let mut buf = [0; 4];
///     let n = b.read_with(|s| (&*s).read(&mut buf)).await.unwrap();
///     assert_eq!(&buf[..n], b"ping");
/// });
/// ```
pub struct IoSource<T: AsFd> {
    io: Option<T>,
    source: Rc<Source>,
    state: Rc<LoopState>,
}

impl<T: AsFd> IoSource<T> {
    /// Registers `io` (which must already be in non-blocking mode) with the
    /// loop running on this thread.
    pub fn new(io: T) -> io::Result<Self> {
        let Some(lp) = try_get_running_loop() else {
            return Err(io::Error::other("tulip: no running event loop on this thread"));
        };
        Self::register(io, lp.state.clone(), true)
    }

    /// Registers `io` with the loop behind `lp` (running or not).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = tulip::IoSource::on_loop(a, &ev).unwrap();
    /// ev.run_until_complete(async move { a.writable().await.unwrap() });
    /// ```
    pub fn on_loop(io: T, lp: &LoopHandle) -> io::Result<Self> {
        Self::register(io, lp.state.clone(), true)
    }

    /// Registers `io` level-triggered (oneshot, re-armed at each wait).
    pub(crate) fn on_loop_level(io: T, lp: &LoopHandle) -> io::Result<Self> {
        Self::register(io, lp.state.clone(), false)
    }

    fn register(io: T, state: Rc<LoopState>, allow_edge: bool) -> io::Result<Self> {
        let source = state.sources.register(&state.shared.poller, io.as_fd(), allow_edge)?;
        Ok(IoSource { io: Some(io), source, state })
    }

    /// Waits until the OS reports readiness anew (forgetting what was known).
    pub(crate) async fn wait_fresh(&self, d: Dir) -> io::Result<()> {
        self.source.clear_ready(d);
        self.wait(d).await
    }

    /// Waits for readiness in direction `d` as one of any number of
    /// waiters; the entry goes when the wait ends or is dropped.
    async fn wait(&self, d: Dir) -> io::Result<()> {
        let mut waiter = Waiter { source: &self.source, dir: d, key: None };
        poll_fn(|cx| self.source.poll_ready(&self.state.shared.poller, d, cx, Some(&mut waiter.key))).await
    }

    /// Marks the source as the loop's own business rather than a wait for
    /// the outside world (a signal self-pipe, a wake-up fd): a loop on a
    /// virtual clock then jumps over its waits instead of waiting for them
    /// in real time.
    ///
    /// ```
    /// let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let a = tulip::IoSource::on_loop(a, &ev).unwrap();
    /// a.set_background(true);
    /// ```
    pub fn set_background(&self, background: bool) {
        self.source.set_background(background);
    }

    /// The wrapped object.
    pub fn get_ref(&self) -> &T {
        match &self.io {
            Some(io) => io,
            None => unreachable!("the object is only taken out by into_inner/drop"),
        }
    }

    /// Deregisters and returns the wrapped object (still non-blocking).
    pub fn into_inner(mut self) -> T {
        self.deregister();
        match self.io.take() {
            Some(io) => io,
            None => unreachable!("the object is only taken out once"),
        }
    }

    fn deregister(&self) {
        if let Some(io) = &self.io {
            self.state.sources.deregister(&self.state.shared.poller, &self.source, io.as_fd());
        }
    }

    /// Ready when the OS may accept a read (asyncio's `add_reader` fires).
    /// It may report readiness that a read then finds gone: use
    /// [`read_with`](Self::read_with), which retries.
    pub async fn readable(&self) -> io::Result<()> {
        self.wait(Dir::Read).await
    }

    /// Ready when the OS may accept a write (asyncio's `add_writer` fires).
    pub async fn writable(&self) -> io::Result<()> {
        self.wait(Dir::Write).await
    }

    /// Runs the non-blocking read `op` until it does not answer "would
    /// block", waiting for readiness in between.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let mut waiter = Waiter { source: &self.source, dir: Dir::Read, key: None };
        poll_fn(|cx| self.poll_op(Dir::Read, cx, &mut op, Some(&mut waiter.key))).await
    }

    /// Like [`read_with`](Self::read_with), for writes.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        let mut waiter = Waiter { source: &self.source, dir: Dir::Write, key: None };
        poll_fn(|cx| self.poll_op(Dir::Write, cx, &mut op, Some(&mut waiter.key))).await
    }

    /// Polls a read operation: the building block of `AsyncRead` impls.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_op(Dir::Read, cx, &mut op, None)
    }

    /// Polls a write operation: the building block of `AsyncWrite` impls.
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_op(Dir::Write, cx, &mut op, None)
    }

    /// Polls a read of a byte stream (a TCP or Unix stream socket, a pipe)
    /// into `buf`: like [`poll_read_with`](Self::poll_read_with), and a
    /// short read (some bytes, fewer than `buf` holds) clears the readiness,
    /// because it drained what the OS had: the next read waits for the
    /// poller instead of spending a syscall on `EWOULDBLOCK` (tokio does the
    /// same). Data arriving meanwhile brings a new readiness event, so
    /// nothing is missed; once the poller has reported the peer gone (an
    /// EOF or an error is waiting, and no event would follow), short reads
    /// keep asking. Not for datagram sockets, where a short read says
    /// nothing about the next datagram.
    ///
    /// `buf` is bytes, or `MaybeUninit<u8>` for a read (such as `recv(2)`
    /// through socket2) into memory that need not be initialised first.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let ev = tulip::EventLoop::new();
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// b.write_all(b"hi").unwrap();
    /// let n = ev.run_until_complete(async move {
    ///     let a = tulip::IoSource::new(a).unwrap();
    ///     let mut buf = [0u8; 16];
    ///     std::future::poll_fn(|cx| a.poll_read_stream(cx, &mut buf, |s, buf| (&*s).read(buf))).await.unwrap()
    /// });
    /// assert_eq!(n, 2);
    /// ```
    pub fn poll_read_stream<B>(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [B],
        mut read: impl FnMut(&T, &mut [B]) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let want = buf.len();
        let r = self.poll_op(Dir::Read, cx, &mut |io: &T| read(io, buf), None);
        if let Poll::Ready(Ok(n)) = r {
            if n > 0 && n < want {
                self.source.clear_ready_after_short(Dir::Read);
            }
        }
        r
    }

    /// Polls a write of a byte stream: like
    /// [`poll_write_with`](Self::poll_write_with), and a short write (the
    /// OS took less than `buf` holds: its buffer is full) clears the
    /// readiness, so the next write waits for the poller.
    ///
    /// ```
    /// use std::io::Write;
    /// let ev = tulip::EventLoop::new();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let n = ev.run_until_complete(async move {
    ///     let a = tulip::IoSource::new(a).unwrap();
    ///     std::future::poll_fn(|cx| a.poll_write_stream(cx, b"hi", |s, buf| (&*s).write(buf))).await.unwrap()
    /// });
    /// assert_eq!(n, 2);
    /// ```
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        mut write: impl FnMut(&T, &[u8]) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let r = self.poll_op(Dir::Write, cx, &mut |io: &T| write(io, buf), None);
        if let Poll::Ready(Ok(n)) = r {
            if n < buf.len() {
                self.source.clear_ready_after_short(Dir::Write);
            }
        }
        r
    }

    /// Forgets the optimistic initial write readiness: used while a
    /// non-blocking connect is in progress, where "writable" must mean "the
    /// handshake ended" (the next [`writable`](Self::writable) waits for
    /// the poller's word).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// ev.run_until_complete(async move {
    ///     let a = tulip::IoSource::new(a).unwrap();
    ///     a.expect_writable_event();
    ///     a.writable().await.unwrap(); // the poller reports the idle socket writable
    /// });
    /// ```
    pub fn expect_writable_event(&self) {
        self.source.clear_ready(Dir::Write);
    }

    /// One non-blocking write attempt, without waiting: `WouldBlock` if the
    /// descriptor is known not to be writable or the OS says so (asyncio's
    /// transports write at once this way before buffering).
    ///
    /// ```
    /// use std::io::Write;
    /// let ev = tulip::EventLoop::new();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// ev.run_until_complete(async move {
    ///     let a = tulip::IoSource::new(a).unwrap();
    ///     assert_eq!(a.try_write_with(|s| (&*s).write(b"now")).unwrap(), 3);
    /// });
    /// ```
    pub fn try_write_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
        if !self.source.is_ready(Dir::Write) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let r = op(self.get_ref());
        if matches!(&r, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.source.clear_ready(Dir::Write);
        }
        r
    }

    fn poll_op<R>(
        &self,
        d: Dir,
        cx: &mut Context<'_>,
        op: &mut impl FnMut(&T) -> io::Result<R>,
        mut key: Option<&mut Option<usize>>,
    ) -> Poll<io::Result<R>> {
        loop {
            match self.source.poll_ready(&self.state.shared.poller, d, cx, key.as_deref_mut()) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.source.clear_ready(d),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => return Poll::Ready(r),
            }
        }
    }
}

/// A waiting future's entry among a direction's waiters, removed when the
/// wait ends or the future is dropped (so any number of tasks can wait on
/// one source, and none leaves a waker behind).
struct Waiter<'a> {
    source: &'a Source,
    dir: Dir,
    key: Option<usize>,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.source.remove_waiter(self.dir, key);
        }
    }
}

impl<T: AsFd> Drop for IoSource<T> {
    fn drop(&mut self) {
        self.deregister();
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for IoSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IoSource").field(self.get_ref()).finish()
    }
}
