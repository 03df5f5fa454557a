//! The public handle of one WebSocket connection: aiohttp's methods, and
//! async iteration as a `Stream`.

use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use async_tungstenite::tungstenite::Message;
use bytes::Bytes;
use futures_lite::Stream;

use crate::shared::{BoxIo, Shared};
use crate::{WSMessage, WebSocketError, WsConfig};

/// Which end of the connection this is (the client masks its frames).
pub use async_tungstenite::tungstenite::protocol::Role;

type Next = Pin<Box<dyn Future<Output = Result<WSMessage, WebSocketError>>>>;

/// One WebSocket connection with aiohttp's API, shared by the server's
/// `WebSocketResponse` and the client's `ClientWebSocketResponse` (both
/// dereference to it). Clones are handles on the same connection: one
/// task may receive while others send.
///
/// As an async iterator (aiohttp's `async for msg in ws`) it is a
/// [`Stream`] of messages that ends at the close: CLOSE, CLOSING and
/// CLOSED end it; an error is yielded as an `ERROR` message, then it ends.
///
/// ```
/// use futures_lite::StreamExt;
/// use tulip::web::{self, Application, Request, WSMessage, WebSocketResponse};
///
/// async fn echo(request: Request) -> web::Result<WebSocketResponse> {
///     let mut ws = WebSocketResponse::new();
///     ws.prepare(&request).await?;
///     while let Some(msg) = ws.next().await {
///         if let WSMessage::Text(t) = msg {
///             ws.send_str(&format!("echo: {t}")).await.ok();
///         }
///     }
///     Ok(ws)
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/ws", echo)]);
/// tulip::run(async {
///     let server = web::TestServer::start(app).await.unwrap();
///     let session = tulip::http::ClientSession::new();
///     let ws = session.ws_connect(server.make_url("/ws")).await.unwrap();
///     ws.send_str("hi").await.unwrap();
///     assert_eq!(ws.receive().await.unwrap(), WSMessage::Text("echo: hi".into()));
///     ws.close(1000, "done").await.unwrap();
///     assert_eq!(ws.close_code(), Some(1000));
///     session.close().await;
///     server.close().await.unwrap();
/// });
/// ```
pub struct WebSocket {
    shared: Rc<Shared>,
    next: Option<Next>,
    ended: bool,
}

impl Clone for WebSocket {
    fn clone(&self) -> Self {
        WebSocket { shared: self.shared.clone(), next: None, ended: false }
    }
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("prepared", &self.prepared())
            .field("closed", &self.closed())
            .field("close_code", &self.close_code())
            .finish_non_exhaustive()
    }
}

impl Default for WebSocket {
    fn default() -> Self {
        WebSocket { shared: Rc::new(Shared::new()), next: None, ended: false }
    }
}

impl WebSocket {
    /// A connection not yet attached to a stream: every call but the
    /// accessors fails with "Call .prepare() first" until [`attach`](Self::attach).
    ///
    /// ```
    /// # tulip::run(async {
    /// let ws = tulip::web::WebSocket::new();
    /// assert!(!ws.prepared());
    /// assert!(ws.send_str("hi").await.is_err(), "not attached yet");
    /// # });
    /// ```
    pub fn new() -> Self {
        WebSocket::default()
    }

    /// Starts the connection over `io` after a completed handshake;
    /// `read` holds bytes already read past the handshake. The server's
    /// `prepare` and the client's `ws_connect` call it.
    ///
    /// ```
    /// use tulip::web::{Role, WebSocket, WsConfig};
    /// tulip::run(async {
    ///     // Two ends whose handshake is taken as done: a socket pair.
    ///     let (a, b) = tulip::UnixStream::pair().unwrap();
    ///     let (server, client) = (WebSocket::new(), WebSocket::new());
    ///     server.attach(Box::new(a), Vec::new(), Role::Server, None, WsConfig::default()).await;
    ///     client.attach(Box::new(b), Vec::new(), Role::Client, None, WsConfig::default()).await;
    ///     client.send_str("hi").await.unwrap();
    ///     assert_eq!(server.receive_str().await.unwrap(), "hi");
    /// });
    /// ```
    pub async fn attach(&self, io: BoxIo, read: Vec<u8>, role: Role, protocol: Option<String>, cfg: WsConfig) {
        *self.shared.protocol.borrow_mut() = protocol;
        self.shared.attach(io, read, role, cfg).await;
        if let Some(t) = crate::heartbeat::start(&self.shared) {
            *self.shared.heartbeat.borrow_mut() = Some(t);
        }
    }

    /// Whether the connection is attached (aiohttp's `prepared`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// assert!(server.prepared() && client.prepared());
    /// assert!(!tulip::web::WebSocket::new().prepared());
    /// # });
    /// ```
    pub fn prepared(&self) -> bool {
        self.shared.prepared()
    }

