//! What can go wrong on a WebSocket, named as aiohttp raises it.

/// A WebSocket error: the value of an `ERROR` message, or what a call
/// fails with.
///
/// ```
/// use tulip::web::WebSocketError;
/// let e = WebSocketError::Protocol { code: 1009, message: "Message size 10 exceeds limit 4".into() };
/// assert_eq!(e.code(), Some(1009));
/// assert_eq!(WebSocketError::ConnectionReset.to_string(), "Cannot write to closing transport");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebSocketError {
    /// aiohttp's `WebSocketError(code, message)`: the peer broke the
    /// protocol (1002), sent bad UTF-8 (1007) or too big a message (1009);
    /// the connection was closed with `code`.
    #[error("{message}")]
    Protocol {
        /// The close code sent.
        code: u16,
        /// What happened.
        message: String,
    },
    /// aiohttp's `ClientConnectionResetError`: a send on a closed (or
    /// failed) connection.
    #[error("Cannot write to closing transport")]
    ConnectionReset,
    /// `asyncio.TimeoutError`: `receive_timeout` passed, or no pong came
    /// back to a heartbeat's ping.
    #[error("{0}")]
    Timeout(String),
    /// The connection failed (reset, I/O error).
    #[error("connection error: {0}")]
    Connection(String),
    /// aiohttp's `RuntimeError`s: "Call .prepare() first", "Concurrent
    /// call to receive() is not allowed", "WebSocket connection is closed."
    #[error("{0}")]
    Runtime(&'static str),
    /// aiohttp's `WSMessageTypeError`: `receive_str` got another kind.
    #[error("{0}")]
    MessageType(String),
    /// JSON that does not parse or serialise.
    #[error("JSON error: {0}")]
    Json(String),
}

impl WebSocketError {
    /// The close code a protocol error sent.
    pub fn code(&self) -> Option<u16> {
        match self {
            WebSocketError::Protocol { code, .. } => Some(*code),
            _ => None,
        }
    }
}
