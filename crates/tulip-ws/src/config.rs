//! A WebSocket's options, with aiohttp's defaults.

use std::time::Duration;

/// The options both ends share (aiohttp's keyword arguments of
/// `WebSocketResponse(...)` and `ws_connect(...)`).
///
/// ```
/// let cfg = tulip::web::WsConfig::default();
/// assert_eq!(cfg.max_msg_size, 4 * 1024 * 1024);
/// assert!(cfg.autoping && cfg.autoclose && cfg.heartbeat.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WsConfig {
    /// How long `close` waits for the peer's close frame (aiohttp's
    /// `timeout`, 10 s).
    pub close_timeout: Duration,
    /// How long one `receive` may wait (None: for ever).
    pub receive_timeout: Option<Duration>,
    /// Answer the peer's close at once, and return its CLOSE (True).
    pub autoclose: bool,
    /// Answer pings and swallow pongs (True); without it, PING and PONG
    /// messages are returned (pings are answered all the same).
    pub autoping: bool,
    /// Ping after this long without a message; close with 1006 when no
    /// pong comes within half of it (None: no heartbeat).
    pub heartbeat: Option<Duration>,
    /// The largest message accepted; a larger one closes with 1009 (4 MiB;
    /// 0: no limit).
    pub max_msg_size: usize,
}

impl Default for WsConfig {
    fn default() -> Self {
        WsConfig {
            close_timeout: Duration::from_secs(10),
            receive_timeout: None,
            autoclose: true,
            autoping: true,
            heartbeat: None,
            max_msg_size: 4 * 1024 * 1024,
        }
    }
}

impl WsConfig {
    /// tungstenite's limits for these options.
    pub(crate) fn tungstenite(&self) -> async_tungstenite::tungstenite::protocol::WebSocketConfig {
        let max = (self.max_msg_size > 0).then_some(self.max_msg_size);
        async_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .max_message_size(max)
            .max_frame_size(max)
            .read_buffer_size(16 * 1024)
    }
}