    /// Whether this side closed, or the connection failed (aiohttp's `closed`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// assert!(!client.closed());
    /// let peer = tulip::create_task(async move { server.receive().await });
    /// client.close(1000, "").await.unwrap();
    /// assert!(client.closed());
    /// # drop(peer);
    /// # });
    /// ```
    pub fn closed(&self) -> bool {
        self.shared.closed()
    }

    /// The close code (aiohttp's `close_code`): the peer's when it closed
    /// first or answered our close, ours after an error (1009 for a
    /// message too big), 1006 when the connection broke.
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// let peer = tulip::create_task(async move { server.receive().await });
    /// client.close(4000, "done").await.unwrap();
    /// assert_eq!(client.close_code(), Some(4000)); // the server's answer echoes it
    /// # drop(peer);
    /// # });
    /// ```
    pub fn close_code(&self) -> Option<u16> {
        self.shared.close_code()
    }

    /// The subprotocol both ends agreed on (aiohttp's `ws_protocol` /
    /// `protocol`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// assert_eq!(client.protocol(), None); // none was negotiated
    /// # drop(server);
    /// # });
    /// ```
    pub fn protocol(&self) -> Option<String> {
        self.shared.protocol.borrow().clone()
    }

    /// What broke the connection, if something did (aiohttp's `exception()`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// assert!(server.exception().is_none());
    /// # drop(client);
    /// # });
    /// ```
    pub fn exception(&self) -> Option<WebSocketError> {
        self.shared.exception()
    }

    /// The next message (aiohttp's `await ws.receive()`), within
    /// `receive_timeout` if one was set. Pings are answered and pongs
    /// dropped (autoping); the peer's close is answered (autoclose) and
    /// returned as CLOSE; then CLOSED. An error fails the fifth read of a
    /// closed connection, a second concurrent receive, and a timeout.
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.send_str("hi").await.unwrap();
    /// assert_eq!(server.receive().await.unwrap(), tulip::web::WSMessage::Text("hi".into()));
    /// # });
    /// ```
    pub async fn receive(&self) -> Result<WSMessage, WebSocketError> {
        self.shared.receive(self.shared.cfg.get().receive_timeout).await
    }

    /// [`receive`](Self::receive) with its own timeout (aiohttp's
    /// `receive(timeout)`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// let got = server.receive_timeout(std::time::Duration::from_millis(10)).await;
    /// assert!(matches!(got, Err(tulip::web::WebSocketError::Timeout(_))));
    /// # drop(client);
    /// # });
    /// ```
    pub async fn receive_timeout(&self, timeout: Duration) -> Result<WSMessage, WebSocketError> {
        self.shared.receive(Some(timeout)).await
    }

    /// The next message's text; an error if it is not TEXT (aiohttp's
    /// `receive_str`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.send_str("text").await.unwrap();
    /// assert_eq!(server.receive_str().await.unwrap(), "text");
    /// client.send_bytes(vec![1u8]).await.unwrap();
    /// assert!(server.receive_str().await.is_err());
    /// # });
    /// ```
    pub async fn receive_str(&self) -> Result<String, WebSocketError> {
        match self.receive().await? {
            WSMessage::Text(t) => Ok(t),
            other => Err(WebSocketError::MessageType(format!("Received message {other:?} is not WSMsgType.TEXT"))),
        }
    }

    /// The next message's bytes; an error if it is not BINARY (aiohttp's
    /// `receive_bytes`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.send_bytes(&b"\x00\x01"[..]).await.unwrap();
    /// assert_eq!(server.receive_bytes().await.unwrap(), &b"\x00\x01"[..]);
    /// # });
    /// ```
    pub async fn receive_bytes(&self) -> Result<Bytes, WebSocketError> {
        match self.receive().await? {
            WSMessage::Binary(b) => Ok(b),
            other => Err(WebSocketError::MessageType(format!("Received message {other:?} is not WSMsgType.BINARY"))),
        }
    }

    /// The next TEXT message as JSON (aiohttp's `receive_json`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.send_json(&serde_json::json!({"n": 1})).await.unwrap();
    /// let v: serde_json::Value = server.receive_json().await.unwrap();
    /// assert_eq!(v["n"], 1);
    /// # });
    /// ```
    pub async fn receive_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, WebSocketError> {
        let text = self.receive_str().await?;
        serde_json::from_str(&text).map_err(|e| WebSocketError::Json(e.to_string()))
    }

    /// Sends a TEXT message (aiohttp's `send_str`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// server.send_str("hello").await.unwrap();
    /// assert_eq!(client.receive_str().await.unwrap(), "hello");
    /// # });
    /// ```
    pub async fn send_str(&self, data: &str) -> Result<(), WebSocketError> {
        self.shared.send(Message::text(data)).await
    }

