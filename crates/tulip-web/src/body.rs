//! The body hyper writes for a response: whole bytes, or a bounded pipe fed
//! by a `StreamResponse` (or a file reader).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// How many bytes a writer may have queued before `write` waits for hyper
/// to send them (aiohttp's high-water mark is 64 KiB too).
const HIGH_WATER: usize = 64 * 1024;

/// The error a response body ends with when its writer went away without
/// `write_eof` (its handler was cancelled or panicked): hyper then aborts
/// the connection instead of ending a chunked body cleanly.
#[derive(Debug, thiserror::Error)]
#[error("the response body's writer went away before write_eof")]
pub struct BodyAborted;

/// The body of a response as hyper sees it.
#[derive(Debug)]
pub enum ResBody {
    /// The whole body at once (`None` once sent).
    Full(Option<Bytes>),
    /// A streamed body.
    Pipe(PipeReader),
    /// A WebSocket's 101: no body; the connection is handed over after it.
    #[cfg(feature = "ws")]
    Upgrade(Rc<crate::ws::Handoff>),
}

impl ResBody {
    pub(crate) fn full(b: Bytes) -> Self {
        if b.is_empty() {
            ResBody::Full(None)
        } else {
            ResBody::Full(Some(b))
        }
    }
}

impl http_body::Body for ResBody {
    type Data = Bytes;
    type Error = BodyAborted;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyAborted>>> {
        match self.get_mut() {
            ResBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ResBody::Pipe(p) => p.poll_next(cx).map(|o| o.map(|r| r.map(Frame::data))),
            #[cfg(feature = "ws")]
            ResBody::Upgrade(_) => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResBody::Full(b) => b.is_none(),
            ResBody::Pipe(_) => false,
            #[cfg(feature = "ws")]
            ResBody::Upgrade(_) => true,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ResBody::Full(None) => SizeHint::with_exact(0),
            #[cfg(feature = "ws")]
            ResBody::Upgrade(_) => SizeHint::with_exact(0),
            ResBody::Pipe(_) => SizeHint::default(),
        }
    }
}

#[derive(Debug, Default)]
struct Pipe {
    queue: VecDeque<Bytes>,
    queued: usize,
    eof: bool,
    writer_gone: bool,
    reader_gone: bool,
    reader_waker: Option<Waker>,
    writer_waker: Option<Waker>,
}

/// The reading end of a body pipe (hyper's side).
#[derive(Debug)]
pub struct PipeReader(Rc<RefCell<Pipe>>);

/// The writing end of a body pipe (the handler's side).
#[derive(Debug)]
pub(crate) struct PipeWriter(Rc<RefCell<Pipe>>);

/// The client went away (hyper dropped the body): aiohttp's
/// `ClientConnectionResetError` on `write`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Cannot write to closing transport")]
pub struct ConnectionResetError;

pub(crate) fn pipe() -> (PipeWriter, PipeReader) {
    let p = Rc::new(RefCell::new(Pipe::default()));
    (PipeWriter(p.clone()), PipeReader(p))
}

impl PipeReader {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BodyAborted>>> {
        let mut p = self.0.borrow_mut();
        if let Some(b) = p.queue.pop_front() {
            p.queued -= b.len();
            if p.queued < HIGH_WATER {
                if let Some(w) = p.writer_waker.take() {
                    w.wake();
                }
            }
            return Poll::Ready(Some(Ok(b)));
        }
        if p.eof {
            return Poll::Ready(None);
        }
        if p.writer_gone {
            return Poll::Ready(Some(Err(BodyAborted)));
        }
        p.reader_waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        let mut p = self.0.borrow_mut();
        p.reader_gone = true;
        p.queue.clear();
        if let Some(w) = p.writer_waker.take() {
            w.wake();
        }
    }
}

impl PipeWriter {
    /// Queues `data`, then waits while more than the high-water mark is
    /// queued (backpressure from the socket through hyper).
    pub(crate) async fn write(&self, data: Bytes) -> Result<(), ConnectionResetError> {
        {
            let mut p = self.0.borrow_mut();
            if p.reader_gone || p.eof {
                return Err(ConnectionResetError);
            }
            if !data.is_empty() {
                p.queued += data.len();
                p.queue.push_back(data);
                if let Some(w) = p.reader_waker.take() {
                    w.wake();
                }
            }
        }
        futures_lite::future::poll_fn(|cx| {
            let mut p = self.0.borrow_mut();
            if p.reader_gone {
                Poll::Ready(Err(ConnectionResetError))
            } else if p.queued < HIGH_WATER {
                Poll::Ready(Ok(()))
            } else {
                p.writer_waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    /// Ends the body cleanly.
    pub(crate) fn eof(&self) {
        let mut p = self.0.borrow_mut();
        p.eof = true;
        if let Some(w) = p.reader_waker.take() {
            w.wake();
        }
    }

    /// Whether the reader (hyper, so the client) is gone.
    #[cfg(test)]
    pub(crate) fn is_closed(&self) -> bool {
        self.0.borrow().reader_gone
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        let mut p = self.0.borrow_mut();
        p.writer_gone = true;
        if let Some(w) = p.reader_waker.take() {
            w.wake();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn a_pipe_delivers_in_order_then_ends() {
        tulip::run(async {
            let (w, r) = pipe();
            let reader = tulip::create_task(async move { ResBody::Pipe(r).collect().await.unwrap().to_bytes() });
            w.write(Bytes::from_static(b"ab")).await.unwrap();
            w.write(Bytes::from_static(b"cd")).await.unwrap();
            w.eof();
            assert_eq!(reader.await.unwrap(), "abcd");
        });
    }

    #[test]
    fn a_writer_dropped_before_eof_aborts_the_body() {
        tulip::run(async {
            let (w, r) = pipe();
            drop(w);
            assert!(ResBody::Pipe(r).collect().await.is_err());
        });
    }

    #[test]
    fn writing_after_the_reader_left_is_an_error() {
        tulip::run(async {
            let (w, r) = pipe();
            drop(r);
            assert!(w.is_closed());
            assert!(w.write(Bytes::from_static(b"x")).await.is_err());
        });
    }
}
