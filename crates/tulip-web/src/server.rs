//! One request, from hyper's parts to hyper's response: the checks hyper
//! leaves to us, routing, the middleware chain, panics, streamed
//! responses, the access log.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use http::header::{
    CONNECTION, CONTENT_LENGTH, HOST, IF_MODIFIED_SINCE, REFERER, SERVER, TRANSFER_ENCODING, USER_AGENT,
};
use http::{HeaderValue, Version};
use hyper::body::Incoming;

use crate::access_log::{self, AccessLog};
use crate::app::LocalBoxFuture;
use crate::body::ResBody;
use crate::conn_timer::HeadRecord;
use crate::middleware::{BoxHandler, BoxMiddleware};
use crate::request::PreparedSlot;
use crate::response::{Payload, Result};
use crate::router::Resolved;
use crate::{Application, HTTPException, Request, Response};

const SERVER_NAME: HeaderValue = HeaderValue::from_static(concat!("tulip-web/", env!("CARGO_PKG_VERSION")));

/// What every request of a runner shares.
pub(crate) struct Handling {
    pub(crate) app: Rc<Application>,
    chain: Rc<[BoxMiddleware]>,
    not_found: BoxHandler,
    pub(crate) access_log: Option<AccessLog>,
    /// Streamed handlers that outlive their service future, cancelled at shutdown.
    pub(crate) detached: crate::tasks::TaskSet,
    /// Sub-applications' paths and middleware chains.
    paths: crate::subapp::AppPaths,
}

impl Handling {
    pub(crate) fn new(app: Rc<Application>, access_log: Option<AccessLog>) -> Self {
        let chain: Rc<[BoxMiddleware]> = app.middlewares.iter().cloned().collect();
        let not_found: BoxHandler = Rc::new(|_req: Request| async { HTTPException::not_found() });
        let paths = crate::subapp::AppPaths::of(&app);
        Handling { app, chain, not_found, access_log, detached: crate::tasks::TaskSet::default(), paths }
    }

    /// Routes one request and calls its handler, before any future is
    /// boxed for hyper: what waits in that future is then only the
    /// handler's (boxed) future and what the answer needs, not the request
    /// moved through each state.
    pub(crate) fn start(
        &self,
        req: hyper::Request<Incoming>,
        remote: Option<Rc<str>>,
        prepared: &PreparedSlot,
    ) -> Start {
        let log_head = self.access_log.as_ref().map(|_| LogHead::of(&req, remote.as_deref()));
        let (parts, body) = req.into_parts();
        let if_modified_since = parts.headers.get(IF_MODIFIED_SINCE).cloned();
        // Decoded only when there is something to decode (no copy otherwise).
        let decoded = match parts.uri.path().contains('%') {
            false => None,
            true => match crate::urlenc::decode_path(parts.uri.path()) {
                Some(p) => Some(p),
                None => {
                    return Start::Answered(to_plain(Response::from(
                        HTTPException::bad_request().with_text("400: path is not UTF-8"),
                    )))
                }
            },
        };
        let path = decoded.as_deref().unwrap_or(parts.uri.path());
        let (resolved, sub) = self.app.router.resolve(&parts.method, path, &parts.headers);
        let (handler, params) = match resolved {
            Resolved::Found(h, p) => (h, p),
            Resolved::NotFound => (self.not_found.clone(), Vec::new()),
            Resolved::NotAllowed(allowed) => {
                let h: BoxHandler = Rc::new(move |_req: Request| {
                    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                    let e = HTTPException::method_not_allowed(&allowed);
                    async move { e }
                });
                (h, Vec::new())
            }
        };
        // Nothing is left in it from an earlier request: each takes its own.
        prepared.borrow_mut().take();
        let mut request = Request::new(parts, body, decoded, self.app.clone(), remote, prepared.clone());
        request.set_match_info(params);
        let fut = self.paths.call(sub, request, handler, &self.chain);
        Start::Called(Started { fut, if_modified_since, log_head })
    }

    /// The answer to a started request.
    pub(crate) async fn finish(self: Rc<Self>, started: Started, prepared: PreparedSlot) -> hyper::Response<ResBody> {
        let Started { fut, if_modified_since, log_head } = started;
        let outcome = Run { fut: Some(fut), prepared: prepared.clone(), owner: &self }.await;
        let res = self.respond(outcome, &prepared, if_modified_since).await;
        if let (Some(log), Some(head)) = (&self.access_log, log_head) {
            head.emit(log, &res);
        }
        res
    }

