//! `send()`: the total timeout around connection, exchange and redirects;
//! the single retry of an idempotent request on a reused connection that
//! turned out dead.

use std::rc::Rc;
use std::time::{Duration, Instant};

use http::header::{self, HeaderValue};
use http::{HeaderMap, Method};
use hyper::body::Incoming;
use url::Url;

use crate::auth::BasicAuth;
use crate::body::{Body, SendBody, Uploaded};
use crate::connector::Conn;
use crate::cookies::parse_set_cookies;
use crate::decode::Source;
use crate::errors::{
    ClientError, InvalidURL, InvalidUrlKind, ServerDisconnectedError, ServerTimeoutError, TooManyRedirects,
};
use crate::head::{parse_content_type, Head};
use crate::hyper_errors::{is_dead_connection, request_error};
use crate::proxy::ProxyKey;
use crate::raw_body::RawBody;
use crate::reader::BodyReader;
use crate::redirect::{follow, is_redirect, Hop};
use crate::request::{Extras, RequestBuilder};
use crate::response::ClientResponse;
use crate::session::SessionInner;
use crate::target::{absolute, Target};
use crate::timeout::{deadline_after, now, until, ClientTimeout};
use crate::total::within;

const USER_AGENT: &str = concat!("tulip-http/", env!("CARGO_PKG_VERSION"));

/// What one `send()` is limited by.
struct Limits {
    proxy: Option<Rc<ProxyKey>>,
    timeout: ClientTimeout,
    total: Option<(Instant, Duration)>,
    /// When the request started (the loop's clock).
    started: Instant,
    allow_redirects: bool,
    max_redirects: usize,
}

