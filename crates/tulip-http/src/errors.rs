//! aiohttp's exception hierarchy as `thiserror` enums.
//!
//! aiohttp's classes nest (`ClientConnectorError` is a `ClientOSError` is a
//! `ClientConnectionError` is a `ClientError`); here the nesting is enum
//! variants holding the inner error, and the `is_*` helpers on
//! [`ClientError`] answer aiohttp's `isinstance` questions.

use std::fmt;
use std::io;
use std::time::Duration;

use http::HeaderMap;

/// The error of every client operation (aiohttp's `ClientError`, plus
/// asyncio's `TimeoutError` for the total timeout, `ValueError` for a bad
/// header and the JSON and text decoding errors).
///
/// ```
/// use tulip::http::ClientError;
/// tulip::run(async {
///     let err = tulip::http::request("GET", "not a url").send().await.unwrap_err();
///     assert!(matches!(err, ClientError::InvalidURL(_)));
///     assert!(!err.is_timeout() && !err.is_connection());
/// });
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Connecting, or the connection, failed (aiohttp's `ClientConnectionError`).
    #[error(transparent)]
    Connection(#[from] ClientConnectionError),
    /// The response says the request failed, or could not be parsed
    /// (aiohttp's `ClientResponseError`).
    #[error(transparent)]
    Response(#[from] ClientResponseError),
    /// `json()` on a response whose type is not JSON (aiohttp's
    /// `ContentTypeError`, a `ClientResponseError`).
    #[error(transparent)]
    ContentType(#[from] ContentTypeError),
    /// More redirects than `max_redirects` (aiohttp's `TooManyRedirects`,
    /// a `ClientResponseError`).
    #[error(transparent)]
    TooManyRedirects(#[from] TooManyRedirects),
    /// The response body broke off or could not be decoded (aiohttp's
    /// `ClientPayloadError`).
    #[error(transparent)]
    Payload(#[from] ClientPayloadError),
    /// A URL that cannot be requested (aiohttp's `InvalidURL` and its
    /// redirect subclasses).
    #[error(transparent)]
    InvalidURL(#[from] InvalidURL),
    /// `ClientTimeout::total` ran out (asyncio's `TimeoutError`, which aiohttp raises).
    #[error("request timed out: the total timeout of {0:?} ran out")]
    Timeout(Duration),
    /// A header name or value that cannot be sent, e.g. with CR or LF in it
    /// (aiohttp's `ValueError`): refused rather than injected.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// A JSON body that could not be encoded, or a response that is not
    /// the JSON expected (Python's `json.JSONDecodeError`).
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `text()` could not decode the body (Python's `UnicodeDecodeError`,
    /// or `LookupError` for an unknown encoding).
    #[error("cannot decode the body as {encoding}: {reason}")]
    Decode {
        /// The encoding tried.
        encoding: String,
        /// Why it failed.
        reason: String,
    },
    /// The session was closed (aiohttp's `RuntimeError("Session is closed")`).
    #[error("Session is closed")]
    SessionClosed,
    /// A TLS setting could not be used (a bad CA or client certificate).
    #[error(transparent)]
    Ssl(#[from] tulip_net::tls::SslError),
    /// The server did not accept the WebSocket handshake (aiohttp's
    /// `WSServerHandshakeError`, a `ClientResponseError`): its status,
    /// "Invalid response status", "Invalid challenge response", ….
    #[error("WebSocket handshake failed: {0}")]
    WSServerHandshake(ClientResponseError),
}

impl ClientError {
    /// Whether this is one of the timeouts: the total one (asyncio's
    /// `TimeoutError`) or aiohttp's `ServerTimeoutError` (connect,
    /// sock_connect, sock_read).
    ///
    /// ```
    /// use std::time::Duration;
    /// assert!(tulip::http::ClientError::Timeout(Duration::from_secs(1)).is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Timeout(_) | ClientError::Connection(ClientConnectionError::ServerTimeout(_)))
    }

    /// Whether this is a `ClientConnectionError` (connector errors, server
    /// disconnects, OS errors and the server timeouts).
    ///
    /// ```
    /// use tulip::http::{ClientConnectionError, ClientError, ServerDisconnectedError};
    /// let e: ClientError = ClientConnectionError::ServerDisconnected(ServerDisconnectedError::default()).into();
    /// assert!(e.is_connection());
    /// ```
    pub fn is_connection(&self) -> bool {
        matches!(self, ClientError::Connection(_))
    }

    /// Whether this is a `ClientResponseError` (which in aiohttp includes
    /// `ContentTypeError` and `TooManyRedirects`).
    ///
    /// ```
    /// use tulip::http::{ClientError, ClientPayloadError};
    /// assert!(!ClientError::from(ClientPayloadError::new("cut")).is_response());
    /// ```
    pub fn is_response(&self) -> bool {
        matches!(self, ClientError::Response(_) | ClientError::ContentType(_) | ClientError::TooManyRedirects(_))
    }

    /// Whether this is a `ClientPayloadError`.
    ///
    /// ```
    /// use tulip::http::{ClientError, ClientPayloadError};
    /// assert!(ClientError::from(ClientPayloadError::new("cut")).is_payload());
    /// ```
    pub fn is_payload(&self) -> bool {
        matches!(self, ClientError::Payload(_))
    }

    /// The HTTP status of a response error, if this is one.
    ///
    /// ```
    /// use tulip::http::{ClientError, ClientPayloadError};
    /// assert_eq!(ClientError::from(ClientPayloadError::new("cut")).status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Response(e) => Some(e.status),
            ClientError::ContentType(e) => Some(e.status),
            ClientError::TooManyRedirects(e) => Some(e.status),
            _ => None,
        }
    }

    /// Carries this error through an `io::Error` (the body reader's
    /// `AsyncRead`), so [`from_io`](Self::from_io) gets it back intact.
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The error an `io::Error` from a body read stands for: one of ours
    /// carried through, else a payload error (a decoder's bad data).
    pub(crate) fn from_io(e: io::Error) -> ClientError {
        if e.get_ref().is_some_and(|inner| inner.is::<ClientError>()) {
            if let Some(inner) = e.into_inner() {
                if let Ok(ours) = inner.downcast::<ClientError>() {
                    return *ours;
                }
            }
            return ClientPayloadError::new("response payload error").into();
        }
        ClientPayloadError::with_source("Response payload is not completed", e).into()
    }
}

/// aiohttp's `ClientConnectionError`: connecting failed or the connection
/// broke.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientConnectionError {
    /// Connecting to the host failed: DNS, refused, TLS (aiohttp's
    /// `ClientConnectorError`, a `ClientOSError`).
    #[error(transparent)]
    Connector(#[from] ClientConnectorError),
    /// The server closed the connection before the response was complete
    /// (aiohttp's `ServerDisconnectedError`).
    #[error(transparent)]
    ServerDisconnected(#[from] ServerDisconnectedError),
    /// A socket error on an established connection (aiohttp's `ClientOSError`).
    #[error(transparent)]
    OS(#[from] ClientOSError),
    /// connect, sock_connect or sock_read ran out (aiohttp's
    /// `ServerTimeoutError`: `ConnectionTimeoutError`, `SocketTimeoutError`).
    #[error(transparent)]
    ServerTimeout(#[from] ServerTimeoutError),
}

impl From<ClientConnectorError> for ClientError {
    fn from(e: ClientConnectorError) -> Self {
        ClientError::Connection(e.into())
    }
}
impl From<ServerDisconnectedError> for ClientError {
    fn from(e: ServerDisconnectedError) -> Self {
        ClientError::Connection(e.into())
    }
}
impl From<ClientOSError> for ClientError {
    fn from(e: ClientOSError) -> Self {
        ClientError::Connection(e.into())
    }
}
impl From<ServerTimeoutError> for ClientError {
    fn from(e: ServerTimeoutError) -> Self {
        ClientError::Connection(e.into())
    }
}

/// What kind of connector failure (aiohttp's subclasses of
/// `ClientConnectorError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorErrorKind {
    /// The name did not resolve, or the TCP/Unix connect failed.
    Os,
    /// The TLS handshake failed (`ClientConnectorSSLError`).
    Ssl,
    /// The server's certificate was rejected (`ClientConnectorCertificateError`).
    Certificate,
}

/// aiohttp's `ClientConnectorError`: "Cannot connect to host h:p ssl:… \[reason\]".
#[derive(Debug, thiserror::Error)]
#[error("Cannot connect to host {host}:{port} ssl:{ssl} [{source}]")]
pub struct ClientConnectorError {
    /// The host connected to.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Whether TLS was used ("default" or "False" in aiohttp's message).
    pub ssl: SslShown,
    /// The subclass.
    pub kind: ConnectorErrorKind,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

/// How a connector error shows the connection's TLS setting, as aiohttp does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslShown {
    /// Plain TCP ("ssl:False").
    No,
    /// TLS with the connector's context ("ssl:default").
    Default,
}

impl fmt::Display for SslShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SslShown::No => "False",
            SslShown::Default => "default",
        })
    }
}

/// aiohttp's `ServerDisconnectedError`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServerDisconnectedError {
    /// What happened ("Server disconnected" by default).
    pub message: String,
}

impl Default for ServerDisconnectedError {
    fn default() -> Self {
        ServerDisconnectedError { message: "Server disconnected".into() }
    }
}

/// aiohttp's `ClientOSError`: the socket failed on an open connection.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ClientOSError(#[from] pub io::Error);

/// Which of aiohttp's server timeouts fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerTimeoutKind {
    /// `connect` (pool wait + connect) or `sock_connect` (aiohttp's `ConnectionTimeoutError`).
    Connect,
    /// `sock_read`: no data for that long (aiohttp's `SocketTimeoutError`).
    SockRead,
}

/// aiohttp's `ServerTimeoutError`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServerTimeoutError {
    /// Which timeout.
    pub kind: ServerTimeoutKind,
    /// aiohttp's message ("Connection timeout to host …", "Timeout on reading data from socket").
    pub message: String,
}

