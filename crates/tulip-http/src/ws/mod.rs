//! aiohttp's `session.ws_connect(url)` and `ClientWebSocketResponse`
//! (cargo feature `ws`).

mod connect;

use std::future::{Future, IntoFuture};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_lite::Stream;
pub use tulip_ws::{Role, WSCloseCode, WSMessage, WSMsgType, WebSocket, WebSocketError, WsConfig};

use crate::errors::ClientError;
use crate::request::RequestBuilder;
use crate::BasicAuth;

/// The client's WebSocket (aiohttp's `ClientWebSocketResponse`): what
/// [`ClientSession::ws_connect`](crate::ClientSession::ws_connect) gives.
/// `receive`, `send_str`, `send_bytes`, `send_json`, `ping`,
/// `close(code, message)` and the rest are [`WebSocket`]'s, which it
/// dereferences to; it is a [`Stream`] of messages too. The handshake's
/// status and headers stay readable.
///
/// ```
/// use tulip::http::{ClientSession, WSMessage};
/// use tulip::web::{self, Application, Request, WebSocketResponse};
///
/// async fn upper(request: Request) -> web::Result<WebSocketResponse> {
///     let mut ws = WebSocketResponse::new();
///     ws.prepare(&request).await?;
///     while let Ok(WSMessage::Text(t)) = ws.receive().await {
///         ws.send_str(&t.to_uppercase()).await.ok();
///     }
///     Ok(ws)
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/upper", upper)]);
/// tulip::run(async {
///     let server = web::TestServer::start(app).await.unwrap();
///     let session = ClientSession::new();
///     let url = server.make_url("/upper").replace("http://", "ws://");
///     let ws = session.ws_connect(url).await.unwrap();
///     assert_eq!(ws.status(), 101);
///     ws.send_str("shout").await.unwrap();
///     assert_eq!(ws.receive_str().await.unwrap(), "SHOUT");
///     assert!(ws.close(1000, "").await.unwrap());
///     session.close().await;
///     server.close().await.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct ClientWebSocketResponse {
    ws: WebSocket,
    status: http::StatusCode,
    headers: http::HeaderMap,
}

impl ClientWebSocketResponse {
    /// The handshake's status (101; the type's example reads it).
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The handshake's response headers (the type's example reads one).
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
}

impl Deref for ClientWebSocketResponse {
    type Target = WebSocket;

    fn deref(&self) -> &WebSocket {
        &self.ws
    }
}

impl DerefMut for ClientWebSocketResponse {
    fn deref_mut(&mut self) -> &mut WebSocket {
        &mut self.ws
    }
}

impl Stream for ClientWebSocketResponse {
    type Item = WSMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WSMessage>> {
        Pin::new(&mut self.ws).poll_next(cx)
    }
}

/// A WebSocket connection being set up (aiohttp's `ws_connect` keyword
/// arguments, as builder methods); `.await` it. `ws://` and `wss://` URLs
/// go over the session's connector as `http://` and `https://` do, with
/// its headers, cookies, auth and timeout.
///
/// ```
/// use std::time::Duration;
/// # tulip::run(async {
/// let session = tulip::http::ClientSession::new();
/// let pending = session
///     .ws_connect("ws://127.0.0.1:9/chat")
///     .protocols(["chat"])
///     .heartbeat(Duration::from_secs(30))
///     .max_msg_size(1 << 20)
///     .header("x-token", "t");
/// assert!(pending.await.unwrap_err().is_connection());
/// session.close().await;
/// # });
/// ```
#[derive(Debug)]
pub struct WsConnect {
    pub(crate) req: RequestBuilder,
    pub(crate) protocols: Vec<String>,
    pub(crate) origin: Option<String>,
    pub(crate) cfg: WsConfig,
}

impl WsConnect {
    /// The subprotocols offered (`Sec-WebSocket-Protocol`); the server
    /// picks one, or none.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").protocols(["chat", "superchat"]);
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn protocols<I, S>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a header to the handshake request.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").header("x-token", "t");
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        http::HeaderName: TryFrom<K>,
        <http::HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        http::HeaderValue: TryFrom<V>,
        <http::HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.req = self.req.header(name, value);
        self
    }

    /// Query parameters added to the URL.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").params([("room", "1")]);
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn params<I, K, V, P>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: std::borrow::Borrow<(K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.req = self.req.params(params);
        self
    }

    /// Basic auth for the handshake.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").auth(tulip::http::BasicAuth::new("user", "pass"));
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn auth(mut self, auth: BasicAuth) -> Self {
        self.req = self.req.auth(auth);
        self
    }

    /// The `Origin` header.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").origin("https://example.com");
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Pings after `every` without a message, and drops the connection
    /// (1006) when no answer comes within half of it.
    ///
    /// ```
    /// use std::time::Duration;
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").heartbeat(Duration::from_secs(30));
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn heartbeat(mut self, every: Duration) -> Self {
        self.cfg.heartbeat = Some(every);
        self
    }

    /// How long one `receive` may wait (aiohttp's `ClientWSTimeout(ws_receive=)`).
    ///
    /// ```
    /// use std::time::Duration;
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").receive_timeout(Duration::from_secs(5));
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn receive_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.receive_timeout = Some(timeout);
        self
    }

    /// How long `close` waits for the server's close (aiohttp's
    /// `ClientWSTimeout(ws_close=)`, 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").close_timeout(Duration::from_secs(2));
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.cfg.close_timeout = timeout;
        self
    }

    /// The largest message accepted (4 MiB; 0: no limit); a larger one
    /// is closed with 1009.
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").max_msg_size(64 * 1024);
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn max_msg_size(mut self, bytes: usize) -> Self {
        self.cfg.max_msg_size = bytes;
        self
    }

    /// Whether pings are answered and pongs swallowed (true).
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").autoping(false);
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn autoping(mut self, yes: bool) -> Self {
        self.cfg.autoping = yes;
        self
    }

    /// Whether the server's close is answered at once (true).
    ///
    /// ```
    /// # tulip::run(async {
    /// let session = tulip::http::ClientSession::new();
    /// let pending = session.ws_connect("ws://127.0.0.1:9/chat").autoclose(false);
    /// assert!(pending.await.unwrap_err().is_connection());
    /// # session.close().await;
    /// # });
    /// ```
    pub fn autoclose(mut self, yes: bool) -> Self {
        self.cfg.autoclose = yes;
        self
    }
}

impl IntoFuture for WsConnect {
    type Output = Result<ClientWebSocketResponse, ClientError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(connect::run(self))
    }
}