    async fn respond(
        &self,
        outcome: Outcome,
        prepared: &PreparedSlot,
        if_modified_since: Option<HeaderValue>,
    ) -> hyper::Response<ResBody> {
        let sent = prepared.borrow_mut().take();
        match outcome {
            Outcome::Streaming(res) => res,
            Outcome::Done(result) => {
                if let Some(res) = sent {
                    // Prepared and finished without waiting: end the body
                    // (or, on an error, drop the writer: the body aborts).
                    if let Ok(Response { payload: Payload::Prepared(w), .. }) = result {
                        w.eof();
                    }
                    return res;
                }
                let resp = result.unwrap_or_else(Response::from);
                match resp.payload {
                    // Boxed: the file's state machine would otherwise make
                    // every request's future (moved on each poll and into
                    // hyper's box) several times larger.
                    Payload::File(path) => {
                        Box::pin(file_response(path, resp.status, resp.headers, if_modified_since)).await
                    }
                    _ => to_plain(resp),
                }
            }
            Outcome::Panicked(msg) => {
                report_panic(&msg);
                match sent {
                    Some(res) => res,
                    None => to_plain(Response::from(HTTPException::internal_server_error())),
                }
            }
        }
    }
}

/// A 400 for a request whose framing cannot be trusted; the connection closes.
pub(crate) fn bad_framing(reason: &str) -> hyper::Response<ResBody> {
    let mut r = to_plain(Response::from(HTTPException::bad_request().with_text(format!("400: {reason}"))));
    r.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Reports a handler's panic to the loop's exception handler (aiohttp
/// logs "Error handling request").
pub(crate) fn report_panic(msg: &str) {
    if let Some(lp) = tulip_reactor::try_get_running_loop() {
        lp.call_exception_handler(tulip_task::ExceptionContext {
            message: "Error handling request".into(),
            exception: Some(tulip_task::Exception::msg(msg.to_string())),
            ..Default::default()
        });
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a handler panicked".into())
}

/// The request smuggling and HTTP/1.1 rules hyper does not enforce itself
/// (it refuses obs-fold, bare CR, differing Content-Lengths and bad chunk
/// sizes on its own). `record` holds the raw head: hyper merges duplicate
/// `Content-Length`s and drops one that comes with `Transfer-Encoding`.
pub(crate) fn framing_problem(req: &hyper::Request<Incoming>, record: &HeadRecord) -> Option<&'static str> {
    // One pass over the headers rather than a hashed lookup per rule.
    let (mut cl, mut te, mut host) = (0usize, 0usize, 0usize);
    for (name, _) in req.headers() {
        if name == CONTENT_LENGTH {
            cl += 1;
        } else if name == TRANSFER_ENCODING {
            te += 1;
        } else if name == HOST {
            host += 1;
        }
    }
    if te + cl == 0 {
        record.reset();
    } else if record.take_content_lengths() > usize::from(te == 0) {
        return Some(if te > 0 { "both Transfer-Encoding and Content-Length" } else { "more than one Content-Length" });
    }
    if te > 0 && cl > 0 {
        return Some("both Transfer-Encoding and Content-Length");
    }
    if cl > 1 {
        return Some("more than one Content-Length");
    }
    if te > 1 {
        return Some("more than one Transfer-Encoding");
    }
    match host {
        0 if req.version() == Version::HTTP_11 => Some("HTTP/1.1 without Host"),
        0 | 1 => None,
        _ => Some("more than one Host"),
    }
}

/// A `FileResponse`'s answer.
async fn file_response(
    path: std::path::PathBuf,
    status: http::StatusCode,
    headers: http::HeaderMap,
    if_modified_since: Option<HeaderValue>,
) -> hyper::Response<ResBody> {
    let mut head = hyper::Response::new(());
    *head.status_mut() = status;
    *head.headers_mut() = headers;
    let mut h = http::HeaderMap::new();
    if let Some(v) = if_modified_since {
        h.insert(IF_MODIFIED_SINCE, v);
    }
    match crate::file::send_file(path, head, &h).await {
        Ok(r) => with_server(r),
        Err(e) => to_plain(Response::from(e)),
    }
}

fn with_server(mut r: hyper::Response<ResBody>) -> hyper::Response<ResBody> {
    r.headers_mut().entry(SERVER).or_insert(SERVER_NAME);
    r
}

/// A response with an in-memory body as hyper's (streamed payloads are
/// handled before this).
fn to_plain(resp: Response) -> hyper::Response<ResBody> {
    let body = match resp.payload {
        Payload::Bytes(b) => ResBody::full(b),
        Payload::Prepared(_) | Payload::File(_) => ResBody::Full(None),
    };
    let mut r = hyper::Response::new(body);
    *r.status_mut() = resp.status;
    *r.headers_mut() = resp.headers;
    with_server(r)
}

/// What [`Handling::start`] made of a request.
pub(crate) enum Start {
    /// Its handler was called.
    Called(Started),
    /// The answer, without a handler (a path that is not UTF-8).
    Answered(hyper::Response<ResBody>),
}

/// A request whose handler was called, and what its answer needs.
pub(crate) struct Started {
    fut: LocalBoxFuture<Result<Response>>,
    if_modified_since: Option<HeaderValue>,
    log_head: Option<LogHead>,
}

enum Outcome {
    Done(Result<Response>),
    /// The handler prepared a `StreamResponse` and goes on in a task.
    Streaming(hyper::Response<ResBody>),
    Panicked(String),
}

/// Drives a handler; when it prepares a `StreamResponse` and then waits,
/// hands it to a task so hyper can send the head while it writes.
struct Run<'a> {
    fut: Option<LocalBoxFuture<Result<Response>>>,
    prepared: PreparedSlot,
    owner: &'a Handling,
}

impl Future for Run<'_> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let Some(fut) = self.fut.as_mut() else { return Poll::Pending };
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(r)) => Poll::Ready(Outcome::Done(r)),
            Err(p) => Poll::Ready(Outcome::Panicked(panic_message(&*p))),
            Ok(Poll::Pending) => {
                let Some(res) = self.prepared.borrow_mut().take() else { return Poll::Pending };
                let Some(fut) = self.fut.take() else { return Poll::Pending };
                self.owner.detached.spawn(finish_stream(fut));
                Poll::Ready(Outcome::Streaming(res))
            }
        }
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