impl ServerTimeoutError {
    pub(crate) fn connect(host: &str, after: Duration) -> Self {
        ServerTimeoutError {
            kind: ServerTimeoutKind::Connect,
            message: format!("Connection timeout to host {host} (after {after:?})"),
        }
    }

    pub(crate) fn sock_read(after: Duration) -> Self {
        ServerTimeoutError {
            kind: ServerTimeoutKind::SockRead,
            message: format!("Timeout on reading data from socket (no data for {after:?})"),
        }
    }
}

/// aiohttp's `ClientResponseError`: `raise_for_status()` on a 4xx/5xx, or
/// a response that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("{status}, message={message:?}, url={url:?}")]
pub struct ClientResponseError {
    /// The HTTP status (400 for an unparsable response, as aiohttp reports it).
    pub status: u16,
    /// The reason phrase, or what was wrong.
    pub message: String,
    /// The response's headers, when there was a response (boxed: errors stay small).
    pub headers: Option<Box<HeaderMap>>,
    /// The URL requested.
    pub url: String,
}

/// aiohttp's `ContentTypeError`.
#[derive(Debug, thiserror::Error)]
#[error("{status}, message={message:?}, url={url:?}")]
pub struct ContentTypeError {
    /// The response's status.
    pub status: u16,
    /// "Attempt to decode JSON with unexpected mimetype: …".
    pub message: String,
    /// The response's headers (boxed: errors stay small).
    pub headers: Box<HeaderMap>,
    /// The URL requested.
    pub url: String,
}