    /// Sends a BINARY message (aiohttp's `send_bytes`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// server.send_bytes(vec![0u8, 255]).await.unwrap();
    /// assert_eq!(client.receive_bytes().await.unwrap(), &[0u8, 255][..]);
    /// # });
    /// ```
    pub async fn send_bytes(&self, data: impl Into<Bytes>) -> Result<(), WebSocketError> {
        self.shared.send(Message::binary(data.into())).await
    }

    /// Sends `value` as JSON in a TEXT message (aiohttp's `send_json`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// server.send_json(&vec![1, 2]).await.unwrap();
    /// assert_eq!(client.receive_str().await.unwrap(), "[1,2]");
    /// # });
    /// ```
    pub async fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<(), WebSocketError> {
        let text = serde_json::to_string(value).map_err(|e| WebSocketError::Json(e.to_string()))?;
        self.send_str(&text).await
    }

    /// Sends a PING (aiohttp's `ping`); the peer's PONG is swallowed under
    /// autoping.
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.ping(&b"hey"[..]).await.unwrap();
    /// let answering = tulip::create_task(async move { server.receive().await });
    /// // Under autoping the pong is not returned: the next message is.
    /// let reader = client.clone();
    /// let next = tulip::create_task(async move { reader.receive().await });
    /// client.close(1000, "").await.ok();
    /// # drop((answering, next));
    /// # });
    /// ```
    pub async fn ping(&self, data: impl Into<Bytes>) -> Result<(), WebSocketError> {
        self.shared.send(Message::Ping(data.into())).await
    }

    /// Sends an unsolicited PONG (aiohttp's `pong`).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// client.pong(&b"unasked"[..]).await.unwrap();
    /// client.send_str("after").await.unwrap();
    /// assert_eq!(server.receive_str().await.unwrap(), "after"); // the pong was swallowed
    /// # });
    /// ```
    pub async fn pong(&self, data: impl Into<Bytes>) -> Result<(), WebSocketError> {
        self.shared.send(Message::Pong(data.into())).await
    }

    /// Closes the connection (aiohttp's `close(code=, message=)`): sends
    /// the close frame, waits up to `close_timeout` for the peer's, then
    /// closes the socket. A receive waiting in another task returns
    /// CLOSING first. `Ok(false)` if it was already closed.
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// let peer = tulip::create_task(async move { server.receive().await.unwrap() });
    /// assert!(client.close(1000, "bye").await.unwrap());
    /// assert!(!client.close(1000, "").await.unwrap());
    /// assert_eq!(peer.await.unwrap().close_code(), Some(1000));
    /// # });
    /// ```
    pub async fn close(&self, code: u16, message: &str) -> Result<bool, WebSocketError> {
        self.shared.close(code, message).await
    }

    /// Waits until the connection's socket is closed (by either end, or a
    /// failure).
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// let peer = tulip::create_task(async move { server.receive().await });
    /// client.close(1000, "").await.unwrap();
    /// client.wait_closed().await;
    /// # drop(peer);
    /// # });
    /// ```
    pub async fn wait_closed(&self) {
        self.shared.done.wait().await;
    }

    /// A handle that does not keep the connection open.
    ///
    /// ```
    /// # tulip::run(async {
    /// let (server, client) = tulip::web::__ws_doc::pair().await;
    /// let weak = client.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(client);
    /// assert!(weak.upgrade().is_none());
    /// weak.wait_closed().await;
    /// # drop(server);
    /// # });
    /// ```
    pub fn downgrade(&self) -> WeakWebSocket {
        WeakWebSocket(Rc::downgrade(&self.shared), self.shared.done.clone())
    }
}

/// A [`WebSocket`] handle that does not keep it alive (the server's
/// shutdown holds these to close each connection with 1001).
#[derive(Clone, Debug)]
pub struct WeakWebSocket(Weak<Shared>, Rc<tulip_sync::Event>);

impl WeakWebSocket {
    /// Waits until the connection's socket is closed, or every strong
    /// handle is gone.
    pub async fn wait_closed(&self) {
        self.1.wait().await;
    }

    /// The connection, if a strong handle still holds it.
    pub fn upgrade(&self) -> Option<WebSocket> {
        self.0.upgrade().map(|shared| WebSocket { shared, next: None, ended: false })
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl Stream for WebSocket {
    type Item = WSMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WSMessage>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        let next = this.next.get_or_insert_with(|| {
            let shared = this.shared.clone();
            Box::pin(async move { shared.receive(shared.cfg.get().receive_timeout).await })
        });
        let Poll::Ready(r) = next.as_mut().poll(cx) else { return Poll::Pending };
        this.next = None;
        match r {
            Ok(WSMessage::Close { .. } | WSMessage::Closing | WSMessage::Closed) => {
                this.ended = true;
                Poll::Ready(None)
            }
            Ok(m) => Poll::Ready(Some(m)),
            Err(e) => {
                this.ended = true;
                Poll::Ready(Some(WSMessage::Error(e)))
            }
        }
    }
}
