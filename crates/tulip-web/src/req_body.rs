//! hyper's request body, remembering whether it was read to its end.
//!
//! hyper closes a connection after a response to a request whose body was
//! left unread (it drains only what has already arrived), without saying
//! so; the server then adds `Connection: close`, so that the client does
//! not send its next request into a closed socket.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;

/// Set once the body has ended; shared with the request's answer. An
/// `Arc` because multer wants a `Send` stream (it never leaves the loop).
pub(crate) type Ended = Arc<AtomicBool>;

/// A request's body as handlers read it.
#[derive(Debug)]
pub(crate) struct ReqBody {
    inner: Incoming,
    /// `None` for a request without a body (no allocation for a GET).
    ended: Option<Ended>,
}

impl ReqBody {
    /// The body, and what tells whether it was read to its end.
    pub(crate) fn watch(inner: Incoming) -> (Self, Option<Ended>) {
        let ended = (!inner.is_end_stream()).then(|| Arc::new(AtomicBool::new(false)));
        (ReqBody { inner, ended: ended.clone() }, ended)
    }
}

impl Body for ReqBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            if let Some(ended) = &self.ended {
                ended.store(true, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
