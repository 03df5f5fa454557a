//! The client's opening handshake: a fresh connection from the session's
//! connector, the upgrade request through hyper (the session's headers,
//! cookies and auth), hyper's connection taken apart after the 101 (its
//! own upgrade API needs a `Send` socket), then tungstenite's framing.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use http::header::{self, HeaderValue};
use http::Method;
use tulip_hyper::HyperIo;
use tulip_ws::{ws_check_response, ws_new_key, BoxIo, Role, WebSocket};

use super::{ClientWebSocketResponse, WsConnect};
use crate::body::SendBody;
use crate::errors::{ClientError, ClientResponseError};
use crate::hyper_errors::request_error;
use crate::open::Opened;
use crate::redirect::Hop;
use crate::request::{RequestUrl, UrlInput};
use crate::send::{build, request_headers};
use crate::timeout::{deadline_after, until};
use crate::BasicAuth;

/// `ws://` and `wss://` as the connector knows them.
fn http_scheme(url: RequestUrl) -> RequestUrl {
    let RequestUrl::Given(url) = url else { return url };
    RequestUrl::Given(match url {
        UrlInput::Text(t) => UrlInput::Text(match t.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("ws") => format!("http://{rest}"),
            Some((s, rest)) if s.eq_ignore_ascii_case("wss") => format!("https://{rest}"),
            _ => t,
        }),
        UrlInput::Url(mut u) => {
            let to = match u.scheme() {
                "ws" => Some("http"),
                "wss" => Some("https"),
                _ => None,
            };
            if let Some(to) = to {
                let _ = u.set_scheme(to);
            }
            UrlInput::Url(u)
        }
    })
}

pub(super) async fn run(mut c: WsConnect) -> Result<ClientWebSocketResponse, ClientError> {
    let session = Rc::clone(&c.req.session);
    if session.closed.get() {
        return Err(ClientError::SessionClosed);
    }
    if let Some(e) = c.req.extras.as_mut().and_then(|x| x.error.take()) {
        return Err(e);
    }
    c.req.url = http_scheme(std::mem::replace(&mut c.req.url, RequestUrl::Given(UrlInput::Text(String::new()))));
    let mut url = c.req.resolve_url()?;
    let x = c.req.extras();
    let auth = x.auth.take().or_else(|| BasicAuth::from_url(&url)).or_else(|| session.auth.clone());
    let (timeout, headers) = (x.timeout, std::mem::take(&mut x.headers));
    if !url.username().is_empty() || url.password().is_some() {
        let url = Rc::make_mut(&mut url);
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    let timeout = timeout.unwrap_or(session.timeout);
    let hop = Hop { method: Method::GET, url, headers: Some(headers), body: None, auth };
    let total = timeout.total.unwrap_or_default();
    let handshake = std::pin::pin!(handshake(&session, &hop, &c, timeout.sock_connect.or(timeout.connect)));
    until(deadline_after(timeout.total), handshake, || ClientError::Timeout(total)).await
}

async fn handshake(
    session: &crate::session::SessionInner,
    hop: &Hop,
    c: &WsConnect,
    sock_connect: Option<std::time::Duration>,
) -> Result<ClientWebSocketResponse, ClientError> {
    let url = &hop.url;
    let target = session.targets.get(url, None)?;
    let mut headers = request_headers(session, hop, &target)?;
    let key = ws_new_key();
    let value =
        |v: &str| HeaderValue::try_from(v).map_err(|e| ClientError::InvalidHeader(format!("websocket handshake: {e}")));
    headers.entry(header::UPGRADE).or_insert(HeaderValue::from_static("websocket"));
    // Replaces a `Connection: close` that a force-closing connector adds.
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.entry(header::SEC_WEBSOCKET_VERSION).or_insert(HeaderValue::from_static("13"));
    headers.insert(header::SEC_WEBSOCKET_KEY, value(&key)?);
    if !c.protocols.is_empty() {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, value(&c.protocols.join(","))?);
    }
    if let Some(origin) = &c.origin {
        headers.insert(header::ORIGIN, value(origin)?);
    }
    let io: BoxIo = match session.connector.open_stream(&target.key, sock_connect, false).await? {
        Opened::Unix(s) => Box::new(s),
        Opened::Tcp(s) => Box::new(s),
        Opened::Tls(s, _) => s,
        Opened::Custom(s) => Box::new(s),
        Opened::CustomTls(s, _) => s,
    };
    let req = build(&Method::GET, target.origin.clone(), headers, SendBody::empty());
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, SendBody>(HyperIo::new(io))
        .await
        .map_err(|e| request_error(e, url))?;
    let mut conn = pin!(conn.without_shutdown());
    let mut send = pin!(async move {
        let r = sender.send_request(req).await;
        // No second request: after the answer hyper's connection ends.
        drop(sender);
        r
    });
    let mut parts = None;
    let res = futures_lite::future::poll_fn(|cx| {
        if parts.is_none() {
            if let Poll::Ready(p) = conn.as_mut().poll(cx) {
                parts = Some(p);
            }
        }
        send.as_mut().poll(cx)
    })
    .await
    .map_err(|e| request_error(e, url))?;
    session.jar.store_from(url, res.headers());
    let status = res.status();
    let protocol = ws_check_response(status.as_u16(), res.headers(), &key, &c.protocols).map_err(|why| {
        ClientError::WSServerHandshake(ClientResponseError {
            status: status.as_u16(),
            message: why.into(),
            headers: Some(Box::new(res.headers().clone())),
            url: url.to_string(),
        })
    })?;
    let parts = match parts {
        Some(p) => p,
        None => conn.await,
    }
    .map_err(|e| request_error(e, url))?;
    let (headers, io, read) = (res.headers().clone(), parts.io.into_inner(), parts.read_buf);
    let ws = WebSocket::new();
    ws.attach(io, read.to_vec(), Role::Client, protocol, c.cfg).await;
    Ok(ClientWebSocketResponse { ws, status, headers })
}
