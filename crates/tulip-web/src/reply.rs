//! hyper's future for one request: drives the handler, then answers
//! without waiting (only a `FileResponse` waits, to open its file).
//!
//! A named type rather than a boxed `async` block: hyper keeps the future
//! in a slot of its own per connection, so a request costs no box for it,
//! and the answer is built in one synchronous step instead of being moved
//! through the states of nested `async fn`s (callgrind: ~1 k instructions
//! of `memcpy` and a >1 KiB allocation per request before).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use http::header::CONNECTION;
use http::{HeaderValue, StatusCode};

use crate::app::LocalBoxFuture;
use crate::body::ResBody;
use crate::request::{take_prepared, PreparedSlot};
use crate::response::{Payload, Result};
use crate::server::{file_response, panic_message, plain, report_panic, to_plain, Handling, Started};
use crate::{HTTPException, Response};

/// Where a connection learns that a WebSocket's 101 was answered.
#[cfg(feature = "ws")]
pub(crate) type UpgradeSlot = Rc<std::cell::RefCell<Option<Rc<crate::ws::Handoff>>>>;

/// hyper's service future for one request.
pub(crate) struct Reply {
    handling: Rc<Handling>,
    prepared: PreparedSlot,
    stage: Stage,
    started: Started,
    /// The request's framing cannot be trusted: the connection closes
    /// after this answer.
    close: bool,
    #[cfg(feature = "ws")]
    upgrade: UpgradeSlot,
}

enum Stage {
    /// The handler (through its middlewares) runs.
    Handler(LocalBoxFuture<Result<Response>>),
    /// A `FileResponse` is being opened.
    File(LocalBoxFuture<hyper::Response<ResBody>>),
    /// Answered by [`Reply::start`], before hyper polled.
    Answered(hyper::Response<ResBody>),
    /// Answered (or handed to a task).
    Done,
}

impl Reply {
    /// The answer to a request whose handler was called.
    pub(crate) fn new(
        handling: Rc<Handling>,
        (fut, started): (LocalBoxFuture<Result<Response>>, Started),
        prepared: PreparedSlot,
        #[cfg(feature = "ws")] upgrade: UpgradeSlot,
    ) -> Self {
        Reply {
            handling,
            prepared,
            stage: Stage::Handler(fut),
            started,
            close: false,
            #[cfg(feature = "ws")]
            upgrade,
        }
    }

    /// Runs the handler's first step now, inside hyper's `Service::call`,
    /// with the connection task's own `waker` (so a handler that waits is
    /// woken as when hyper polls it). A handler that answers at once then
    /// drops its `Request` before hyper reads again: hyper reads (to see
    /// an early close) while a request is in flight, and a request still
    /// holding the bytes of its head makes it allocate a new read buffer
    /// (~700 instructions a request with the buffer's free, callgrind).
    pub(crate) fn start(&mut self, waker: &std::task::Waker) {
        self.drive(&mut Context::from_waker(waker));
    }

    /// A 400 for a request whose framing cannot be trusted; the connection
    /// closes after it. No handler, middleware or access log sees it.
    pub(crate) fn refuse(
        handling: Rc<Handling>,
        reason: &str,
        prepared: PreparedSlot,
        #[cfg(feature = "ws")] upgrade: UpgradeSlot,
    ) -> Self {
        // Nothing is left in it from an earlier request (`start` does the same).
        take_prepared(&prepared);
        let e = HTTPException::bad_request().with_text(format!("400: {reason}"));
        let mut reply = Reply::new(
            handling,
            Started::answered(e),
            prepared,
            #[cfg(feature = "ws")]
            upgrade,
        );
        reply.close = true;
        reply
    }