pub(crate) async fn run(req: RequestBuilder) -> Result<ClientResponse, ClientError> {
    let session = Rc::clone(&req.session);
    if session.closed.get() {
        return Err(ClientError::SessionClosed);
    }
    let mut url = req.resolve_url()?;
    let RequestBuilder { method, body, allow_redirects, max_redirects, raise_for_status, extras, .. } = req;
    let (headers, timeout, auth, proxy, proxy_auth) = match extras {
        Some(x) => {
            let Extras { headers, timeout, auth, proxy, proxy_auth, error, .. } = *x;
            if let Some(e) = error {
                return Err(e);
            }
            (Some(headers).filter(|h| !h.is_empty()), timeout, auth, proxy, proxy_auth)
        }
        None => (None, None, None, None, None),
    };
    let proxy = match proxy.as_ref().or(session.proxy.as_ref()) {
        Some(p) => Some(Rc::new(ProxyKey::parse(p, proxy_auth.as_ref().or(session.proxy_auth.as_ref()))?)),
        None => None,
    };
    let in_url = crate::auth::has_credentials(&url);
    let url_auth = if in_url { BasicAuth::from_url(&url) } else { None };
    if url_auth.is_some() && auth.is_some() {
        let why = "Cannot combine AUTH argument with credentials encoded in URL";
        return Err(InvalidURL::new(url.as_str(), why, InvalidUrlKind::Url).into());
    }
    // Credentials travel in the Authorization header, not the request line.
    if in_url {
        let url = Rc::make_mut(&mut url);
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    let auth = auth.or(url_auth).or_else(|| session.auth.clone());
    let timeout = timeout.unwrap_or(session.timeout);
    let started = now();
    let deadline = timeout.total.map(|d| tulip_timer::saturating_add(started, d));
    let limits = Limits { proxy, timeout, total: deadline.zip(timeout.total), started, allow_redirects, max_redirects };
    let hop = Hop { method, url, headers, body, auth };
    let total = timeout.total.unwrap_or_default();
    let follow = std::pin::pin!(follow_redirects(&session, hop, &limits));
    let resp = within(&session.deadlines, deadline, follow, || ClientError::Timeout(total)).await?;
    if raise_for_status.unwrap_or(session.raise_for_status) {
        resp.raise_for_status()?;
    }
    Ok(resp)
}

async fn follow_redirects(
    session: &SessionInner,
    mut hop: Hop,
    limits: &Limits,
) -> Result<ClientResponse, ClientError> {
    let mut history = Vec::new();
    loop {
        // The first hop takes its connection in the same poll as the
        // request started: the pool reads that time rather than the clock.
        let now = history.is_empty().then_some(limits.started);
        let (parts, incoming, conn, rest) = send_hop(session, &mut hop, limits, now).await?;
        let head = Head::scan(&parts.headers);
        if head.set_cookie {
            session.jar.store_from(&hop.url, &parts.headers);
        }
        let status = parts.status.as_u16();
        let location = head.location.and_then(|v| v.to_str().ok()).map(str::to_string);
        let encoding = head.content_encoding.filter(|_| session.auto_decompress).and_then(|v| v.to_str().ok());
        let raw = RawBody::new(incoming, conn, limits.timeout.sock_read, limits.total);
        let content = BodyReader::new(Source::new(encoding, raw));
        let content_type = parse_content_type(head.content_type);
        let cookies = if head.set_cookie { parse_set_cookies(&parts.headers) } else { Vec::new() };
        hop.body = rest;
        let Some(location) = location.filter(|_| limits.allow_redirects && is_redirect(status)) else {
            // The last hop: its method and URL move into the response.
            let mut resp = ClientResponse::new(hop.method, hop.url, parts, content, content_type, cookies);
            resp.set_history(history);
            return Ok(resp);
        };
        let mut resp = ClientResponse::new(hop.method.clone(), hop.url.clone(), parts, content, content_type, cookies);
        // As aiohttp counts: the `max_redirects`-th redirect response is
        // refused (0: no limit).
        if limits.max_redirects > 0 && history.len() + 1 >= limits.max_redirects {
            resp.close();
            return Err(TooManyRedirects { status, redirects: history.len() + 1, url: hop.url.to_string() }.into());
        }
        if let Err(e) = follow(status, &location, &mut hop, session.allow_insecure_redirects) {
            resp.close();
            return Err(e);
        }
        resp.release().await;
        history.push(resp);
    }
}

/// Sends `hop` once (twice if a reused connection was found dead).
async fn send_hop(
    session: &SessionInner,
    hop: &mut Hop,
    limits: &Limits,
    mut now: Option<Instant>,
) -> Result<(http::response::Parts, Incoming, Conn, Option<Body>), ClientError> {
    let timeout = &limits.timeout;
    let target = session.targets.get(&hop.url, limits.proxy.as_ref())?;
    let key = &target.key;
    // Plain http through a proxy: the request goes to it in absolute form,
    // with the proxy's credentials.
    let forward = limits.proxy.as_ref().filter(|_| !key.https);
    let idempotent = matches!(
        hop.method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    );
    let mut body = hop.body.take();
    let replayable = body.as_ref().is_none_or(|b| b.as_bytes().is_some());
    let mut retried = false;
    loop {
        let mut conn = session.connector.connect(key, timeout, now.take()).await?;
        let (send_body, rest) = match body.take() {
            Some(b) => b.take_for_send(),
            None => (SendBody::empty(), None),
        };
        // Built for each attempt rather than cloned: a retry is rare, a
        // header map clone per request is not.
        let mut headers = request_headers(session, hop, &target)?;
        if let Some(auth) = forward.and_then(|p| p.auth.clone()) {
            headers.insert(header::PROXY_AUTHORIZATION, auth);
        }
        let uri = if conn.is_h2() || forward.is_some() { absolute(&hop.url)? } else { target.origin.clone() };
        let uploaded = send_body.uploaded();
        let mut req = Some(build(&hop.method, uri, headers, send_body));
        let reused = conn.reused;
        let sent = {
            // Pinned here (the exchange is large) and dropped before `conn`
            // is used again; the request stays here until hyper takes it.
            let exchanged = std::pin::pin!(exchange(&mut conn, &mut req, &hop.url));
            match timeout.sock_read {
                // Without a limit, awaited here: one layer fewer.
                None => exchanged.await,
                limit => head_within(limit, uploaded, exchanged).await,
            }
        };
        match sent {
            Ok(resp) => {
                let (parts, incoming) = resp.into_parts();
                return Ok((parts, incoming, conn, rest));
            }
            Err(e) if reused && !retried && idempotent && replayable && is_dead_connection(&e) => {
                retried = true;
                body = rest;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `exchange` with `sock_read` for the response head, as aiohttp
/// counts it: reading only. A streamed body's upload is not under it
/// (only `total` is); its silence counts from the upload's end.
async fn head_within<T, F: std::future::Future<Output = Result<T, ClientError>>>(
    limit: Option<Duration>,
    uploaded: Option<Uploaded>,
    mut exchange: std::pin::Pin<&mut F>,
) -> Result<T, ClientError> {
    let Some(limit) = limit else { return exchange.await };
    let timed_out = || ServerTimeoutError::sock_read(limit).into();
    let Some(uploaded) = uploaded else { return until(deadline_after(Some(limit)), exchange, timed_out).await };
    loop {
        // While uploading, wake every `limit` to look again; from the
        // upload's end on, the silence is the limit's.
        let ended = uploaded.ended_at();
        let deadline = tulip_timer::saturating_add(ended.unwrap_or_else(now), limit);
        match tulip_timer::timeout_at(Some(deadline), exchange.as_mut()).await {
            Ok(r) => return r,
            Err(_) if ended.is_some() => return Err(timed_out()),
            Err(_) => {}
        }
    }
}

async fn exchange(
    conn: &mut Conn,
    req: &mut Option<http::Request<SendBody>>,
    url: &Url,
) -> Result<http::Response<Incoming>, ClientError> {
    let sender = conn.sender().ok_or_else(ServerDisconnectedError::default)?;
    sender.ready().await.map_err(|e| request_error(e, url))?;
    let sent = sender.send(req).await.ok_or_else(ServerDisconnectedError::default)?;
    sent.map_err(|e| request_error(e, url))
}

pub(crate) fn build(method: &Method, uri: http::Uri, headers: HeaderMap, body: SendBody) -> http::Request<SendBody> {
    let mut req = http::Request::new(body);
    *req.method_mut() = method.clone();
    // The defaults replaced here own no heap memory (an empty map, the
    // static "/"): forgotten rather than dropped, which walked the empty
    // map's tables and the URI's parts, ~85 instructions a request.
    std::mem::forget(std::mem::replace(req.uri_mut(), uri));
    std::mem::forget(std::mem::replace(req.headers_mut(), headers));
    req
}

/// The session's default headers under the request's, then what aiohttp
/// adds when missing: Host, Accept, Accept-Encoding, User-Agent,
/// Authorization, the jar's cookies.
pub(crate) fn request_headers(session: &SessionInner, hop: &Hop, target: &Target) -> Result<HeaderMap, ClientError> {
    // A request without headers of its own (the common case) starts from
    // its target's copy of the defaults: a clone is two allocations and
    // a copy, where building the map hashed and inserted each header.
    let mut h = match hop.headers.as_ref().filter(|h| !h.is_empty()) {
        None => target.defaults.get_or_init(|| default_headers(session, None, &target.host)).clone(),
        own => default_headers(session, own, &target.host),
    };
    if let Some(auth) = &hop.auth {
        if !h.contains_key(header::AUTHORIZATION) {
            h.insert(header::AUTHORIZATION, auth.header_value()?);
        }
    }
    // One Cookie header: the request's own, the session's, the jar's
    // (nothing to merge, and no lookup, when there is none of the three).
    let jar = session.jar.header_for(&hop.url);
    let own_headers = !session.headers.is_empty() || hop.headers.as_ref().is_some_and(|h| !h.is_empty());
    if own_headers || jar.is_some() || !session.cookies.is_empty() {
        merge_cookies(&mut h, session, jar)?;
    }
    if session.connector.force_close() {
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(h)
}

/// The session's headers, `own` over them, then Host, Accept,
/// Accept-Encoding and User-Agent where missing.
fn default_headers(session: &SessionInner, own: Option<&HeaderMap>, host: &HeaderValue) -> HeaderMap {
    // Sized up front for the defaults added below: growing a HeaderMap
    // from empty reallocates its tables on the way.
    let mut h =
        HeaderMap::try_with_capacity(session.headers.len() + own.map_or(0, HeaderMap::len) + 6).unwrap_or_default();
    for (name, value) in &session.headers {
        if !own.is_some_and(|o| o.contains_key(name)) {
            h.append(name, value.clone());
        }
    }
    for (name, value) in own.into_iter().flatten() {
        h.append(name, value.clone());
    }
    h.entry(header::HOST).or_insert_with(|| host.clone());
    h.entry(header::ACCEPT).or_insert(HeaderValue::from_static("*/*"));
    if session.auto_decompress {
        h.entry(header::ACCEPT_ENCODING).or_insert(HeaderValue::from_static("gzip, deflate"));
    }
    h.entry(header::USER_AGENT).or_insert(HeaderValue::from_static(USER_AGENT));
    h
}

fn merge_cookies(h: &mut HeaderMap, session: &SessionInner, jar: Option<HeaderValue>) -> Result<(), ClientError> {
    let mut cookies: Vec<String> =
        h.get(header::COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string).into_iter().collect();
    cookies.extend(session.cookies.iter().map(|(n, v)| format!("{n}={v}")));
    if let Some(jar) = jar {
        cookies.extend(jar.to_str().ok().map(str::to_string));
    }
    if !cookies.is_empty() {
        let v = HeaderValue::from_str(&cookies.join("; "))
            .map_err(|e| ClientError::InvalidHeader(format!("cookie: {e}")))?;
        h.insert(header::COOKIE, v);
    }
    Ok(())
}
