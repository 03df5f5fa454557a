//! The opening handshake's headers (RFC 6455 section 4), checked as
//! aiohttp checks them; tungstenite computes the keys.

use base64::Engine;
use http::header::{CONNECTION, UPGRADE};
use http::{HeaderMap, HeaderValue};

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
///
/// ```
/// // RFC 6455's example.
/// assert_eq!(tulip::web::ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn ws_accept_key(key: &str) -> String {
    async_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes())
}

/// A fresh random `Sec-WebSocket-Key`.
///
/// ```
/// let key = tulip::web::ws_new_key();
/// assert_eq!(key.len(), 24, "16 random bytes in base64");
/// assert_ne!(key, tulip::web::ws_new_key());
/// ```
pub fn ws_new_key() -> String {
    async_tungstenite::tungstenite::handshake::client::generate_key()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn has_token(h: &HeaderMap, name: http::HeaderName, token: &str) -> bool {
    h.get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The server's answer to an upgrade request: the 101's headers and the
/// subprotocol chosen (the client's first that the server knows), or
/// aiohttp's 400 text for a request that is no WebSocket handshake.
///
/// ```
/// use http::HeaderMap;
/// let mut h = HeaderMap::new();
/// for (k, v) in [("upgrade", "websocket"), ("connection", "Upgrade"), ("sec-websocket-version", "13"),
///                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-protocol", "chat, superchat")] {
///     h.insert(k, v.parse().unwrap());
/// }
/// let (out, proto) = tulip::web::ws_server_handshake(&h, &["superchat".into()]).unwrap();
/// assert_eq!(proto.as_deref(), Some("superchat"));
/// assert_eq!(out["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// h.remove("upgrade");
/// assert!(tulip::web::ws_server_handshake(&h, &[]).unwrap_err().starts_with("No WebSocket UPGRADE hdr"));
/// ```
pub fn ws_server_handshake(h: &HeaderMap, protocols: &[String]) -> Result<(HeaderMap, Option<String>), String> {
    if !header(h, "upgrade").trim().eq_ignore_ascii_case("websocket") {
        return Err(format!(
            "No WebSocket UPGRADE hdr: {}\n Can \"Upgrade\" only to \"WebSocket\".",
            header(h, "upgrade")
        ));
    }
    if !has_token(h, CONNECTION, "upgrade") {
        return Err(format!("No CONNECTION upgrade hdr: {}", header(h, "connection")));
    }
    let protocol = match h.get("sec-websocket-protocol") {
        Some(_) => pick(header(h, "sec-websocket-protocol"), protocols),
        None => None,
    };
    let version = header(h, "sec-websocket-version");
    if !["13", "8", "7"].contains(&version) {
        return Err(format!("Unsupported version: {version}"));
    }
    let key = header(h, "sec-websocket-key");
    let valid = base64::engine::general_purpose::STANDARD.decode(key).is_ok_and(|k| k.len() == 16);
    if !valid {
        return Err(format!("Handshake error: {key:?}"));
    }
    let mut out = HeaderMap::new();
    out.insert(UPGRADE, HeaderValue::from_static("websocket"));
    out.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    if let Ok(v) = HeaderValue::try_from(ws_accept_key(key)) {
        out.insert("sec-websocket-accept", v);
    }
    if let Some(v) = protocol.as_deref().and_then(|p| HeaderValue::try_from(p).ok()) {
        out.insert("sec-websocket-protocol", v);
    }
    Ok((out, protocol))
}

/// The first of `offered` (a comma-separated header) that `known` has.
pub(crate) fn pick(offered: &str, known: &[String]) -> Option<String> {
    offered.split(',').map(str::trim).find(|p| known.iter().any(|k| k == p)).map(str::to_string)
}

/// Checks a server's answer to a client's upgrade (aiohttp's
/// `WSServerHandshakeError` messages) and returns the subprotocol: the
/// first of the server's that the client offered.
///
/// ```
/// use http::HeaderMap;
/// let key = "dGhlIHNhbXBsZSBub25jZQ==";
/// let mut h = HeaderMap::new();
/// h.insert("upgrade", "websocket".parse().unwrap());
/// h.insert("connection", "upgrade".parse().unwrap());
/// h.insert("sec-websocket-accept", tulip::web::ws_accept_key(key).parse().unwrap());
/// assert_eq!(tulip::web::ws_check_response(101, &h, key, &[]), Ok(None));
/// assert_eq!(tulip::web::ws_check_response(404, &h, key, &[]), Err("Invalid response status"));
/// ```
pub fn ws_check_response(
    status: u16,
    h: &HeaderMap,
    key: &str,
    protocols: &[String],
) -> Result<Option<String>, &'static str> {
    if status != 101 {
        return Err("Invalid response status");
    }
    if !header(h, "upgrade").eq_ignore_ascii_case("websocket") {
        return Err("Invalid upgrade header");
    }
    if !header(h, "connection").eq_ignore_ascii_case("upgrade") {
        return Err("Invalid connection header");
    }
    if header(h, "sec-websocket-accept") != ws_accept_key(key) {
        return Err("Invalid challenge response");
    }
    Ok(match (protocols.is_empty(), h.get("sec-websocket-protocol")) {
        (false, Some(_)) => pick(header(h, "sec-websocket-protocol"), protocols),
        _ => None,
    })
}