    /// Drives the handler, then a `FileResponse`'s opening; once
    /// answered, `stage` is [`Stage::Answered`]. The answer is built in
    /// its place there (each move of it elsewhere is a `memcpy` call).
    fn drive(&mut self, cx: &mut Context<'_>) {
        if let Stage::Handler(fut) = &mut self.stage {
            let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
                Ok(Poll::Ready(r)) => Ok(r),
                Err(p) => Err(p),
                Ok(Poll::Pending) => {
                    // A `StreamResponse` was prepared and its handler
                    // waits: hand it to a task so hyper can send the head
                    // while it writes.
                    let Some(res) = take_prepared(&self.prepared) else { return };
                    if let Stage::Handler(fut) = std::mem::replace(&mut self.stage, Stage::Answered(res)) {
                        self.handling.detached.spawn(finish_stream(fut));
                    }
                    return self.finish();
                }
            };
            // The handler's future goes before the answer is made, as when
            // it was awaited.
            self.stage = Stage::Done;
            self.answer(outcome);
            if let Stage::Answered(_) = self.stage {
                return self.finish();
            }
        }
        if let Stage::File(f) = &mut self.stage {
            if let Poll::Ready(res) = f.as_mut().poll(cx) {
                self.stage = Stage::Answered(res);
                self.finish();
            }
        }
    }

    /// The answer once the handler returned or panicked, in `stage`: a
    /// [`Stage::File`] when a file has to be opened first.
    fn answer(&mut self, outcome: std::thread::Result<Result<Response>>) {
        let sent = take_prepared(&self.prepared);
        let result = match outcome {
            Ok(result) => result,
            Err(p) => {
                report_panic(&panic_message(&*p));
                let res = sent.unwrap_or_else(|| to_plain(Response::from(HTTPException::internal_server_error())));
                self.stage = Stage::Answered(res);
                return;
            }
        };
        if let Some(res) = sent {
            // Prepared and finished without waiting: end the body (or, on
            // an error, drop the writer: the body aborts).
            if let Ok(Response { payload: Payload::Prepared(w), .. }) = result {
                w.eof();
            }
            self.stage = Stage::Answered(res);
            return;
        }
        let Response { status, headers, payload } = result.unwrap_or_else(Response::from);
        self.stage = match payload {
            // Boxed: the file's state machine would make this future (moved
            // into hyper's slot every request) several times larger.
            Payload::File(path) => {
                let ims = self.started.if_modified_since.take();
                Stage::File(Box::pin(file_response(path, status, headers, ims)))
            }
            payload => Stage::Answered(plain(status, headers, payload)),
        };
    }

    /// What every answer gets on its way to hyper (once: as `stage`
    /// becomes [`Stage::Answered`]).
    fn finish(&mut self) {
        let Stage::Answered(res) = &mut self.stage else { return };
        // A body left unread: hyper closes the connection after this
        // response; say so (an upgraded connection is the handler's).
        let unread = self.started.body_ended.as_ref().is_some_and(|e| !e.load(std::sync::atomic::Ordering::Relaxed));
        if self.close || (unread && res.status() != StatusCode::SWITCHING_PROTOCOLS) {
            res.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        }
        if let (Some(log), Some(head)) = (&self.handling.access_log, self.started.log_head.take()) {
            head.emit(log, res);
        }
        #[cfg(feature = "ws")]
        if let ResBody::Upgrade(handoff) = res.body() {
            *self.upgrade.borrow_mut() = Some(handoff.clone());
        }
    }
}

impl Future for Reply {
    type Output = std::result::Result<hyper::Response<ResBody>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if !matches!(this.stage, Stage::Answered(_)) {
            this.drive(cx);
        }
        if let Stage::Answered(_) = this.stage {
            if let Stage::Answered(res) = std::mem::replace(&mut this.stage, Stage::Done) {
                return Poll::Ready(Ok(res));
            }
        }
        Poll::Pending
    }
}

/// The rest of a streaming handler: end its body when it returns.
async fn finish_stream(fut: LocalBoxFuture<Result<Response>>) {
    match futures_lite::FutureExt::catch_unwind(AssertUnwindSafe(fut)).await {
        Ok(Ok(Response { payload: Payload::Prepared(w), .. })) => w.eof(),
        Ok(_) => {}
        Err(p) => report_panic(&panic_message(&*p)),
    }
}