/// What the access log needs of a request, taken before it is consumed.
struct LogHead {
    remote: String,
    request_line: String,
    referer: String,
    user_agent: String,
}

impl LogHead {
    fn of(req: &hyper::Request<Incoming>, remote: Option<&str>) -> Self {
        let header = |name| req.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).unwrap_or("-");
        let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
        LogHead {
            remote: remote.unwrap_or("-").to_string(),
            request_line: format!("{} {} {:?}", req.method(), target, req.version()),
            referer: header(REFERER).to_string(),
            user_agent: header(USER_AGENT).to_string(),
        }
    }

    fn emit(&self, log: &AccessLog, res: &hyper::Response<ResBody>) {
        let entry = access_log::Entry {
            remote: &self.remote,
            request_line: &self.request_line,
            status: res.status().as_u16(),
            size: sent_size(res),
            referer: &self.referer,
            user_agent: &self.user_agent,
        };
        log.emit(&access_log::format(&entry, SystemTime::now()));
    }
}

/// The bytes hyper will send for this response, head included (aiohttp's
/// `%b`); a streamed body counts as its `Content-Length`, or 0.
fn sent_size(res: &hyper::Response<ResBody>) -> u64 {
    let status = res.status();
    let mut n = format!("HTTP/1.1 {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or("")).len();
    for (k, v) in res.headers() {
        n += k.as_str().len() + 2 + v.len() + 2;
    }
    // hyper adds `date: <29 bytes>` and a length.
    n += "date: \r\n".len() + 29;
    n += 2;
    let body = http_body::Body::size_hint(res.body()).exact();
    if let Some(len) = body.filter(|_| !res.headers().contains_key(CONTENT_LENGTH)) {
        n += format!("content-length: {len}\r\n").len();
    }
    let body_len =
        body.or_else(|| res.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok())).unwrap_or(0);
    n as u64 + body_len
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn the_size_counts_head_and_body() {
        let r = to_plain(Response::text("Hello, bob"));
        // status 17 + content-type 41 + server + date 37 + content-length 20 + blank 2 + body 10
        let server = "server: ".len() + SERVER_NAME.len() + 2;
        assert_eq!(sent_size(&r), (17 + 41 + server + 37 + 20 + 2 + 10) as u64);
        assert_eq!(r.status(), StatusCode::OK);
    }
}
