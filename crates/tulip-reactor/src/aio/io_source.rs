//! [`IoSource`]: any non-blocking file descriptor, driven by the loop.

use super::source::{self, Dir, Source};
use crate::current::try_get_running_loop;
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
/// use tulip_reactor::{EventLoop, IoSource};
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
        Self::on_loop(io, lp.state.clone())
    }

    /// Registers `io` with a given loop (running or not).
    pub(crate) fn on_loop(io: T, state: Rc<LoopState>) -> io::Result<Self> {
        let source = source::register(&state, io.as_fd())?;
        Ok(IoSource { io: Some(io), source, state })
    }

    /// Registers `io` level-triggered (oneshot, re-armed at each wait).
    pub(crate) fn on_loop_level(io: T, state: Rc<LoopState>) -> io::Result<Self> {
        let source = source::register_with(&state, io.as_fd(), false)?;
        Ok(IoSource { io: Some(io), source, state })
    }

    /// Waits until the OS reports readiness anew (forgetting what was known).
    pub(crate) async fn wait_fresh(&self, d: Dir) -> io::Result<()> {
        self.source.clear_ready(d);
        poll_fn(|cx| self.source.poll_ready(&self.state, d, cx)).await
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
            source::deregister(&self.state, &self.source, io.as_fd());
        }
    }

    /// Ready when the OS may accept a read (asyncio's `add_reader` fires).
    /// It may report readiness that a read then finds gone: use
    /// [`read_with`](Self::read_with), which retries.
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.source.poll_ready(&self.state, Dir::Read, cx)).await
    }

    /// Ready when the OS may accept a write (asyncio's `add_writer` fires).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.source.poll_ready(&self.state, Dir::Write, cx)).await
    }

    /// Runs the non-blocking read `op` until it does not answer "would
    /// block", waiting for readiness in between.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_op(Dir::Read, cx, &mut op)).await
    }

    /// Like [`read_with`](Self::read_with), for writes.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_op(Dir::Write, cx, &mut op)).await
    }

    /// Polls a read operation: the building block of `AsyncRead` impls.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_op(Dir::Read, cx, &mut op)
    }

    /// Polls a write operation: the building block of `AsyncWrite` impls.
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_op(Dir::Write, cx, &mut op)
    }

    /// Forgets the optimistic initial write readiness: used while a
    /// non-blocking connect is in progress, where "writable" must mean "the
    /// handshake ended".
    pub(crate) fn expect_writable_event(&self) {
        self.source.clear_ready(Dir::Write);
    }

    /// One non-blocking write attempt, without waiting: `WouldBlock` if the
    /// socket is known not to be writable or the OS says so.
    pub(crate) fn try_write_with<R>(&self, op: impl FnOnce(&T) -> io::Result<R>) -> io::Result<R> {
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
    ) -> Poll<io::Result<R>> {
        loop {
            match self.source.poll_ready(&self.state, d, cx) {
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
