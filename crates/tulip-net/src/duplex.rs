//! An in-memory byte pipe with two ends (tokio's `io::duplex`): each end
//! reads what the other writes, through a bounded buffer per direction.
//!
//! Nothing in it waits on the OS: a task blocked on a pipe is woken by the
//! other end's task, so a loop on a virtual clock sees only its own work
//! and jumps over its timers (an HTTP exchange through a pipe under an
//! hour-long `sleep` takes no real time).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_lite::io::{AsyncRead, AsyncWrite};

/// One direction: bytes written by one end, waiting for the other.
#[derive(Debug)]
struct Half {
    buf: VecDeque<u8>,
    cap: usize,
    /// The writing end closed or dropped: the reader gets EOF once the
    /// buffer is drained.
    write_closed: bool,
    /// The reading end dropped: writes fail with `BrokenPipe`.
    read_dropped: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl Half {
    fn new(cap: usize) -> Rc<RefCell<Half>> {
        Rc::new(RefCell::new(Half {
            buf: VecDeque::new(),
            cap,
            write_closed: false,
            read_dropped: false,
            reader: None,
            writer: None,
        }))
    }
}

/// Keeps the latest waker of a slot (one task polls each end at a time).
fn park(slot: &mut Option<Waker>, cx: &Context<'_>) {
    if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
        *slot = Some(cx.waker().clone());
    }
}

/// One end of a [`duplex`] pipe: futures-io `AsyncRead` of what the other
/// end writes, `AsyncWrite` to the other end.
///
/// * A write puts at most the room left in the buffer (of the size given
///   to [`duplex`]) and waits while it is full: the reader's pace is the
///   writer's (backpressure).
/// * `close` (or dropping the end) is EOF for the other end once it has
///   read what was written; dropping the end also makes the other end's
///   writes fail with `BrokenPipe`, as a socket whose peer left.
/// * A read or write dropped while it waits (cancelled) takes and leaves
///   nothing: the next one sees every byte.
///
/// An end belongs to the thread that made it (it is `!Send`, like the
/// loop's tasks).
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// tulip::run(async {
///     let (mut client, mut server) = tulip::net::duplex(64);
///     client.write_all(b"ping").await.unwrap();
///     client.close().await.unwrap();
///     let mut got = Vec::new();
///     server.read_to_end(&mut got).await.unwrap();
///     assert_eq!(got, b"ping");
/// });
/// ```
#[derive(Debug)]
pub struct DuplexStream {
    read: Rc<RefCell<Half>>,
    write: Rc<RefCell<Half>>,
}

/// A pipe: two connected [`DuplexStream`]s, each direction buffering at
/// most `max_buf_size` bytes (at least 1).
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// tulip::run(async {
///     let (mut a, mut b) = tulip::net::duplex(4);
///     // Six bytes through a four-byte buffer: the writer waits for the reader.
///     let writer = tulip::create_task(async move { a.write_all(b"abcdef").await.unwrap(); a });
///     let mut got = [0u8; 6];
///     b.read_exact(&mut got).await.unwrap();
///     assert_eq!(&got, b"abcdef");
///     drop(writer.await.unwrap());
///     assert_eq!(b.read(&mut got).await.unwrap(), 0);
/// });
/// ```
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    let cap = max_buf_size.max(1);
    let (a_to_b, b_to_a) = (Half::new(cap), Half::new(cap));
    (DuplexStream { read: b_to_a.clone(), write: a_to_b.clone() }, DuplexStream { read: a_to_b, write: b_to_a })
}

impl AsyncRead for DuplexStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, out: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut half = self.read.borrow_mut();
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if half.buf.is_empty() {
            if half.write_closed {
                return Poll::Ready(Ok(0));
            }
            park(&mut half.reader, cx);
            return Poll::Pending;
        }
        let n = out.len().min(half.buf.len());
        for (dst, src) in out.iter_mut().zip(half.buf.drain(..n)) {
            *dst = src;
        }
        let writer = half.writer.take();
        // Woken outside the borrow: a waker may poll the other end at once.
        drop(half);
        if let Some(w) = writer {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let mut half = self.write.borrow_mut();
        if half.read_dropped || half.write_closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = half.cap - half.buf.len();
        if room == 0 {
            park(&mut half.writer, cx);
            return Poll::Pending;
        }
        let n = room.min(data.len());
        half.buf.extend(data.iter().take(n));
        let reader = half.reader.take();
        drop(half);
        if let Some(w) = reader {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Written bytes are already the reader's.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        close_write(&self.write);
        Poll::Ready(Ok(()))
    }
}

fn close_write(half: &RefCell<Half>) {
    let reader = {
        let mut h = half.borrow_mut();
        h.write_closed = true;
        h.reader.take()
    };
    if let Some(w) = reader {
        w.wake();
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        close_write(&self.write);
        let writer = {
            let mut h = self.read.borrow_mut();
            h.read_dropped = true;
            // Nobody will read them.
            h.buf = VecDeque::new();
            h.writer.take()
        };
        if let Some(w) = writer {
            w.wake();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counting() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn a_full_buffer_parks_the_writer_until_the_reader_takes() {
        let (mut a, mut b) = duplex(3);
        let (woken, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(Pin::new(&mut a).poll_write(&mut cx, b"hello"), Poll::Ready(Ok(3))));
        assert!(Pin::new(&mut a).poll_write(&mut cx, b"lo").is_pending());
        assert_eq!(woken.0.load(Ordering::SeqCst), 0);
        let mut out = [0u8; 2];
        assert!(matches!(Pin::new(&mut b).poll_read(&mut cx, &mut out), Poll::Ready(Ok(2))));
        assert_eq!(&out, b"he");
        assert_eq!(woken.0.load(Ordering::SeqCst), 1, "the parked writer is woken");
        assert!(matches!(Pin::new(&mut a).poll_write(&mut cx, b"lo"), Poll::Ready(Ok(2))));
    }

    #[test]
    fn dropping_an_end_is_eof_one_way_and_broken_pipe_the_other() {
        let (mut a, mut b) = duplex(8);
        let (woken, waker) = counting();
        let mut cx = Context::from_waker(&waker);
        let mut out = [0u8; 8];
        assert!(Pin::new(&mut b).poll_read(&mut cx, &mut out).is_pending());
        assert!(matches!(Pin::new(&mut a).poll_write(&mut cx, b"xy"), Poll::Ready(Ok(2))));
        drop(a);
        assert!(woken.0.load(Ordering::SeqCst) >= 1);
        assert!(matches!(Pin::new(&mut b).poll_read(&mut cx, &mut out), Poll::Ready(Ok(2))));
        assert!(matches!(Pin::new(&mut b).poll_read(&mut cx, &mut out), Poll::Ready(Ok(0))));
        match Pin::new(&mut b).poll_write(&mut cx, b"z") {
            Poll::Ready(Err(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
            other => panic!("{other:?}"),
        }
    }
}
