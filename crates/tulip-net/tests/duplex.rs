//! The in-memory pipe: a model of its buffer, cancellation at each await,
//! EOF and drop, and that a virtual clock jumps while tasks wait on it.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use futures_lite::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, FutureExt};
use proptest::prelude::*;
use tulip::net::{duplex, DuplexStream};

struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// End A writes this many bytes (one poll).
    Write(usize),
    /// End B reads at most this many (one poll).
    Read(usize),
    /// A closes its writing side.
    Close,
    /// B is dropped (A's writes then fail).
    DropReader,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..40usize).prop_map(Op::Write),
        4 => (0..40usize).prop_map(Op::Read),
        1 => Just(Op::Close),
        1 => Just(Op::DropReader),
    ]
}

proptest! {
    /// Against a bounded byte queue: a write takes min(room, len) bytes or
    /// parks when full; a read takes min(held, len) in order, parks when
    /// empty and open, is EOF when empty and closed; a parked side is woken
    /// by the other's progress, so no waker is lost.
    #[test]
    fn the_pipe_is_a_bounded_byte_queue(cap in 1..32usize, ops in proptest::collection::vec(op(), 1..100)) {
        let (mut a, b) = duplex(cap);
        let mut b: Option<DuplexStream> = Some(b);
        let (reader_woken, writer_woken) = (Arc::new(Count(AtomicUsize::new(0))), Arc::new(Count(AtomicUsize::new(0))));
        let (rw, ww) = (Waker::from(reader_woken.clone()), Waker::from(writer_woken.clone()));
        let mut model: VecDeque<u8> = VecDeque::new();
        let (mut closed, mut dropped, mut next) = (false, false, 0u8);
        let (mut reader_parked, mut writer_parked) = (false, false);
        for op in ops {
            match op {
                Op::Write(n) => {
                    let data: Vec<u8> = (0..n).map(|i| next.wrapping_add(i as u8)).collect();
                    let r = Pin::new(&mut a).poll_write(&mut Context::from_waker(&ww), &data);
                    if closed || dropped {
                        prop_assert!(matches!(r, Poll::Ready(Err(ref e)) if e.kind() == io::ErrorKind::BrokenPipe));
                    } else if n == 0 {
                        prop_assert!(matches!(r, Poll::Ready(Ok(0))));
                    } else if model.len() == cap {
                        prop_assert!(r.is_pending());
                        writer_parked = true;
                    } else {
                        let k = (cap - model.len()).min(n);
                        prop_assert!(matches!(r, Poll::Ready(Ok(got)) if got == k));
                        model.extend(&data[..k]);
                        next = next.wrapping_add(k as u8);
                        if reader_parked {
                            prop_assert!(reader_woken.0.load(Ordering::SeqCst) > 0, "the parked reader was woken");
                            reader_parked = false;
                            reader_woken.0.store(0, Ordering::SeqCst);
                        }
                    }
                }
                Op::Read(n) => {
                    let Some(b) = b.as_mut() else { continue };
                    let mut out = vec![0u8; n];
                    let r = Pin::new(b).poll_read(&mut Context::from_waker(&rw), &mut out);
                    if n == 0 {
                        prop_assert!(matches!(r, Poll::Ready(Ok(0))));
                    } else if model.is_empty() && closed {
                        prop_assert!(matches!(r, Poll::Ready(Ok(0))));
                        if reader_parked {
                            prop_assert!(reader_woken.0.load(Ordering::SeqCst) > 0);
                        }
                    } else if model.is_empty() {
                        prop_assert!(r.is_pending());
                        reader_parked = true;
                    } else {
                        let k = model.len().min(n);
                        prop_assert!(matches!(r, Poll::Ready(Ok(got)) if got == k));
                        let want: Vec<u8> = model.drain(..k).collect();
                        prop_assert_eq!(&out[..k], &want[..]);
                        if writer_parked {
                            prop_assert!(writer_woken.0.load(Ordering::SeqCst) > 0, "the parked writer was woken");
                            writer_parked = false;
                            writer_woken.0.store(0, Ordering::SeqCst);
                        }
                    }
                }
                Op::Close => {
                    let r = Pin::new(&mut a).poll_close(&mut Context::from_waker(&ww));
                    prop_assert!(matches!(r, Poll::Ready(Ok(()))));
                    closed = true;
                    if reader_parked {
                        prop_assert!(reader_woken.0.load(Ordering::SeqCst) > 0, "close wakes the reader");
                    }
                }
                Op::DropReader => {
                    if b.take().is_some() {
                        dropped = true;
                        model.clear();
                        if writer_parked {
                            prop_assert!(writer_woken.0.load(Ordering::SeqCst) > 0, "a drop wakes the writer");
                            writer_parked = false;
                        }
                    }
                }
            }
        }
    }
}

/// A read or write dropped while it waits takes and leaves nothing; the
/// next one sees every byte.
#[test]
fn cancel_at_every_await_point_loses_nothing() {
    tulip::run(async {
        let (mut a, mut b) = duplex(4);
        let mut out = [0u8; 8];
        // Read on an empty pipe: cancelled while parked.
        assert!(tulip::wait_for(b.read(&mut out), Some(Duration::from_millis(10))).await.is_err());
        // Write into a full pipe: the first four go in, the rest wait.
        a.write_all(b"abcd").await.unwrap();
        assert!(tulip::wait_for(a.write_all(b"efgh"), Some(Duration::from_millis(10))).await.is_err());
        // The pipe still holds what was written before.
        let mut two = [0u8; 2];
        b.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"ab");
        a.write_all(b"XY").await.unwrap();
        a.close().await.unwrap();
        let mut rest = Vec::new();
        b.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"cdXY", "the cancelled write put nothing in");
    });
}

/// A task waiting on a pipe does not hold a virtual clock back: an hour
/// of timers passes at once while the pipe's other end sleeps.
#[test]
fn a_virtual_clock_jumps_while_tasks_wait_on_a_pipe() {
    let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
    let wall = Instant::now();
    let got = ev.run_until_complete(async {
        let (mut a, mut b) = duplex(16);
        let start = tulip::get_running_loop().time();
        let writer = tulip::create_task(async move {
            tulip::sleep(Duration::from_secs(3600)).await;
            a.write_all(b"late").await.unwrap();
        });
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        (got, tulip::get_running_loop().time() - start)
    });
    assert_eq!(got.0, b"late");
    assert!(got.1 >= Duration::from_secs(3600), "{:?}", got.1);
    assert!(wall.elapsed() < Duration::from_secs(5), "{:?}", wall.elapsed());
}

/// Dropping an end mid-read ends the other's read with EOF, and a writer
/// parked on a full buffer gets `BrokenPipe` when its reader goes.
#[test]
fn dropping_an_end_wakes_the_other() {
    tulip::run(async {
        let (a, mut b) = duplex(8);
        let reader = tulip::create_task(async move {
            let mut v = Vec::new();
            b.read_to_end(&mut v).await.map(|_| v)
        });
        tulip::sleep(Duration::from_millis(5)).await;
        drop(a);
        assert!(reader.await.unwrap().unwrap().is_empty());

        let (mut a, b) = duplex(2);
        let writer = tulip::create_task(async move { a.write_all(b"more than two").await });
        tulip::sleep(Duration::from_millis(5)).await;
        drop(b);
        assert_eq!(writer.await.unwrap().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    });
    // A future type check: a zero-length read of a fresh pipe returns at once.
    let (_a, mut b) = duplex(1);
    assert!(matches!(b.read(&mut []).poll(&mut Context::from_waker(Waker::noop())), Poll::Ready(Ok(0))));
}
