//! One request, from hyper's parts to the handler's call: the checks
//! hyper leaves to us, routing, the middleware chain; and the pieces of
//! an answer (`reply.rs` drives it): panics, files, the access log.

use std::rc::Rc;
use std::time::SystemTime;

use http::header::{CONTENT_LENGTH, HOST, IF_MODIFIED_SINCE, REFERER, SERVER, TRANSFER_ENCODING, USER_AGENT};
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

    /// Routes one request and calls its handler: the handler's future
    /// and what its answer needs ([`crate::reply::Reply`] drives them).
    pub(crate) fn start(
        &self,
        req: hyper::Request<Incoming>,
        remote: Option<Rc<str>>,
        prepared: &PreparedSlot,
        if_modified_since: Option<HeaderValue>,
    ) -> (LocalBoxFuture<Result<Response>>, Started) {
        let log_head = self.access_log.as_ref().map(|_| Box::new(LogHead::of(&req, remote.as_deref())));
        let (parts, body) = req.into_parts();
        // Decoded only when there is something to decode (no copy otherwise).
        let decoded = match parts.uri.path().contains('%') {
            false => None,
            true => match crate::urlenc::decode_path(parts.uri.path()) {
                Some(p) => Some(p),
                None => return Started::answered(HTTPException::bad_request().with_text("400: path is not UTF-8")),
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
        crate::request::take_prepared(prepared);
        let (body, body_ended) = crate::req_body::ReqBody::watch(body);
        let mut request = Request::new(parts, body, decoded, self.app.clone(), remote, prepared.clone());
        request.set_match_info(params);
        let fut = self.paths.call(sub, request, handler, &self.chain);
        (fut, Started { if_modified_since, log_head, body_ended })
    }
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

pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a handler panicked".into())
}

/// The request smuggling and HTTP/1.1 rules hyper does not enforce itself
/// (it refuses obs-fold, bare CR, differing Content-Lengths and bad chunk
/// sizes on its own): the reason to refuse the request, or, for a request
/// that passes, its `If-Modified-Since` (for a `FileResponse`), found in
/// the same pass. `record` holds the raw head: hyper merges duplicate
/// `Content-Length`s and drops one that comes with `Transfer-Encoding`.
pub(crate) fn check_head(
    req: &hyper::Request<Incoming>,
    record: &HeadRecord,
) -> std::result::Result<Option<HeaderValue>, &'static str> {
    // One pass over the headers rather than a hashed lookup per rule.
    let (mut cl, mut te, mut host) = (0usize, 0usize, 0usize);
    let mut if_modified_since = None;
    for (name, value) in req.headers() {
        if name == CONTENT_LENGTH {
            cl += 1;
        } else if name == TRANSFER_ENCODING {
            te += 1;
        } else if name == HOST {
            host += 1;
        } else if name == IF_MODIFIED_SINCE && if_modified_since.is_none() {
            if_modified_since = Some(value.clone());
        }
    }
    if te + cl == 0 {
        record.reset();
    } else if record.take_content_lengths() > usize::from(te == 0) {
        return Err(if te > 0 { "both Transfer-Encoding and Content-Length" } else { "more than one Content-Length" });
    }
    if te > 0 && cl > 0 {
        return Err("both Transfer-Encoding and Content-Length");
    }
    if cl > 1 {
        return Err("more than one Content-Length");
    }
    if te > 1 {
        return Err("more than one Transfer-Encoding");
    }
    match host {
        0 if req.version() == Version::HTTP_11 => Err("HTTP/1.1 without Host"),
        0 | 1 => Ok(if_modified_since),
        _ => Err("more than one Host"),
    }
}

/// A `FileResponse`'s answer.
pub(crate) async fn file_response(
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
        Ok(mut r) => {
            add_server(r.headers_mut());
            r
        }
        Err(e) => to_plain(Response::from(e)),
    }
}

/// Says `Server: tulip-web/…` unless the handler named one.
fn add_server(headers: &mut http::HeaderMap) {
    headers.entry(SERVER).or_insert(SERVER_NAME);
}

/// A response with an in-memory body as hyper's (streamed payloads are
/// handled before this).
pub(crate) fn to_plain(resp: Response) -> hyper::Response<ResBody> {
    plain(resp.status, resp.headers, resp.payload)
}

/// [`to_plain`] of a response taken apart.
pub(crate) fn plain(
    status: http::StatusCode,
    mut headers: http::HeaderMap,
    payload: Payload,
) -> hyper::Response<ResBody> {
    add_server(&mut headers);
    let body = match payload {
        Payload::Bytes(b) => ResBody::full(b),
        Payload::Prepared(_) | Payload::File(_) => ResBody::Full(None),
    };
    let mut r = hyper::Response::new(body);
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    r
}

/// What the answer to a started request needs of it.
pub(crate) struct Started {
    /// For a `FileResponse`.
    pub(crate) if_modified_since: Option<HeaderValue>,
    /// Boxed: only with an access log.
    pub(crate) log_head: Option<Box<LogHead>>,
    pub(crate) body_ended: Option<crate::req_body::Ended>,
}

impl Started {
    /// An answer without a handler.
    pub(crate) fn answered(e: HTTPException) -> (LocalBoxFuture<Result<Response>>, Started) {
        let fut: LocalBoxFuture<Result<Response>> = Box::pin(std::future::ready(Err(e)));
        (fut, Started { if_modified_since: None, log_head: None, body_ended: None })
    }
}

/// What the access log needs of a request, taken before it is consumed.
pub(crate) struct LogHead {
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

    pub(crate) fn emit(&self, log: &AccessLog, res: &hyper::Response<ResBody>) {
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
