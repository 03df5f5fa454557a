//! aiohttp's `web.WebSocketResponse` (cargo feature `ws`).

mod upgrade;

use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_lite::Stream;
use http::StatusCode;
pub use tulip_ws::{
    ws_accept_key, ws_check_response, ws_new_key, ws_server_handshake, BoxIo, Role, WSCloseCode, WSMessage, WSMsgType,
    WeakWebSocket, WebSocket, WebSocketError, WsConfig, WsIo,
};
pub(crate) use upgrade::{hand_over, Handoff};

#[doc(hidden)]
pub mod __doc {
    //! Hidden support for the doc examples: two connected ends.
    use super::{Role, WebSocket, WsConfig};

    /// A server and a client end over a Unix socket pair.
    pub async fn pair() -> (WebSocket, WebSocket) {
        #[allow(clippy::expect_used)]
        let (a, b) = tulip_net::UnixStream::pair().expect("a socket pair");
        let (server, client) = (WebSocket::new(), WebSocket::new());
        server.attach(Box::new(a), Vec::new(), Role::Server, None, WsConfig::default()).await;
        client.attach(Box::new(b), Vec::new(), Role::Client, None, WsConfig::default()).await;
        (server, client)
    }
}

use crate::body::ResBody;
use crate::{HTTPException, Request, Response};

/// A WebSocket on the server (aiohttp's `web.WebSocketResponse`): make it,
/// `prepare(&request)` answers the upgrade (101) and takes the connection
/// over; then `receive`, `send_str`, `send_bytes`, `send_json`, `ping`,
/// `close(code, message)` (see [`WebSocket`], which it dereferences to),
/// or iterate it as a [`Stream`] of messages; return it from the handler
/// when done.
///
/// aiohttp's defaults: autoping, autoclose, no heartbeat, 4 MiB
/// `max_msg_size` (a bigger message is closed with 1009), close timeout
/// 10 s. At the server's shutdown every WebSocket still open is closed
/// with 1001 (GOING_AWAY) "Server shutdown".
///
/// ```
/// use futures_lite::StreamExt;
/// use tulip::web::{self, Application, Request, WSMessage, WebSocketResponse};
///
/// async fn chat(request: Request) -> web::Result<WebSocketResponse> {
///     let mut ws = WebSocketResponse::new().with_protocols(["chat"]);
///     ws.prepare(&request).await?;
///     while let Some(msg) = ws.next().await {
///         match msg {
///             WSMessage::Text(t) if t == "close" => {
///                 ws.close(1000, "bye").await.ok();
///             }
///             WSMessage::Text(t) => ws.send_str(&format!("{t}/answer")).await.unwrap_or(()),
///             WSMessage::Binary(b) => ws.send_bytes(b).await.unwrap_or(()),
///             _ => {}
///         }
///     }
///     Ok(ws)
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/ws", chat)]);
/// tulip::run(async {
///     let server = web::TestServer::start(app).await.unwrap();
///     let session = tulip::http::ClientSession::new();
///     let ws = session.ws_connect(server.make_url("/ws")).protocols(["chat"]).await.unwrap();
///     assert_eq!(ws.protocol().as_deref(), Some("chat"));
///     ws.send_str("question").await.unwrap();
///     assert_eq!(ws.receive_str().await.unwrap(), "question/answer");
///     ws.send_str("close").await.unwrap();
///     let msg = ws.receive().await.unwrap();
///     assert_eq!(msg, WSMessage::Close { code: 1000, message: "bye".into() });
///     session.close().await;
///     server.close().await.unwrap();
/// });
/// ```
#[derive(Debug, Default)]
pub struct WebSocketResponse {
    ws: WebSocket,
    cfg: WsConfig,
    protocols: Vec<String>,
    handoff: Option<Rc<Handoff>>,
}

impl Drop for WebSocketResponse {
    /// A handler returning its WebSocket still open: the connection
    /// closes it (1000), as aiohttp does after the handler.
    fn drop(&mut self) {
        if let Some(h) = self.handoff.take() {
            if self.ws.prepared() && !self.ws.closed() {
                h.returned(self.ws.clone());
            }
        }
    }
}

impl WebSocketResponse {
    /// A WebSocket with aiohttp's defaults, not yet prepared.
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new();
    /// assert!(ws.config().autoping && ws.protocols().is_empty());
    /// ```
    pub fn new() -> Self {
        WebSocketResponse::default()
    }

    /// With these options (aiohttp's keyword arguments).
    ///
    /// ```
    /// use tulip::web::{WebSocketResponse, WsConfig};
    /// let ws = WebSocketResponse::with_config(WsConfig { max_msg_size: 1024, ..WsConfig::default() });
    /// assert_eq!(ws.config().max_msg_size, 1024);
    /// ```
    pub fn with_config(cfg: WsConfig) -> Self {
        WebSocketResponse { cfg, ws: WebSocket::new(), protocols: Vec::new(), handoff: None }
    }

