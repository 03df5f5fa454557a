//! # tulip-ws — aiohttp's WebSocket connection, on tulip
//!
//! The part of aiohttp's `WebSocketResponse` and `ClientWebSocketResponse`
//! that both ends share: [`WebSocket`] with `receive`, `send_str`,
//! `send_bytes`, `send_json`, `ping`, `close(code, message)`,
//! `close_code`, async iteration, autoping, autoclose, heartbeat,
//! `max_msg_size` (4 MiB) and `receive_timeout`; [`WSMessage`] and
//! [`WSMsgType`]; the handshake's header checks. tungstenite (through
//! async-tungstenite, on futures-io: no runtime of its own) does the
//! framing, masking and UTF-8 checks.
//!
//! Users meet it through `tulip::web::WebSocketResponse` (the server) and
//! `tulip::http::ClientSession::ws_connect` (the client), under the `ws`
//! cargo feature of `tulip-web` and `tulip-http` (on by default in the
//! `tulip` facade). Alone, over any futures-io stream whose handshake
//! was done elsewhere:
//!
//! ```
//! use tulip::web::{Role, WSMessage, WebSocket, WsConfig};
//!
//! tulip::run(async {
//!     let (a, b) = tulip::UnixStream::pair().unwrap();
//!     let (server, client) = (WebSocket::new(), WebSocket::new());
//!     server.attach(Box::new(a), Vec::new(), Role::Server, None, WsConfig::default()).await;
//!     client.attach(Box::new(b), Vec::new(), Role::Client, None, WsConfig::default()).await;
//!     client.send_str("hello").await.unwrap();
//!     assert_eq!(server.receive().await.unwrap(), WSMessage::Text("hello".into()));
//!     let closing = tulip::create_task(async move { server.receive().await.unwrap() });
//!     client.close(1000, "bye").await.unwrap();
//!     assert_eq!(closing.await.unwrap(), WSMessage::Close { code: 1000, message: "bye".into() });
//!     assert_eq!(client.close_code(), Some(1000));
//! });
//! ```

mod config;
mod error;
mod handshake;
mod heartbeat;
mod msg;
mod shared;
mod websocket;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use config::WsConfig;
pub use error::WebSocketError;
pub use handshake::{ws_accept_key, ws_check_response, ws_new_key, ws_server_handshake};
pub use msg::{WSCloseCode, WSMessage, WSMsgType};
pub use shared::{BoxIo, WsIo};
pub use websocket::{Role, WeakWebSocket, WebSocket};
