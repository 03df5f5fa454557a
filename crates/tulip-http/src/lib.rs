//! # tulip-http — aiohttp's client, on tulip
//!
//! An HTTP client with aiohttp's names and defaults: a [`ClientSession`]
//! with a pooled [`TcpConnector`], [`ClientTimeout`], cookies, redirects,
//! [`BasicAuth`], gzip/deflate, TLS on rustls (the system's roots), and
//! aiohttp's error hierarchy in [`ClientError`]. hyper 1.x parses and
//! writes HTTP/1.1 (HTTP/2 with the `http2` feature) over tulip's sockets;
//! the pool, connector and policies are this crate's, all `!Send`, on the
//! running loop, timed by the loop's clock.
//!
//! Use it as `tulip::http` (the facade's `http` feature, on by default),
//! or alone as `tulip_http` inside any tulip loop.
//!
//! | aiohttp | tulip |
//! |---|---|
//! | `async with aiohttp.ClientSession() as s:` | `let s = ClientSession::new();` … `s.close().await` |
//! | `ClientSession(base_url=, headers=, auth=, timeout=, connector=, raise_for_status=)` | [`ClientSession::builder`] |
//! | `s.get(url, params=, headers=, json=, data=, timeout=, allow_redirects=, max_redirects=)` | `s.get(url).params(..).header(..).json(..).form(..).body(..)…send().await` |
//! | `resp.status`, `reason`, `headers`, `url`, `history`, `cookies`, `content_type`, `charset` | same names, as methods |
//! | `await resp.text()`, `json()`, `read()`, `resp.content.readline()` | [`ClientResponse::text`], [`ClientResponse::json`], [`ClientResponse::read`], [`ClientResponse::content`] |
//! | `aiohttp.request('GET', url)` | [`request`]`("GET", url)` |
//! | `TCPConnector(limit=, limit_per_host=, keepalive_timeout=, force_close=, ttl_dns_cache=)` | [`TcpConnector::builder`] |
//! | `ClientTimeout(total=, connect=, sock_connect=, sock_read=)` | [`ClientTimeout`] |
//! | `UnixConnector(path)`, `ssl=False`, `ssl=ctx` | [`UnixConnector::new`], [`TcpConnectorBuilder::danger_accept_invalid_certs`], [`TcpConnectorBuilder::tls_context`] |
//! | `CookieJar(unsafe=True)`, `DummyCookieJar()` | [`CookieJar::unsafe_`], [`CookieJar::dummy`] |
//! | `session.ws_connect(url, protocols=, heartbeat=)` (feature `ws`) | [`ClientSession::ws_connect`] → `ClientWebSocketResponse` |
//! | `proxy=`, `proxy_auth=` | [`RequestBuilder::proxy`], [`RequestBuilder::proxy_auth`] (CONNECT for https) |
//! | `except aiohttp.ClientConnectorError`, `ServerTimeoutError`, `asyncio.TimeoutError` | `match` on [`ClientError`]; [`ClientError::is_connection`], [`ClientError::is_timeout`] |
//!
//! A session not closed before it is dropped is reported through the
//! loop's exception handler as "Unclosed client session", as aiohttp does.
//!
//! ```
//! # use std::io::{Read, Write};
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! # let base = format!("http://{}/", listener.local_addr().unwrap());
//! # std::thread::spawn(move || for _ in 0..2 { let (mut s, _) = listener.accept().unwrap(); let mut b = [0; 4096]; let _ = s.read(&mut b);
//! #   s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{\"name\": \"Moscow\", \"temp\": 21}").unwrap(); });
//! use tulip::http::{ClientSession, ClientTimeout};
//! use std::time::Duration;
//!
//! #[derive(serde::Deserialize)]
//! struct Weather { name: String, temp: i32 }
//!
//! tulip::run(async move {
//!     let session = ClientSession::builder()
//!         .base_url(&base)
//!         .timeout(ClientTimeout { total: Some(Duration::from_secs(10)), ..ClientTimeout::default() })
//!         .build()
//!         .unwrap();
//!     for city in ["Moscow", "Kyiv"] {
//!         let mut resp = session.get("weather").params(&[("q", city)]).send().await.unwrap();
//!         let w: Weather = resp.json().await.unwrap();
//!         println!("{}: {}", w.name, w.temp);
//!     }
//!     session.close().await;
//! });
//! ```

mod auth;
mod body;
mod charset;
mod conn;
mod connector;
mod connector_builder;
mod cookies;
mod decode;
#[doc(hidden)]
pub mod __doc {
    //! Hidden support for the doc examples.
    pub use crate::doc_support::canned;
}
mod dns;
mod doc_support;
mod errors;
mod head;
mod hyper_errors;
mod open;
mod pool;
mod proxy;
mod raw_body;
mod reader;
mod redirect;
mod request;
mod response;
mod send;
mod session;
mod session_builder;
mod target;
mod timeout;
mod total;
#[cfg(feature = "ws")]
mod ws;

pub use auth::BasicAuth;
pub use body::Body;
pub use connector::TcpConnector;
pub use connector_builder::{TcpConnectorBuilder, UnixConnector};
pub use cookies::CookieJar;
pub use errors::{
    ClientConnectionError, ClientConnectorError, ClientError, ClientOSError, ClientPayloadError, ClientResponseError,
    ConnectorErrorKind, ContentTypeError, InvalidURL, InvalidUrlKind, ServerDisconnectedError, ServerTimeoutError,
    ServerTimeoutKind, SslShown, TooManyRedirects,
};
pub use reader::BodyReader;
pub use request::{IntoUrl, RequestBuilder, UrlInput};
pub use response::ClientResponse;
pub use session::{request, ClientSession};
pub use session_builder::SessionBuilder;
pub use timeout::ClientTimeout;
#[cfg(feature = "ws")]
pub use ws::{
    ClientWebSocketResponse, Role, WSCloseCode, WSMessage, WSMsgType, WebSocket, WebSocketError, WsConfig, WsConnect,
};

/// A cookie as parsed from `Set-Cookie` ([`ClientResponse::cookies`]).
pub use cookie_store::RawCookie as Cookie;
/// The `http` crate's types the API uses: `Method`, `HeaderMap`, `HeaderValue`, `StatusCode`, `Version`.
pub use http::{self as http_types, HeaderMap, HeaderValue, Method, StatusCode, Version};
/// The URL type ([`ClientResponse::url`]).
pub use url::Url;