    /// The subprotocols this server speaks (aiohttp's `protocols=`): the
    /// client's first that is among them is chosen.
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new().with_protocols(["v2.chat", "v1.chat"]);
    /// assert_eq!(ws.protocols(), ["v2.chat", "v1.chat"]);
    /// ```
    pub fn with_protocols<I, S>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Pings after `every` without a message, and drops the connection
    /// (1006) when no answer comes within half of it (aiohttp's `heartbeat=`).
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new().with_heartbeat(std::time::Duration::from_secs(30));
    /// assert_eq!(ws.config().heartbeat, Some(std::time::Duration::from_secs(30)));
    /// ```
    pub fn with_heartbeat(mut self, every: Duration) -> Self {
        self.cfg.heartbeat = Some(every);
        self
    }

    /// How long one `receive` may wait (aiohttp's `receive_timeout=`).
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new().with_receive_timeout(std::time::Duration::from_secs(5));
    /// assert_eq!(ws.config().receive_timeout, Some(std::time::Duration::from_secs(5)));
    /// ```
    pub fn with_receive_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.receive_timeout = Some(timeout);
        self
    }

    /// The largest message accepted (aiohttp's `max_msg_size=`, 4 MiB; 0:
    /// no limit).
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new().with_max_msg_size(64 * 1024);
    /// assert_eq!(ws.config().max_msg_size, 65536);
    /// ```
    pub fn with_max_msg_size(mut self, bytes: usize) -> Self {
        self.cfg.max_msg_size = bytes;
        self
    }

    /// The options.
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new();
    /// assert_eq!(ws.config().max_msg_size, 4 * 1024 * 1024);
    /// ```
    pub fn config(&self) -> &WsConfig {
        &self.cfg
    }

    /// The subprotocols offered.
    ///
    /// ```
    /// let ws = tulip::web::WebSocketResponse::new().with_protocols(["chat"]);
    /// assert_eq!(ws.protocols(), ["chat"]);
    /// ```
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Whether `request` is a WebSocket handshake this server would
    /// accept, and the subprotocol it would choose (aiohttp's
    /// `can_prepare`).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient, WebSocketResponse};
    /// let mut app = Application::new();
    /// app.add_routes([web::get("/ws", |req: Request| async move {
    ///     let (ok, protocol) = WebSocketResponse::new().with_protocols(["chat"]).can_prepare(&req);
    ///     Response::text(format!("{ok} {protocol:?}"))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     assert_eq!(client.get("/ws").await.unwrap().text(), "false None", "no handshake");
    ///     let handshake = [
    ///         ("connection", "Upgrade"),
    ///         ("upgrade", "websocket"),
    ///         ("sec-websocket-version", "13"),
    ///         ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ///         ("sec-websocket-protocol", "chat"),
    ///     ];
    ///     let resp = client.request(http::Method::GET, "/ws", &handshake, Default::default()).await.unwrap();
    ///     assert_eq!(resp.text(), r#"true Some("chat")"#);
    ///     client.close().await;
    /// });
    /// ```
    pub fn can_prepare(&self, request: &Request) -> (bool, Option<String>) {
        match ws_server_handshake(request.headers(), &self.protocols) {
            Ok((_, protocol)) => (true, protocol),
            Err(_) => (false, None),
        }
    }

    /// Answers the upgrade with 101 and takes the connection over
    /// (aiohttp's `await ws.prepare(request)`); a request that is no
    /// WebSocket handshake is answered 400 with aiohttp's text (when
    /// returned with `?`). A second call does nothing.
    pub async fn prepare(&mut self, request: &Request) -> Result<(), HTTPException> {
        if self.ws.prepared() {
            return Ok(());
        }
        let (headers, protocol) = ws_server_handshake(request.headers(), &self.protocols)
            .map_err(|text| HTTPException::bad_request().with_text(text))?;
        let handoff = Rc::new(Handoff::default());
        let mut res = hyper::Response::new(ResBody::Upgrade(handoff.clone()));
        *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        *res.headers_mut() = headers;
        *request.0.prepared.borrow_mut() = Some(res);
        let settle = upgrade::Settle(handoff);
        let taken = futures_lite::future::poll_fn(|cx| settle.0.poll_take(cx)).await;
        let Some((io, read)) = taken else {
            return Err(HTTPException::internal_server_error().with_text("the client left before the upgrade"));
        };
        self.ws.attach(io, read.to_vec(), Role::Server, protocol, self.cfg).await;
        settle.0.attached(self.ws.downgrade());
        self.handoff = Some(settle.0.clone());
        Ok(())
    }
}

impl Deref for WebSocketResponse {
    type Target = WebSocket;

    fn deref(&self) -> &WebSocket {
        &self.ws
    }
}

impl DerefMut for WebSocketResponse {
    fn deref_mut(&mut self) -> &mut WebSocket {
        &mut self.ws
    }
}

impl Stream for WebSocketResponse {
    type Item = WSMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WSMessage>> {
        Pin::new(&mut self.ws).poll_next(cx)
    }
}

impl From<WebSocketResponse> for Response {
    /// A prepared WebSocket's answer was its 101; one never prepared is a
    /// handler's mistake, answered 500.
    fn from(ws: WebSocketResponse) -> Self {
        match ws.prepared() {
            true => Response::new(),
            false => Response::from(
                HTTPException::internal_server_error().with_text("WebSocketResponse returned without prepare()"),
            ),
        }
    }
}
