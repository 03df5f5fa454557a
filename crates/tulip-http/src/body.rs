//! Request bodies: bytes (replayable for redirects and retries) or an
//! `AsyncRead` stream (sent chunked, once).

use std::cell::Cell;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use futures_lite::io::AsyncRead;
use http_body::{Frame, SizeHint};

/// How much of a streamed body is read per chunk.
const STREAM_CHUNK: usize = 64 * 1024;

/// A request body (aiohttp's `data=`): bytes, or a stream read as it is sent.
///
/// ```
/// use tulip::http::Body;
/// let b: Body = "hello".into();
/// assert_eq!(b.as_bytes().map(|b| b.len()), Some(5));
/// let s = Body::from_reader(futures_lite::io::Cursor::new(vec![1u8, 2, 3]));
/// assert!(s.as_bytes().is_none());
/// ```
pub struct Body {
    kind: Kind,
}

enum Kind {
    Bytes(Bytes),
    Reader(Pin<Box<dyn AsyncRead>>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            Kind::Reader(_) => f.write_str("Body(stream)"),
        }
    }
}

impl Body {
    /// An empty body.
    ///
    /// ```
    /// assert_eq!(tulip::http::Body::empty().as_bytes().map(|b| b.len()), Some(0));
    /// ```
    pub fn empty() -> Self {
        Body { kind: Kind::Bytes(Bytes::new()) }
    }

    /// A body read from `reader` while it is sent (chunked encoding); it
    /// cannot be sent twice, so a redirect that keeps the body fails with
    /// a `ClientPayloadError`, as in aiohttp.
    ///
    /// ```
    /// let body = tulip::http::Body::from_reader(futures_lite::io::Cursor::new(b"data".to_vec()));
    /// assert!(body.as_bytes().is_none());
    /// ```
    pub fn from_reader(reader: impl AsyncRead + 'static) -> Self {
        Body { kind: Kind::Reader(Box::pin(reader)) }
    }

    /// The bytes, unless this is a stream.
    ///
    /// ```
    /// assert_eq!(tulip::http::Body::from(vec![1u8]).as_bytes().unwrap().as_ref(), &[1]);
    /// ```
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Bytes(b) => Some(b),
            Kind::Reader(_) => None,
        }
    }

    /// The body to send now and what is left for a resend (the same bytes;
    /// nothing after a stream).
    pub(crate) fn take_for_send(self) -> (SendBody, Option<Body>) {
        match self.kind {
            Kind::Bytes(b) => (SendBody::full(b.clone()), Some(Body { kind: Kind::Bytes(b) })),
            Kind::Reader(r) => {
                let stream = Sending::Stream { reader: r, buf: vec![0; STREAM_CHUNK], ended: Uploaded::default() };
                (SendBody(Some(Box::new(stream))), None)
            }
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body { kind: Kind::Bytes(b) }
    }
}
impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Bytes::from(b).into()
    }
}
impl From<String> for Body {
    fn from(s: String) -> Self {
        Bytes::from(s).into()
    }
}
impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Bytes::from_static(s.as_bytes()).into()
    }
}
impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Bytes::from_static(s).into()
    }
}

/// What hyper sends: nothing (`None`, no allocation), bytes, or a stream.
///
/// One pointer: hyper moves the request through its dispatch channel a
/// few times, and a body of 48 bytes inline took the request (and its
/// envelope) past 256 bytes, where each of those copies costs twice as
/// much as below.
pub(crate) struct SendBody(Option<Box<Sending>>);

enum Sending {
    Full(Bytes),
    Stream { reader: Pin<Box<dyn AsyncRead>>, buf: Vec<u8>, ended: Uploaded },
}

/// When (on the loop's clock) a streamed body was read to its end and
/// hyper had its last chunk: until then the client is sending, not
/// waiting to read, and `sock_read` does not run.
#[derive(Clone, Default)]
pub(crate) struct Uploaded(Rc<Cell<Option<Instant>>>);

impl Uploaded {
    pub(crate) fn ended_at(&self) -> Option<Instant> {
        self.0.get()
    }

    fn get(&self) -> bool {
        self.0.get().is_some()
    }

    fn end(&self) {
        if !self.get() {
            self.0.set(Some(crate::timeout::now()));
        }
    }
}

impl SendBody {
    /// No body.
    pub(crate) fn empty() -> Self {
        SendBody(None)
    }

    /// `bytes`, sent whole (none at all when empty).
    fn full(bytes: Bytes) -> Self {
        SendBody((!bytes.is_empty()).then(|| Box::new(Sending::Full(bytes))))
    }

    /// What says when the upload ended; `None`: bytes, handed over whole
    /// at once.
    pub(crate) fn uploaded(&self) -> Option<Uploaded> {
        match self.0.as_deref() {
            Some(Sending::Stream { ended, .. }) => Some(ended.clone()),
            _ => None,
        }
    }
}

impl http_body::Body for SendBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        match this.0.as_deref_mut() {
            None => Poll::Ready(None),
            Some(Sending::Full(b)) => {
                let b = std::mem::take(b);
                this.0 = None;
                Poll::Ready(Some(Ok(Frame::data(b))))
            }
            Some(Sending::Stream { reader, buf, ended }) => {
                if ended.get() {
                    return Poll::Ready(None);
                }
                match reader.as_mut().poll_read(cx, buf) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        ended.end();
                        Poll::Ready(Some(Err(e)))
                    }
                    Poll::Ready(Ok(0)) => {
                        ended.end();
                        Poll::Ready(None)
                    }
                    Poll::Ready(Ok(n)) => {
                        let chunk = Bytes::copy_from_slice(buf.get(..n).unwrap_or_default());
                        Poll::Ready(Some(Ok(Frame::data(chunk))))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self.0.as_deref() {
            None => true,
            Some(Sending::Full(b)) => b.is_empty(),
            Some(Sending::Stream { ended, .. }) => ended.get(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.0.as_deref() {
            None => SizeHint::with_exact(0),
            Some(Sending::Full(b)) => SizeHint::with_exact(b.len() as u64),
            Some(Sending::Stream { .. }) => SizeHint::default(),
        }
    }
}
