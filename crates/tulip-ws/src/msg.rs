//! aiohttp's `WSMsgType`, `WSMessage` and `WSCloseCode`.

use bytes::Bytes;

use crate::WebSocketError;

/// The kind of a [`WSMessage`] (aiohttp's `WSMsgType`, with its numbers:
/// the frame opcodes, then aiohttp's own 0x100..).
///
/// aiohttp's spellings are associated constants, so
/// `msg.type_() == WSMsgType::TEXT` reads as in Python:
///
/// ```
/// use tulip::web::{WSMessage, WSMsgType};
/// let msg = WSMessage::Text("hi".into());
/// assert_eq!(msg.type_(), WSMsgType::TEXT);
/// assert_eq!(WSMsgType::CLOSED as u16, 0x101);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum WSMsgType {
    /// A continuation frame (never returned: messages arrive whole).
    Continuation = 0x0,
    /// A text message.
    Text = 0x1,
    /// A binary message.
    Binary = 0x2,
    /// The peer's close frame.
    Close = 0x8,
    /// A ping (returned only without autoping).
    Ping = 0x9,
    /// A pong (returned only without autoping).
    Pong = 0xA,
    /// This side is closing (`close` was called from another task).
    Closing = 0x100,
    /// The connection is closed.
    Closed = 0x101,
    /// A protocol or connection error; the connection is then closed.
    Error = 0x102,
}

#[allow(missing_docs)]
impl WSMsgType {
    pub const CONTINUATION: WSMsgType = WSMsgType::Continuation;
    pub const TEXT: WSMsgType = WSMsgType::Text;
    pub const BINARY: WSMsgType = WSMsgType::Binary;
    pub const CLOSE: WSMsgType = WSMsgType::Close;
    pub const PING: WSMsgType = WSMsgType::Ping;
    pub const PONG: WSMsgType = WSMsgType::Pong;
    pub const CLOSING: WSMsgType = WSMsgType::Closing;
    pub const CLOSED: WSMsgType = WSMsgType::Closed;
    pub const ERROR: WSMsgType = WSMsgType::Error;
}

/// One message received (aiohttp's `WSMessage(type, data, extra)`), as an
/// enum: match on it, or compare [`WSMessage::type_`] as in aiohttp.
///
/// ```
/// use tulip::web::WSMessage;
/// let msg = WSMessage::Close { code: 1000, message: "bye".into() };
/// assert_eq!(msg.close_code(), Some(1000));
/// assert_eq!(WSMessage::Text(r#"{"n": 1}"#.into()).json::<serde_json::Value>().unwrap()["n"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WSMessage {
    /// `TEXT`: the text (aiohttp's `msg.data` as `str`).
    Text(String),
    /// `BINARY`: the bytes.
    Binary(Bytes),
    /// `PING` and its payload (only without autoping).
    Ping(Bytes),
    /// `PONG` and its payload (only without autoping).
    Pong(Bytes),
    /// `CLOSE`: the peer's code (0 when its frame had none) and reason
    /// (aiohttp's `data` and `extra`).
    Close {
        /// The close code.
        code: u16,
        /// The reason.
        message: String,
    },
    /// `CLOSING`: `close` was called while this receive waited.
    Closing,
    /// `CLOSED`: nothing more will arrive.
    Closed,
    /// `ERROR`: what went wrong (aiohttp's `data`, an exception).
    Error(WebSocketError),
}

impl WSMessage {
    /// The kind (aiohttp's `msg.type`).
    ///
    /// ```
    /// use tulip::web::{WSMessage, WSMsgType};
    /// assert_eq!(WSMessage::Binary(vec![1].into()).type_(), WSMsgType::Binary);
    /// ```
    pub fn type_(&self) -> WSMsgType {
        match self {
            WSMessage::Text(_) => WSMsgType::Text,
            WSMessage::Binary(_) => WSMsgType::Binary,
            WSMessage::Ping(_) => WSMsgType::Ping,
            WSMessage::Pong(_) => WSMsgType::Pong,
            WSMessage::Close { .. } => WSMsgType::Close,
            WSMessage::Closing => WSMsgType::Closing,
            WSMessage::Closed => WSMsgType::Closed,
            WSMessage::Error(_) => WSMsgType::Error,
        }
    }

    /// The payload's bytes: a text's UTF-8, a binary's, a ping's or pong's;
    /// empty for the others.
    ///
    /// ```
    /// assert_eq!(tulip::web::WSMessage::Text("hé".into()).data(), "hé".as_bytes());
    /// ```
    pub fn data(&self) -> &[u8] {
        match self {
            WSMessage::Text(s) => s.as_bytes(),
            WSMessage::Binary(b) | WSMessage::Ping(b) | WSMessage::Pong(b) => b,
            _ => &[],
        }
    }

    /// The text of a `TEXT` message.
    ///
    /// ```
    /// assert_eq!(tulip::web::WSMessage::Text("hi".into()).text(), Some("hi"));
    /// ```
    pub fn text(&self) -> Option<&str> {
        match self {
            WSMessage::Text(s) => Some(s),
            _ => None,
        }
    }

    /// A `CLOSE` message's code.
    ///
    /// ```
    /// use tulip::web::WSMessage;
    /// assert_eq!(WSMessage::Close { code: 1001, message: "bye".into() }.close_code(), Some(1001));
    /// assert_eq!(WSMessage::Text("hi".into()).close_code(), None);
    /// ```
    pub fn close_code(&self) -> Option<u16> {
        match self {
            WSMessage::Close { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The payload as JSON (aiohttp's `msg.json()`): a text's or a
    /// binary's; an error for other kinds or bad JSON.
    ///
    /// ```
    /// use tulip::web::WSMessage;
    /// let v: serde_json::Value = WSMessage::Text(r#"{"n": 1}"#.into()).json().unwrap();
    /// assert_eq!(v["n"], 1);
    /// assert!(WSMessage::Ping(Default::default()).json::<serde_json::Value>().is_err());
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, WebSocketError> {
        match self {
            WSMessage::Text(_) | WSMessage::Binary(_) => {
                serde_json::from_slice(self.data()).map_err(|e| WebSocketError::Json(e.to_string()))
            }
            other => Err(WebSocketError::MessageType(format!("{:?} is not TEXT or BINARY", other.type_()))),
        }
    }
}

/// The close codes (aiohttp's `WSCloseCode`), for [`close`](crate::WebSocket::close).
///
/// ```
/// use tulip::web::WSCloseCode;
/// assert_eq!(WSCloseCode::GOING_AWAY, 1001);
/// assert_eq!(WSCloseCode::MESSAGE_TOO_BIG, 1009);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WSCloseCode;

#[allow(missing_docs)]
impl WSCloseCode {
    pub const OK: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const UNSUPPORTED_DATA: u16 = 1003;
    pub const ABNORMAL_CLOSURE: u16 = 1006;
    pub const INVALID_TEXT: u16 = 1007;
    pub const POLICY_VIOLATION: u16 = 1008;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    pub const MANDATORY_EXTENSION: u16 = 1010;
    pub const INTERNAL_ERROR: u16 = 1011;
    pub const SERVICE_RESTART: u16 = 1012;
    pub const TRY_AGAIN_LATER: u16 = 1013;
    pub const BAD_GATEWAY: u16 = 1014;
}