/// aiohttp's `TooManyRedirects`.
#[derive(Debug, thiserror::Error)]
#[error("too many redirects: {redirects} followed, the last to {url:?} (status {status})")]
pub struct TooManyRedirects {
    /// The status of the last redirect response.
    pub status: u16,
    /// How many redirects were followed.
    pub redirects: usize,
    /// The URL of the last response.
    pub url: String,
}

/// aiohttp's `ClientPayloadError`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ClientPayloadError {
    /// What went wrong ("Response payload is not completed", …).
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ClientPayloadError {
    /// A payload error with only a message.
    ///
    /// ```
    /// assert_eq!(tulip::http::ClientPayloadError::new("cut").to_string(), "cut");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ClientPayloadError { message: message.into(), source: None }
    }

    pub(crate) fn with_source(message: &str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let source = source.into();
        ClientPayloadError { message: format!("{message}: {source}"), source: Some(source) }
    }
}

/// Why a URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidUrlKind {
    /// The URL given does not parse or is not http(s) (aiohttp's `InvalidUrlClientError`).
    Url,
    /// A redirect's Location does not parse (`InvalidUrlRedirectClientError`).
    Redirect,
    /// A redirect to a scheme other than http(s) (`NonHttpUrlRedirectClientError`).
    NonHttpRedirect,
    /// A redirect from https to http, refused unless the session allows it.
    InsecureRedirect,
}

/// aiohttp's `InvalidURL`.
#[derive(Debug, thiserror::Error)]
#[error("{url} - {description}")]
pub struct InvalidURL {
    /// The URL as given.
    pub url: String,
    /// Why it was refused.
    pub description: String,
    /// Which case.
    pub kind: InvalidUrlKind,
}

impl InvalidURL {
    pub(crate) fn new(url: impl Into<String>, description: impl Into<String>, kind: InvalidUrlKind) -> Self {
        InvalidURL { url: url.into(), description: description.into(), kind }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_survive_a_trip_through_io_error() {
        let e = ClientError::from(ServerTimeoutError::sock_read(Duration::from_secs(1))).into_io();
        let back = ClientError::from_io(e);
        assert!(back.is_timeout() && back.is_connection());
        let plain = ClientError::from_io(io::Error::new(io::ErrorKind::InvalidData, "bad gzip"));
        assert!(plain.is_payload());
    }

    #[test]
    fn connector_error_reads_like_aiohttps() {
        let e = ClientConnectorError {
            host: "example.com".into(),
            port: 443,
            ssl: SslShown::Default,
            kind: ConnectorErrorKind::Os,
            source: io::Error::new(io::ErrorKind::ConnectionRefused, "Connection refused"),
        };
        assert_eq!(e.to_string(), "Cannot connect to host example.com:443 ssl:default [Connection refused]");
    }
}
