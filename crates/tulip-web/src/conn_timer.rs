//! One timer, two limits: hyper's single "header read timeout" made to
//! enforce both aiohttp's keep-alive timeout (how long an idle connection
//! waits for its next request) and a much shorter header read timeout
//! (how long a request's head may take once its first byte came:
//! slowloris).
//!
//! hyper starts its header timer as soon as it waits for a head, so on a
//! kept-alive connection it also measures idle time. We give hyper the
//! keep-alive timeout and a timer of our own: its sleeps end earlier,
//! at `first byte + header timeout`, once the connection's reader saw a
//! byte of the head (and, before a connection's first request, at
//! `start + header timeout`: a client that connects and sends nothing is a
//! slowloris too). hyper re-polls its sleep after every read that leaves
//! the head incomplete, which is when the earlier deadline is set.
//!
//! hyper makes a new sleep for every head. Rather than one timer-queue
//! entry each (an insert and a cancel per request, ~500 instructions,
//! callgrind), a connection keeps one entry, its alarm, at or before the
//! deadline of the sleep being waited on: a later deadline leaves it where
//! it is (it goes off early, and is set again), an earlier one moves it.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::Timer;
use tulip_hyper::{LoopSleep, LoopTimer};

/// What the reader tells the timer (shared, so `Send + Sync` as hyper's
/// timer must be), and the connection's alarm.
#[derive(Debug)]
pub(crate) struct ConnClock {
    base: Instant,
    /// Nanoseconds after `base` of the first byte read since the last
    /// sleep began, plus one; 0 for none; [`UNTIMED`] for bytes read whose
    /// time is taken when a sleep next needs it (hyper polls its sleep
    /// right after a read that leaves the head incomplete, and never after
    /// one that completes it: so most heads cost no clock read).
    first_byte: AtomicU64,
    /// Whether a request was served (then idle time is keep-alive).
    served: AtomicBool,
    /// The connection's one timer entry (see the module's note).
    alarm: Mutex<Option<LoopSleep>>,
}

/// Bytes came; their time is not taken yet.
const UNTIMED: u64 = u64::MAX;

impl ConnClock {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(ConnClock {
            base: LoopTimer.now(),
            first_byte: AtomicU64::new(0),
            served: AtomicBool::new(false),
            alarm: Mutex::new(None),
        })
    }

    pub(crate) fn mark_served(&self) {
        self.served.store(true, Ordering::Relaxed);
    }

    fn saw_bytes(&self) {
        if self.first_byte.load(Ordering::Relaxed) == 0 {
            self.first_byte.store(UNTIMED, Ordering::Relaxed);
        }
    }

    fn first_byte(&self) -> Option<Instant> {
        match self.first_byte.load(Ordering::Relaxed) {
            0 => None,
            UNTIMED => {
                let now = LoopTimer.now();
                let ns = now.saturating_duration_since(self.base).as_nanos();
                let stored = u64::try_from(ns).unwrap_or(UNTIMED).min(UNTIMED - 2) + 1;
                self.first_byte.store(stored, Ordering::Relaxed);
                Some(now)
            }
            n => Some(self.base + Duration::from_nanos(n - 1)),
        }
    }
}

/// The connection's I/O, telling its clock when bytes arrive and keeping
/// the bytes of the head being read for [`HeadRecord`].
#[derive(Debug)]
pub(crate) struct WatchedIo<T> {
    pub(crate) inner: T,
    pub(crate) clock: Arc<ConnClock>,
    pub(crate) record: Rc<HeadRecord>,
}

/// The raw bytes read since the last request began (at most the head
/// limit): hyper merges duplicate `Content-Length`s and drops one that
/// comes with `Transfer-Encoding`, so only the raw head shows them.
#[derive(Debug, Default)]
pub(crate) struct HeadRecord {
    buf: RefCell<Vec<u8>>,
    cap: usize,
}

impl HeadRecord {
    pub(crate) fn new(cap: usize) -> Rc<Self> {
        Rc::new(HeadRecord { buf: RefCell::new(Vec::with_capacity(256)), cap })
    }

    fn push(&self, bytes: &[u8]) {
        let mut b = self.buf.borrow_mut();
        let room = self.cap.saturating_sub(b.len());
        b.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// How many `Content-Length` lines the recorded head has; then starts
    /// recording the next one. (Pipelined heads read together with an
    /// earlier one are not seen: hyper still closes after CL with TE.)
    pub(crate) fn take_content_lengths(&self) -> usize {
        let mut b = self.buf.borrow_mut();
        let end = b.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(b.len());
        let n = b[..end]
            .split(|&c| c == b'\n')
            .filter(|line| line.len() >= 15 && line[..15].eq_ignore_ascii_case(b"content-length:"))
            .count();
        b.clear();
        n
    }

    /// Starts recording the next head.
    pub(crate) fn reset(&self) {
        self.buf.borrow_mut().clear();
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        tulip_hyper::poll_read_observed(Pin::new(&mut this.inner), cx, buf, |bytes| {
            if !bytes.is_empty() {
                this.clock.saw_bytes();
                this.record.push(bytes);
            }
        })
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for WatchedIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's timer for one connection (see the module's note).
#[derive(Debug, Clone)]
pub(crate) struct ConnTimer {
    pub(crate) clock: Arc<ConnClock>,
    pub(crate) header_timeout: Duration,
}

impl ConnTimer {
    fn head_sleep(&self, hyper_deadline: Instant) -> HeadSleep {
        // A new wait for a head: bytes read before it belong to the last one.
        self.clock.first_byte.store(0, Ordering::Relaxed);
        // Only a connection's first head times out from the start of the
        // wait (no clock read for the others).
        let start = (!self.clock.served.load(Ordering::Relaxed)).then(|| LoopTimer.now());
        HeadSleep { clock: self.clock.clone(), start, header_timeout: self.header_timeout, hyper_deadline }
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(self.head_sleep(LoopTimer.now() + duration))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(self.head_sleep(deadline))
    }

    fn now(&self) -> Instant {
        LoopTimer.now()
    }
}

/// A sleep ending at hyper's deadline or, once the head began (or before
/// any request), at the header timeout; it waits on the connection's alarm.
struct HeadSleep {
    clock: Arc<ConnClock>,
    /// When the wait began, for a connection's first head.
    start: Option<Instant>,
    header_timeout: Duration,
    hyper_deadline: Instant,
}

impl HeadSleep {
    fn deadline(&self) -> Instant {
        let head_began = if self.clock.served.load(Ordering::Relaxed) { self.clock.first_byte() } else { self.start };
        match head_began {
            Some(t) => (t + self.header_timeout).min(self.hyper_deadline),
            None => self.hyper_deadline,
        }
    }
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.deadline();
        let mut alarm = self.clock.alarm.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            // None yet, or set for a later deadline: it must go off by this one.
            if alarm.as_ref().is_none_or(|a| a.deadline() > deadline) {
                *alarm = Some(LoopSleep::until(deadline));
            }
            let a = alarm.get_or_insert_with(|| LoopSleep::until(deadline));
            match a.poll_queued(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) if a.deadline() == deadline => return Poll::Ready(()),
                // It went off at an earlier head's deadline: set it again.
                Poll::Ready(()) => *alarm = None,
            }
        }
    }
}

impl hyper::rt::Sleep for HeadSleep {}
